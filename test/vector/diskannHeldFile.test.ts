import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskTier } from '../../actors/query-node/shell/diskTier.js';
import { tieredStorageConfig } from '../../actors/query-node/core/tieredStorageConfig.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { diskannFactory } from '../../runtime/vectorIndex/diskann/diskannFactory.js';
import type { DiskannIndex } from '../../runtime/vectorIndex/diskann/diskannIndex.js';
import type { ObjectStore } from '../../runtime/ports/objectStore.js';
import { vectorIndexesAt } from '../../runtime/vectorIndex/vectorIndexes.js';
import { until } from '../support/until.js';

/**
 * DISKANN over the tiered storage disk tier's file, in place: the disk tier's
 * file (its key and CRC header, then the object's bytes) is held open, the
 * index reads its records at their offset in it, no copy is written; answers
 * (search and searchAsync) equal an ordinary load's; the file stays open (and
 * out of the disk tier's eviction) while the index holds it, and is closed only
 * when the index closes.
 */
const DIM = 16, N = 1200;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 12, queries: 10, seed: 9 });
const KEY = 'index/1/2/vec_idx/DISKANN';
let root = '';
let file: Uint8Array = new Uint8Array(0);
let plain: DiskannIndex;
const events = { hit: () => {}, corrupt: () => {}, evicted: () => {}, bytes: () => {} };
const objects = (files: Record<string, Uint8Array>) => ({ get: async (k: string) => files[k] }) as unknown as ObjectStore;
/** This process's descriptors open on files under `dir`. */
const openUnder = (dir: string) => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir); } catch { return false; } }).length;
const copies = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.diskann')).length : 0);
const answers = (x: DiskannIndex) => ds.queries.map((q) => x.search(q, 10, { searchList: 20 }));

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'nuthatch-diskann-held-'));
  const f = diskannFactory(join(root, 'plain'), { cpus: 2 });
  file = await (await f.build(ds.vectors, DIM, 'L2', { maxDegree: 20 })).serialize();
  plain = await f.load(file, DIM, 'L2') as DiskannIndex;
});
test.after(async () => { plain.close(); await rm(root, { recursive: true, force: true }); });

test('loaded over the disk tier\'s file: no copy, the same answers, the file open until the index closes', async () => {
  const tierDir = join(root, 'tier-a'), copyDir = join(root, 'copies-a');
  const tier = await DiskTier.open(tierDir, tieredStorageConfig({ enabled: true, diskCacheEnabled: true, diskCapacityBytes: 1 << 30 }), events);
  // Through the query node's factories (keyed and row-mapped wrappers pass the file to DISKANN).
  const factory = vectorIndexesAt(copyDir).DISKANN!;
  for (const round of ['fetched and written', 'read back from disk']) {
    const held = (await tier.hold(objects({ [KEY]: file }), KEY))!;
    assert.ok(held.file && held.file.offset > 0, `${round}: the object's bytes sit after the disk file's header`);
    const index = await factory.load(held.body, DIM, 'L2', held.file) as DiskannIndex;
    held.release();
    assert.is(copies(copyDir), 0, `${round}: no local copy written`);
    assert.is(openUnder(tierDir), 1, 'the index keeps the disk tier\'s file open');
    assert.equal(answers(index), answers(plain), `${round}: search answers as an ordinary load`);
    assert.equal(await Promise.all(ds.queries.map((q) => index.searchAsync(q, 10, { searchList: 20 }))), answers(plain), 'searchAsync too');
    assert.ok(index.reads.fileReads > 0, 'records were read from the file');
    index.close();
    assert.is(openUnder(tierDir), 0, 'closed with the index');
  }
});

test('a held file is never evicted by the disk tier; once let go, it is', async () => {
  const tierDir = join(root, 'tier-b'), budget = Math.round(file.length * 1.6);
  // Room for one index file and a bit: admitting a second must evict one, and the held one cannot go.
  const tier = await DiskTier.open(tierDir, tieredStorageConfig({ enabled: true, diskCacheEnabled: true, diskCapacityBytes: budget, diskHighWatermarkRatio: 1, diskLowWatermarkRatio: 1 }), events);
  const store = objects({ a: file, b: file.slice() });
  const held = (await tier.hold(store, 'a'))!;
  const index = await diskannFactory(join(root, 'copies-b'), { cpus: 2 }).load(held.body, DIM, 'L2', held.file) as DiskannIndex;
  held.release();
  await tier.get(store, 'b');
  const files = () => readdirSync(tierDir).length;
  assert.is(files(), 2, 'b admitted beside the held a, over the budget: a could not go');
  assert.ok(tier.bytes > budget);
  assert.equal(answers(index), answers(plain));
  index.close();
  // The policy let a go at once; its unlink runs on the thread pool.
  await until(() => files() === 1, 'a (the least recent), let go, evicted');
  assert.ok(tier.bytes <= budget);
  const again = (await tier.hold(store, 'b'))!;
  assert.ok(again.file, 'b stayed: read back from disk');
  again.release();
});

test.run();
