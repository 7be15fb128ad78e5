import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { SegmentRecord } from '../../messages/rpc/records.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * A coordinator that dies in the middle of a clustering compaction: started
 * again over a group whose outputs were not all recorded, it rolls the group
 * back (the parts stand, the outputs and their files go); over a group wholly
 * recorded whose parts are still recorded, it finishes it (the parts go, the
 * outputs are served). Either way reads count every live row once.
 */
const DIM = 4, BATCH = 60, BATCHES = 3;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'k', dataType: 'Int32' as const, isClusteringKey: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const options = { coordinator: { compaction: { intervalMs: 0, graceMs: 0, clusteringTargetRows: 50 } } };
type S = Awaited<ReturnType<typeof tempStandalone>>;
const count = async (s: S) => Number((await s.client.query('c', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);

test('a clustering cut short is rolled back; one past its records is finished', async () => {
  const backup = await mkdtemp(join(tmpdir(), 'nuthatch-cluster-backup-'));
  let s = await tempStandalone(options);
  const { dataDir } = s;
  const dirs: string[] = [backup];
  try {
    const vecs = vectors(BATCH * BATCHES, DIM, 4);
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    for (let b = 0; b < BATCHES; b++) {
      await s.client.insert('c', Array.from({ length: BATCH }, (_, j) => { const i = b * BATCH + j; return { id: i, k: (i * 53) % 200, vec: vecs[i]! }; }));
      await s.client.flush('c');
    }
    await untilIndexedAndLoaded(s, 'c', BATCH * BATCHES);
    await s.client.delete('c', { ids: [1, 2, 3] });
    const live = BATCH * BATCHES - 3;
    assert.is(await count(s), live);
    const { collectionId } = await s.client.describeCollection('c');
    const segments = () => client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    const parts = await segments();
    await s.stop();
    await cp(dataDir, backup, { recursive: true }); // the state before the compaction

    s = await tempStandalone({ ...options, dataDir });
    const { compactionID } = await s.client.compact({ collectionName: 'c', isClustering: true });
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'clustered', 60_000);
    const members = await segments();
    assert.ok(members.length >= 3 && members.every((m) => m.clusterGroup?.length === members.length));
    await s.stop();
    const outputs = new LocalObjectStore(join(dataDir, 'objects'));
    const files = new Map<string, Uint8Array>();
    for (const m of members) for (const key of [m.dataKey, ...Object.values(m.indexKeys)]) files.set(key, (await outputs.get(key))!);

    // The pre-compaction state plus some (or all) of the outputs' records and files, as a coordinator that died would leave it.
    const crashed = async (recorded: SegmentRecord[]): Promise<string> => {
      const dir = await mkdtemp(join(tmpdir(), 'nuthatch-cluster-crash-'));
      dirs.push(dir);
      await cp(backup, dir, { recursive: true });
      const meta = await EmbeddedMeta.open(join(dir, 'meta'));
      for (const m of recorded) await putRecord(meta, Keys.segment(collectionId, m.segmentId), m);
      await meta.close();
      const objects = new LocalObjectStore(join(dir, 'objects'));
      for (const [key, bytes] of files) await objects.put(key, bytes);
      return dir;
    };

    const cut = await crashed(members.slice(0, -1));
    s = await tempStandalone({ ...options, dataDir: cut });
    await until(async () => (await s.client.getLoadState('c')).loadProgress === 100, 'loaded after the rollback', 30_000);
    assert.equal((await segments()).map((x) => x.segmentId).sort(), parts.map((p) => p.segmentId).sort(), 'the parts stand, the outputs recorded are gone');
    assert.is(await count(s), live);
    const objects = new LocalObjectStore(join(cut, 'objects'));
    await until(async () => (await objects.get(members[0]!.dataKey)) === undefined, "the outputs' files removed", 30_000);
    await s.stop();

    const past = await crashed(members);
    s = await tempStandalone({ ...options, dataDir: past });
    assert.equal((await segments()).map((x) => x.segmentId).sort(), members.map((m) => m.segmentId).sort(), 'the parts are forgotten, the outputs stand');
    await until(async () => (await s.client.getLoadState('c')).loadProgress === 100, 'loaded after finishing', 30_000);
    assert.is(await count(s), live);
    const d = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('distribution', { vchannel: members[0]!.vchannel });
    await until(async () => {
      const now = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('distribution', { vchannel: members[0]!.vchannel });
      return now.segments.every((x) => members.some((m) => m.segmentId === x.segmentId)) && now.segments.length === members.length;
    }, `only the outputs served (${JSON.stringify(d.segments)})`, 30_000);
    assert.is(await count(s), live);
  } finally {
    await s.cleanup();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
