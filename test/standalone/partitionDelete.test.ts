import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A delete that names a partition deletes there only (Milvus's rule). Keys are
 * not unique across partitions, so p1 and p2 both hold keys 0..39 (sealed,
 * indexed, loaded) and 100..104 (growing): deleting a key from p1 must leave
 * p2's row, in reads of growing and sealed rows, after a compaction rewrote the
 * files, and after a restart that replays the log.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'part', dataType: 'VarChar' as const, maxLength: 8 },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const rows = (part: string, from: number, n: number) => vectors(n, DIM, from + (part === 'p1' ? 0 : 1000)).map((vec, i) => ({ id: from + i, part, vec }));
// Only the manual compaction runs, applying deletes of any age; growing segments are never sealed by time.
const opts = {
  streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } },
  coordinator: { compaction: { intervalMs: 0, graceMs: 0 } },
};

test('a delete naming a partition leaves the same key in other partitions: growing, sealed, compacted and replayed', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'sd', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.createPartition('sd', 'p1');
    await s.client.createPartition('sd', 'p2');
    await s.client.insert('sd', rows('p1', 0, 40), 'p1');
    await s.client.insert('sd', rows('p2', 0, 40), 'p2');
    await s.client.flush('sd');
    const collectionId = (await s.client.describeCollection('sd')).collectionId;
    const segments = () => client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    await until(async () => { const g = await segments(); return g.length === 4 && g.every((x) => Object.keys(x.indexKeys).length > 0); }, 'four indexed segments', 30_000);
    await until(async () => (await s.client.getLoadState('sd')).loadProgress === 100, 'loaded', 30_000);
    await s.client.insert('sd', rows('p1', 100, 5), 'p1');
    await s.client.insert('sd', rows('p2', 100, 5), 'p2');

    await s.client.delete('sd', { ids: [1, 2, 101], partitionName: 'p1' });
    await s.client.delete('sd', { filter: 'id in [3, 102]', partitionName: 'p2' });
    await s.client.delete('sd', { ids: [4] }); // no partition: both copies
    const idsOf = async (part: string) => (await s.client.query('sd', { filter: 'id >= 0', outputFields: ['part'], partitionNames: [part], consistencyLevel: 'Strong' }))
      .map((r) => { assert.is(r.part, part, 'a row read from its own partition'); return r.id as number; }).sort((a, b) => a - b);
    const all = [...Array.from({ length: 40 }, (_, i) => i), 100, 101, 102, 103, 104];
    const wantP1 = all.filter((k) => ![1, 2, 101, 4].includes(k));
    const wantP2 = all.filter((k) => ![3, 102, 4].includes(k));
    const check = async (when: string) => {
      assert.equal(await idsOf('p1'), wantP1, `p1 ${when}`);
      assert.equal(await idsOf('p2'), wantP2, `p2 ${when}`);
      const got = (await s.client.get('sd', [1, 3, 101, 102], { outputFields: ['part'], consistencyLevel: 'Strong' })).map((r) => `${r.part}:${r.id}`).sort();
      assert.equal(got, ['p1:102', 'p1:3', 'p2:1', 'p2:101'], `get by key finds the copy the scoped delete left, ${when}`);
      const [hits] = await s.client.search('sd', { data: [rows('p1', 1, 1)[0]!.vec], limit: 200, outputFields: ['part'], consistencyLevel: 'Strong' });
      assert.equal(hits!.filter((h) => h.id === 1).map((h) => h.fields.part), ['p2'], `search finds key 1 in p2 only, ${when}`);
      // Search merges keep one hit per key (as Milvus's reduce): every live key once.
      assert.is(hits!.length, new Set([...wantP1, ...wantP2]).size);
    };
    await check('before compaction');

    const { compactionID } = await s.client.compact('sd');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'the compaction completed', 60_000);
    const sealedRows = async () => (await segments()).reduce((n, x) => n + x.rows, 0);
    // 80 sealed rows less p1's 1 and 2, p2's 3, and both copies of 4.
    await until(async () => (await sealedRows()) === 75, 'the files hold exactly the live sealed rows', 30_000);
    await until(async () => (await s.client.getLoadState('sd')).loadProgress === 100, 'loaded after compaction', 30_000);
    await check('after compaction');

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await s.client.getLoadState('sd')).loadProgress === 100, 'loaded after the restart', 30_000);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

test.run();
