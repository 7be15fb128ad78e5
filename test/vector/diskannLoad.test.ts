import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { IndexRetirement } from '../../actors/query-node/core/indexRetirement.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { mulberry32, recallAtK } from '../../bench/support/dataset.js';
import { crc32 } from '../../runtime/crc32.js';
import { diskannFactory } from '../../runtime/vectorIndex/diskann/diskannFactory.js';
import { recordBytes } from '../../runtime/vectorIndex/diskann/diskannFile.js';
import { beamWidthOf, type DiskannIndex } from '../../runtime/vectorIndex/diskann/diskannIndex.js';
import { bfsRows, cachedNodeCount } from '../../runtime/vectorIndex/diskann/nodeCache.js';
import { keyed } from '../../runtime/vectorIndex/keyedIndex.js';
import { rowMapped } from '../../runtime/vectorIndex/rowMappedIndex.js';
import { rejects } from '../support/rejects.js';

/**
 * What a query node does with a DISKANN index it loads (pure, no servers):
 * the node cache of search_cache_budget_gb_ratio (the records a BFS from the
 * medoid reaches first, Milvus's budget in whole records) answers reads the
 * file would, without changing any answer; beamwidth_ratio x CPUs (at most
 * 16) records are read per search step; close() removes the local file (and
 * a keyed or row-mapped index closes its parts); the query node's
 * retirement closes an index only once no read holds it.
 */
const DIM = 32, N = 2000, K = 10;
const rand = mulberry32(9);
const vectors = new Float32Array(N * DIM).map(() => rand() * 2 - 1);
const queries = Array.from({ length: 40 }, () => new Float32Array(DIM).map(() => rand() * 2 - 1));
const truth = searchBruteForce({ vectors, dim: DIM, count: N, metric: 'L2', queries, k: K }).map((hs) => hs.map((h) => h.row));
const rowsOf = (idx: DiskannIndex, searchList?: number) => queries.map((q) => idx.search(q, K, searchList ? { searchList } : {}).map((h) => h.row));
const filesIn = (d: string) => readdirSync(d).filter((f) => f.endsWith('.diskann'));

let dir = '';
let built: Record<string, Uint8Array> = {};
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nuthatch-diskann-load-'));
  const f = diskannFactory(dir, { cpus: 1 });
  for (const [name, p] of Object.entries({ none: { searchCacheBudgetGbRatio: 0 }, dflt: {}, big: { searchCacheBudgetGbRatio: 0.29 }, beam1: { beamwidthRatio: 1 }, beam8: { beamwidthRatio: 8 } })) {
    built[name] = await (await f.build(vectors, DIM, 'L2', { maxDegree: 24, searchListSize: 50, ...p })).serialize();
  }
});
test.after(async () => { built = {}; await rm(dir, { recursive: true, force: true }); });

test('the cache budget is Milvus\'s: ratio x count x dim x 4 bytes, in whole records, at most every row', () => {
  assert.is(cachedNodeCount(1000, 128, 740, 0), 0);
  assert.is(cachedNodeCount(1000, 128, 740, 0.1), Math.floor((0.1 * 1000 * 128 * 4) / 740));
  assert.is(cachedNodeCount(10, 128, 100, 0.29), 10);
  assert.is(cachedNodeCount(0, 128, 740, 0.1), 0);
});

test('bfsRows: breadth-first from the medoid, up to the limit, unreachable rows left out', () => {
  // 6 rows, gdim 1, max degree 2: 2 -> 0, 3; 0 -> 1; 3 -> 1, 0; 1 -> none; 4 <-> 5 (unreachable from 2).
  const gdim = 1, size = recordBytes(gdim, 2), lists = [[1], [], [0, 3], [1, 0], [5], [4]];
  const nodes = new Uint8Array(6 * size), i32 = new Int32Array(nodes.buffer);
  lists.forEach((l, r) => { i32[r * (size >> 2) + gdim] = l.length; l.forEach((u, i) => { i32[r * (size >> 2) + gdim + 1 + i] = u; }); });
  assert.equal(Array.from(bfsRows(nodes, size, 4 * gdim, 2, 10)), [2, 0, 3, 1]);
  assert.equal(Array.from(bfsRows(nodes, size, 4 * gdim, 2, 2)), [2, 0]);
  assert.equal(Array.from(bfsRows(nodes, size, 4 * gdim, 4, 10)), [4, 5]);
  assert.equal(Array.from(bfsRows(nodes, size, 4 * gdim, 2, 0)), []);
});

test('the node cache answers reads the file would, the same answers at every budget; a larger budget reads the file less', async () => {
  const f = diskannFactory(dir, { cpus: 1 });
  const gdim = DIM, size = recordBytes(gdim, 24);
  const none = await f.load(built.none!, DIM, 'L2') as DiskannIndex;
  const dflt = await f.load(built.dflt!, DIM, 'L2') as DiskannIndex;
  const big = await f.load(built.big!, DIM, 'L2') as DiskannIndex;
  assert.is(none.reads.cachedNodes, 0);
  assert.is(dflt.reads.cachedNodes, cachedNodeCount(N, DIM, size, Math.fround(0.1)));
  assert.ok(dflt.reads.cachedNodes > 0 && big.reads.cachedNodes > 2 * dflt.reads.cachedNodes, `${dflt.reads.cachedNodes} and ${big.reads.cachedNodes} cached`);
  // The walk and its answers do not depend on where a record came from.
  const answers = rowsOf(none);
  assert.ok(recallAtK(answers, truth, K) >= 0.9);
  assert.equal(rowsOf(dflt), answers);
  assert.equal(rowsOf(big), answers);
  const touched = (x: DiskannIndex) => x.reads.cacheHits + x.reads.fileReads;
  assert.is(none.reads.cacheHits, 0);
  assert.is(touched(dflt), none.reads.fileReads);
  assert.is(touched(big), none.reads.fileReads);
  // Every search starts at the medoid, cached first: each search hits the cache at least once.
  assert.ok(dflt.reads.cacheHits >= queries.length, `${dflt.reads.cacheHits} hits`);
  assert.ok(big.reads.fileReads < dflt.reads.fileReads && dflt.reads.fileReads < none.reads.fileReads, `file reads ${none.reads.fileReads} > ${dflt.reads.fileReads} > ${big.reads.fileReads}`);
  for (const x of [none, dflt, big]) x.close();
});

test('beam width: beamwidth_ratio x CPUs, at least 1, capped at 16; one search step reads up to that many records', async () => {
  assert.equal([beamWidthOf(4, 2), beamWidthOf(4, 8), beamWidthOf(1, 1), beamWidthOf(1.5, 1), beamWidthOf(1, 3)], [8, 16, 1, 1, 3]);
  const one = await diskannFactory(dir, { cpus: 1 }).load(built.beam1!, DIM, 'L2') as DiskannIndex;
  const eight = await diskannFactory(dir, { cpus: 1 }).load(built.beam8!, DIM, 'L2') as DiskannIndex;
  const twice = await diskannFactory(dir, { cpus: 2 }).load(built.beam8!, DIM, 'L2') as DiskannIndex;
  assert.equal([one.beamWidth, eight.beamWidth, twice.beamWidth], [1, 8, 16]);
  for (const x of [one, eight]) assert.ok(recallAtK(rowsOf(x, 32), truth, K) >= 0.9, `recall at beam width ${x.beamWidth}`);
  const touched = (x: DiskannIndex) => x.reads.cacheHits + x.reads.fileReads;
  // Width 1: one record a step. Width 8: up to 8 a step, so far fewer steps.
  assert.is(one.reads.rounds, touched(one));
  assert.ok(eight.reads.rounds * 8 >= touched(eight) && eight.reads.rounds * 3 < touched(eight), `${eight.reads.rounds} steps for ${touched(eight)} records`);
  for (const x of [one, eight, twice]) x.close();
});

test('factory refuses out-of-range ratios; a version 1 file (no ratios) loads with Milvus\'s defaults', async () => {
  const f = diskannFactory(dir, { cpus: 2 });
  const small = vectors.subarray(0, 200 * DIM);
  for (const searchCacheBudgetGbRatio of [-0.1, 0.3]) await rejects(f.build(small, DIM, 'L2', { searchCacheBudgetGbRatio }), (e) => e instanceof ValidationError && /search_cache_budget_gb_ratio/.test((e as Error).message));
  for (const beamwidthRatio of [0.5, 200]) await rejects(f.build(small, DIM, 'L2', { beamwidthRatio }), (e) => e instanceof ValidationError && /beamwidth_ratio/.test((e as Error).message));
  const v2 = await (await f.build(small, DIM, 'L2', { maxDegree: 8 })).serialize();
  // The same file as version 1 wrote it: a 44-byte header, the crc at 40 (this version's header is 56 bytes).
  const v1 = new Uint8Array(v2.length - 12);
  v1.set(v2.subarray(0, 40)); v1.set(v2.subarray(56), 44);
  const v = new DataView(v1.buffer);
  v.setUint32(4, 1, true);
  v.setUint32(40, crc32(v1.subarray(44), crc32(v1.subarray(0, 40))), true);
  const old = await f.load(v1, DIM, 'L2') as DiskannIndex, cur = await f.load(v2, DIM, 'L2') as DiskannIndex;
  assert.equal([old.parts.cacheRatio, old.parts.beamwidthRatio, old.beamWidth], [0.1, 4, 8]);
  assert.equal([cur.beamWidth, cur.reads.cachedNodes], [old.beamWidth, old.reads.cachedNodes]);
  assert.equal(old.search(queries[0]!, K), cur.search(queries[0]!, K));
  const set = await f.load(await (await f.build(small, DIM, 'L2', { maxDegree: 8, searchCacheBudgetGbRatio: 0, beamwidthRatio: 1 })).serialize(), DIM, 'L2') as DiskannIndex;
  assert.equal([set.parts.cacheRatio, set.parts.beamwidthRatio, set.beamWidth, set.reads.cachedNodes], [0, 1, 2, 0]);
  set.close();
  const bad = v2.slice();
  new DataView(bad.buffer).setFloat32(44, 0.5, true);
  await rejects(f.load(bad, DIM, 'L2'), (e) => e instanceof DecodeError);
  old.close(); cur.close();
});

test('close() removes the local file (keyed and row-mapped indexes close each part); searching a closed index throws', async () => {
  const own = await mkdtemp(join(dir, 'close-'));
  const f = keyed(rowMapped(diskannFactory(own, { cpus: 1 })));
  const plain = await f.load(built.dflt!, DIM, 'L2');
  assert.is(filesIn(own).length, 1);
  plain.close!();
  assert.is(filesIn(own).length, 0);
  plain.close!();
  assert.throws(() => plain.search(queries[0]!, K), /closed/);
  const groups = [0, 1, 2].map((key) => ({ key, rows: Int32Array.from({ length: N / 4 }, (_, i) => i * 4 + key) }));
  const bytes = await (await f.build(vectors, DIM, 'L2', { maxDegree: 16, groups })).serialize();
  const tenants = await f.load(bytes, DIM, 'L2');
  assert.is(filesIn(own).length, 3, 'a file per sub-index');
  assert.ok(tenants.search(queries[0]!, K, { partitionKey: 1 }).every((h) => h.row % 4 === 1));
  tenants.close!();
  assert.is(filesIn(own).length, 0);
  const nulls = await f.load(await (await f.build(vectors, DIM, 'L2', { maxDegree: 16, rows: groups[0]!.rows })).serialize(), DIM, 'L2');
  assert.is(filesIn(own).length, 1);
  nulls.close!();
  assert.is(filesIn(own).length, 0);
});

test('retirement: an index no read holds closes at once; a held one when its last read ends', () => {
  const closed: string[] = [];
  const r = new IndexRetirement<string>((x) => closed.push(x));
  r.retire('a');
  assert.equal(closed, ['a']);
  const end1 = r.hold(['b', 'c']), end2 = r.hold(['b']);
  r.retire('b');
  assert.equal([closed, r.pending], [['a'], 1]);
  end1();
  end1();
  assert.equal(closed, ['a'], 'a second read still holds b');
  end2();
  assert.equal([closed, r.pending], [['a', 'b'], 0]);
  // c was never retired: its reads ending close nothing.
  r.hold(['c'])();
  assert.equal(closed, ['a', 'b']);
});

test('a search holding a loaded index still answers after its release; the file goes when it ends', async () => {
  const own = await mkdtemp(join(dir, 'held-'));
  const idx = await diskannFactory(own, { cpus: 1 }).load(built.dflt!, DIM, 'L2') as DiskannIndex;
  const path = join(own, filesIn(own)[0]!);
  const before = idx.search(queries[0]!, K);
  const r = new IndexRetirement<DiskannIndex>((x) => x.close());
  const end = r.hold([idx]);
  r.retire(idx);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(existsSync(path));
  assert.equal(idx.search(queries[0]!, K), before);
  end();
  assert.not.ok(existsSync(path));
});

test.run();
