import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { rng, tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Clustering compaction end to end: four sealed segments whose clustering
 * keys are spread at random become segments of contiguous, disjoint key
 * ranges; every query and search answers as before (deleted rows stay
 * deleted), and a read whose filter pins one range asks for one segment only
 * (the delegator's visited and pruned counters).
 */
const DIM = 4, BATCH = 150, BATCHES = 4, TARGET = 100;
const schema = { fields: [
  { name: 'id', dataType: 'Int64' as const, isPrimary: true },
  { name: 'k', dataType: 'Int64' as const, isClusteringKey: true, nullable: true },
  { name: 'name', dataType: 'VarChar' as const, maxLength: 16 },
  { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT' as const, params: {} }];
const options = { coordinator: { compaction: { intervalMs: 0, graceMs: 0, clusteringTargetRows: TARGET } } };
const FILTERS = ['k >= 0', 'k == 137', 'k in [5, 400, 999]', 'k < 120', 'k >= 300 and k < 420', '250 <= k <= 260', 'k > 900 and name like "n1%"',
  'k < 50 or k > 950', 'not (k < 500)', 'k != 3', 'k is null', 'name >= "n3"', 'k >= 100 and k < 100'];

type S = Awaited<ReturnType<typeof tempStandalone>>;
function sealedCounter(s: S, outcome: 'visited' | 'pruned'): number {
  const line = s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_delegator_sealed_segments_total{') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function answers(s: S, vecs: number[][]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const filter of FILTERS) {
    const rows = await s.client.query('c', { filter, outputFields: ['id', 'k', 'name'], consistencyLevel: 'Strong', limit: 16384 });
    out.push([filter, rows.map((r) => [Number(r.id), r.k, r.name]).sort((a, b) => (a[0] as number) - (b[0] as number))]);
    const hits = await s.client.search('c', { data: [vecs[7]!, vecs[301]!], filter, limit: 10, consistencyLevel: 'Strong' });
    out.push([filter, hits.map((q) => q.map((h) => [Number(h.id), h.distance.toFixed(5)]))]);
  }
  return out;
}

test('clustering compaction: disjoint contiguous ranges, the same answers, deletes kept, one segment visited for one range', async () => {
  const s = await tempStandalone(options);
  try {
    const vecs = vectors(BATCH * BATCHES, DIM, 3);
    const r = rng(11);
    const keyOf = Array.from({ length: BATCH * BATCHES }, (_, i) => (i % 37 === 0 ? null : Math.floor(r() * 1000)));
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    const described = await s.client.describeCollection('c');
    assert.is(described.schema.fields.find((f) => f.name === 'k')?.isClusteringKey, true, 'describe shows the clustering key');
    for (let b = 0; b < BATCHES; b++) {
      await s.client.insert('c', Array.from({ length: BATCH }, (_, j) => { const i = b * BATCH + j; return { id: i, k: keyOf[i], name: `n${i}`, vec: vecs[i]! }; }));
      await s.client.flush('c');
    }
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const segments = () => coord('segments', { collectionId: described.collectionId });
    await untilIndexedAndLoaded(s, 'c', BATCH * BATCHES);
    const parts = await segments();
    assert.is(parts.length, BATCHES);
    for (const p of parts) assert.ok(p.keyRange && (p.keyRange.max as number) - (p.keyRange.min as number) > 800, 'a flushed segment records its key range (here spread wide)');
    const deleted = [0, 7, 150, 299, 300, 599];
    await s.client.delete('c', { ids: deleted });
    const before = await answers(s, vecs);

    const live = BATCH * BATCHES - deleted.length;
    // Reads while the segments switch: each sees the parts or the outputs, never both nor neither.
    const counts: number[] = [];
    let done = false;
    const reader = (async () => {
      // A turn of the event loop between reads: the in-process bus may answer in microtasks alone.
      for (; !done; await new Promise((r) => setImmediate(r))) counts.push(Number((await s.client.query('c', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']));
    })();
    const { compactionID } = await s.client.compact({ collectionName: 'c', isClustering: true });
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'the clustering compaction completed', 120_000);
    done = true;
    await reader;
    assert.ok(counts.length > 0);
    assert.equal([...new Set(counts)], [live], 'every read during the switch counts every live row once');
    const after = (await segments()).sort((a, b) => (a.keyRange?.min as number ?? -1) - (b.keyRange?.min as number ?? -1));
    assert.is(after.reduce((n, x) => n + x.rows, 0), live, 'every live row once, the deleted ones left out');
    assert.ok(after.length >= Math.floor(live / TARGET) && after.length <= Math.ceil(live / TARGET) + 1, `about ${live / TARGET} segments, got ${after.length}`);
    assert.ok(after.every((x) => x.keyRange !== undefined && x.clusterGroup?.length === after.length && x.mergedFrom?.length === BATCHES), 'one group, replacing the four parts');
    for (let i = 1; i < after.length; i++) assert.ok((after[i - 1]!.keyRange!.max as number) < (after[i]!.keyRange!.min as number), `ranges disjoint and ordered: ${JSON.stringify(after.map((x) => x.keyRange))}`);
    const d = await coord('distribution', { vchannel: after[0]!.vchannel });
    assert.equal(d.segments.map((x) => x.segmentId).sort(), after.map((x) => x.segmentId).sort(), 'the outputs are served, the parts not');
    assert.ok(d.segments.every((x) => x.keyRange !== undefined), `ranges in the distribution: ${JSON.stringify(d.segments)}`);
    // Contiguous: each segment holds exactly the live rows whose key lies in its range.
    for (const seg of after) {
      const { min, max } = seg.keyRange! as { min: number; max: number };
      const inRange = keyOf.filter((k, i) => k !== null && k >= min && k <= max && !deleted.includes(i)).length;
      const rows = await s.client.query('c', { filter: `k >= ${min} and k <= ${max}`, outputFields: ['count(*)'], consistencyLevel: 'Strong' });
      assert.is(Number(rows[0]!['count(*)']), inRange);
    }

    assert.equal(await answers(s, vecs), before, 'every query and search answers as before the compaction');
    assert.equal((await s.client.get('c', deleted)).length, 0, 'deleted rows stay deleted');

    const one = after[Math.floor(after.length / 2)]!;
    const { min, max } = one.keyRange! as { min: number; max: number };
    const visited = sealedCounter(s, 'visited'), pruned = sealedCounter(s, 'pruned');
    const hits = await s.client.search('c', { data: [vecs[1]!], filter: `k >= ${min} and k <= ${max}`, limit: 5, consistencyLevel: 'Strong', outputFields: ['k'] });
    assert.ok(hits[0]!.length > 0 && hits[0]!.every((h) => (h.fields.k as number) >= min && (h.fields.k as number) <= max));
    assert.is(sealedCounter(s, 'visited') - visited, 1, 'a search of one range asks for one segment');
    assert.is(sealedCounter(s, 'pruned') - pruned, after.length - 1, 'and skips the others');
    const v2 = sealedCounter(s, 'visited');
    await s.client.query('c', { filter: `k == ${min} or k == -5`, outputFields: ['id'], consistencyLevel: 'Strong' });
    assert.is(sealedCounter(s, 'visited') - v2, after.length, 'an OR is never pruned');

    // Nothing new since: a second clustering compaction rewrites nothing.
    const again = await s.client.compact({ collectionName: 'c', isClustering: true });
    await until(async () => (await s.client.getCompactionState(again.compactionID)).state === 'Completed', 'the second compaction completed', 60_000);
    assert.equal((await segments()).map((x) => x.segmentId).sort(), after.map((x) => x.segmentId).sort());

    // Released and loaded again: the outputs are served one by one (their parts are long gone).
    await s.client.releaseCollection('c');
    await s.client.loadCollection('c');
    await until(async () => (await s.client.getLoadState('c')).loadProgress === 100, 'loaded again', 60_000);
    assert.equal(await answers(s, vecs), before, 'the same answers after a release and a load');

    await s.client.createCollection({ collectionName: 'plain', schema: { fields: schema.fields.map(({ isClusteringKey: _, ...f }) => f) }, metricType: 'L2', shardsNum: 1 });
    const e = await s.client.compact({ collectionName: 'plain', isClustering: true }).then(() => null, (x: unknown) => x as { code?: string; message: string });
    assert.is(e?.code, 'InvalidArgument');
    assert.match(e!.message, /no clustering key/);
  } finally { await s.cleanup(); }
});

test.run();
