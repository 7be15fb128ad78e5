import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import type { MetricType } from '../../messages/schema.js';
import type { Hit } from '../../runtime/client/api.js';
import { fuse } from '../../runtime/client/hybridRank.js';
import { rng, tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Float16Vector, BFloat16Vector, BinaryVector and Int8Vector fields beside a
 * FloatVector, black-box through the client: rows inserted over two shards,
 * flushed and indexed, more left growing; a search of each field ranks by
 * its own metric over the values as stored (halves rounded), the same as a
 * brute-force reference for exact indexes (ties may come in any order);
 * output fields read back what is stored; deletes hide rows; a compaction
 * rewrites the files without them (indexes built again); all of it again
 * after a restart that replays the log and reloads the files.
 */
const N = 300, GROWING = 40, BASE = 4;
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } }, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } };
const f16 = (x: number) => fromFloat16Bits(toFloat16Bits(x));
const bf16 = (x: number) => fromBFloat16Bits(toBFloat16Bits(x));

/** Naive distances in double precision: the reference. */
const REF: Record<string, (a: number[], b: number[]) => number> = {
  L2: (a, b) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0),
  IP: (a, b) => a.reduce((s, x, i) => s + x * b[i]!, 0),
  COSINE: (a, b) => REF.IP!(a, b) / Math.sqrt(REF.IP!(a, a) * REF.IP!(b, b)),
};
const popcount = (x: number) => { let n = 0; for (; x; x >>= 1) n += x & 1; return n; };
const BIN_REF: Record<string, (a: number[], b: number[]) => number> = {
  HAMMING: (a, b) => a.reduce((s, x, i) => s + popcount(x ^ b[i]!), 0),
  JACCARD: (a, b) => {
    const both = a.reduce((s, x, i) => s + popcount(x & b[i]!), 0), either = a.reduce((s, x, i) => s + popcount(x | b[i]!), 0);
    return either === 0 ? 0 : 1 - both / either;
  },
};

/** Hits are the reference's top k: the same distances in order, each one its row's (ties in any order). */
function sameAsReference(hits: Hit[], k: number, ids: number[], dist: (id: number) => number, higherBetter: boolean, what: string, tol = 1e-3): void {
  const want = ids.map((id) => dist(id)).sort((a, b) => (higherBetter ? b - a : a - b)).slice(0, k);
  assert.is(hits.length, want.length, `${what}: hit count`);
  hits.forEach((h, i) => {
    assert.ok(ids.includes(h.id as number), `${what}: hit ${String(h.id)} is a row that may be found`);
    assert.ok(Math.abs(h.distance - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}: distance ${i} is ${h.distance}, the reference's ${want[i]}`);
    assert.ok(Math.abs(h.distance - dist(h.id as number)) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}: hit ${String(h.id)} has its own distance`);
  });
}

async function lifecycle(name: string, schemaFields: unknown[], indexParams: unknown[], row: (i: number) => Record<string, unknown>, check: (s: Awaited<ReturnType<typeof tempStandalone>>, live: number[], when: string) => Promise<void>, metricType: MetricType = 'L2'): Promise<void> {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: name, schema: { fields: schemaFields } as never, metricType, shardsNum: 2, indexParams: indexParams as never, load: true });
    for (let i = 0; i < N; i += 100) await s.client.insert(name, Array.from({ length: 100 }, (_, j) => row(i + j)));
    await s.client.flush(name);
    await untilIndexedAndLoaded(s, name, N);
    await s.client.insert(name, Array.from({ length: GROWING }, (_, j) => row(N + j)));
    let live = Array.from({ length: N + GROWING }, (_, i) => i);
    await check(s, live, 'sealed and growing');
    // Deletes of sealed and growing rows hide them from searches and queries.
    await s.client.delete(name, { filter: 'id % 7 == 0' });
    live = live.filter((id) => id % 7 !== 0);
    await check(s, live, 'after deletes');
    const { compactionID } = await s.client.compact(name);
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'compacted', 60_000);
    const sealed = live.filter((id) => id < N).length;
    await untilIndexedAndLoaded(s, name, sealed);
    await check(s, live, 'after a compaction');
    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilIndexedAndLoaded(s, name, sealed);
    await check(s, live, 'after a restart');
  } finally { await s.cleanup(); }
}

test('Float16Vector and BFloat16Vector: stored rounded, searched by FLAT and exact IVF, read back as numbers, hybrid with a FloatVector', async () => {
  const DIM = 8, base = vectors(N + GROWING, BASE, 1), h = vectors(N + GROWING, DIM, 2).map((v) => v.map((x) => x * 3)), b = vectors(N + GROWING, DIM, 3);
  const row = (i: number) => ({ id: i, tag: i % 3, vec: base[i]!, h: h[i]!, b: i % 2 ? b[i]! : new Float32Array(b[i]!) });
  const fields = [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'tag', dataType: 'Int64' }, { name: 'vec', dataType: 'FloatVector', dim: BASE },
    { name: 'h', dataType: 'Float16Vector', dim: DIM }, { name: 'b', dataType: 'BFloat16Vector', dim: DIM },
  ];
  const indexParams = [
    { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: {} },
    { indexName: 'h_idx', fieldName: 'h', indexType: 'FLAT', metricType: 'L2', params: {} },
    { indexName: 'b_idx', fieldName: 'b', indexType: 'IVF_FLAT', metricType: 'COSINE', params: { nlist: 4 } },
  ];
  const hq = h[5]!.map((x) => x + 0.013), bq = b[9]!.map((x) => x - 0.02);
  await lifecycle('halves', fields, indexParams, row, async (s, live, when) => {
    const keep = live.filter((id) => id % 3 !== 1);
    const [hHits] = await s.client.search('halves', { annsField: 'h', data: [hq], limit: 10, filter: 'tag != 1', outputFields: ['h', 'b', 'tag'], consistencyLevel: 'Strong' });
    // The query is rounded to float16 as the rows are (Milvus searches a float16 field with float16 queries).
    sameAsReference(hHits!, 10, keep, (id) => REF.L2!(h[id]!.map(f16), hq.map(f16)), false, `float16 L2 ${when}`);
    for (const x of hHits!) {
      assert.equal(x.fields.h, h[x.id as number]!.map(f16), 'float16 values read back rounded, as stored');
      assert.equal(x.fields.b, b[x.id as number]!.map(bf16), 'bfloat16 values read back rounded, as stored');
      assert.is(x.fields.tag, (x.id as number) % 3);
    }
    const [bHits] = await s.client.search('halves', { annsField: 'b', data: [bq], limit: 10, searchParams: { params: { nprobe: 4 } }, consistencyLevel: 'Strong' });
    sameAsReference(bHits!, 10, live, (id) => REF.COSINE!(b[id]!.map(bf16), bq.map(bf16)), true, `bfloat16 COSINE ${when}`);
    // A search iterator over the float16 field walks every live row once, nearest first.
    const seen: Array<{ id: number; distance: number }> = [];
    for await (const batch of await s.client.searchIterator('halves', { annsField: 'h', vector: hq, batchSize: 64, consistencyLevel: 'Strong' })) seen.push(...batch.map((x) => ({ id: x.id as number, distance: x.distance })));
    assert.equal(seen.map((x) => x.id).sort((p, q) => p - q), live, `iterator ${when}: every live row once`);
    assert.ok(seen.every((x, i) => i === 0 || x.distance >= seen[i - 1]!.distance - 1e-4), `iterator ${when}: nearest first`);
    const got = await s.client.get('halves', [11, 12], { outputFields: ['h'], consistencyLevel: 'Strong' });
    assert.equal(got.map((r) => r.h), [11, 12].filter((id) => live.includes(id)).map((id) => h[id]!.map(f16)), 'get reads the float16 column');
    // Hybrid search over the FloatVector and the float16 field, fused from the two searches at one TSO.
    const subs = [{ annsField: 'vec', data: [base[3]!], limit: 20, searchParams: { params: { ef: 200 } } }, { annsField: 'h', data: [hq], limit: 20 }];
    const parts = await Promise.all(subs.map((x) => s.client.search('halves', { ...x, consistencyLevel: 'Strong' })));
    const [hybrid] = await s.client.hybridSearch('halves', { searches: subs, rerank: { strategy: 'rrf', k: 60 }, limit: 8, consistencyLevel: 'Strong' });
    const metrics: MetricType[] = ['L2', 'L2'];
    assert.equal(hybrid!.map((x) => x.id), fuse(parts.map((p, i) => ({ metric: metrics[i]!, hits: p[0]!.map((x) => ({ pk: x.id, distance: x.distance })) })), { strategy: 'rrf', k: 60 }, 8).map((x) => x.pk), `hybrid ${when}`);
  });
});

test('BinaryVector: bytes in, HAMMING by BIN_FLAT and JACCARD by exact BIN_IVF_FLAT, bytes out', async () => {
  const DIM = 64, r = rng(4);
  const bits = (n: number) => Array.from({ length: n }, () => Array.from({ length: DIM / 8 }, () => Math.floor(r() * 256) & Math.floor(r() * 256)));
  const base = vectors(N + GROWING, BASE, 1), x = bits(N + GROWING), y = bits(N + GROWING);
  const row = (i: number) => ({ id: i, tag: i % 3, vec: base[i]!, x: i % 2 ? x[i]! : Uint8Array.from(x[i]!), y: y[i]! });
  const fields = [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'tag', dataType: 'Int64' }, { name: 'vec', dataType: 'FloatVector', dim: BASE },
    { name: 'x', dataType: 'BinaryVector', dim: DIM }, { name: 'y', dataType: 'BinaryVector', dim: DIM },
  ];
  const indexParams = [
    { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: {} },
    { indexName: 'x_idx', fieldName: 'x', indexType: 'BIN_FLAT', metricType: 'HAMMING', params: {} },
    { indexName: 'y_idx', fieldName: 'y', indexType: 'BIN_IVF_FLAT', metricType: 'JACCARD', params: { nlist: 4 } },
  ];
  const xq = x[5]!.map((v, i) => (i === 0 ? v ^ 1 : v)), yq = y[8]!;
  await lifecycle('bins', fields, indexParams, row, async (s, live, when) => {
    const keep = live.filter((id) => id % 3 !== 1);
    const [xHits] = await s.client.search('bins', { annsField: 'x', data: [xq], limit: 10, filter: 'tag != 1', outputFields: ['x'], consistencyLevel: 'Strong' });
    sameAsReference(xHits!, 10, keep, (id) => BIN_REF.HAMMING!(x[id]!, xq), false, `HAMMING ${when}`, 0);
    for (const h of xHits!) assert.equal(h.fields.x, x[h.id as number], 'binary vectors read back as their bytes');
    // A range search: HAMMING is a distance, so hits lie in [range_filter, radius).
    const [ranged] = await s.client.search('bins', { annsField: 'x', data: [xq], limit: 50, searchParams: { params: { radius: 24, range_filter: 18 } }, consistencyLevel: 'Strong' });
    const inRange = live.filter((id) => { const d = BIN_REF.HAMMING!(x[id]!, xq); return d >= 18 && d < 24; });
    assert.ok(inRange.length > 0, 'the range holds rows');
    sameAsReference(ranged!, Math.min(50, inRange.length), inRange, (id) => BIN_REF.HAMMING!(x[id]!, xq), false, `HAMMING range ${when}`, 0);
    const [yHits] = await s.client.search('bins', { annsField: 'y', data: [Uint8Array.from(yq)], limit: 10, searchParams: { params: { nprobe: 4 } }, consistencyLevel: 'Strong' });
    sameAsReference(yHits!, 10, live, (id) => BIN_REF.JACCARD!(y[id]!, yq), false, `JACCARD ${when}`, 1e-6);
  });
});

test('Int8Vector: integers in, searched by HNSW, integers out', async () => {
  const DIM = 8, r = rng(6);
  const base = vectors(N + GROWING, BASE, 1), v = Array.from({ length: N + GROWING }, () => Array.from({ length: DIM }, () => Math.floor(r() * 256) - 128));
  const row = (i: number) => ({ id: i, vec: base[i]!, v: v[i]! });
  const fields = [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: BASE }, { name: 'v', dataType: 'Int8Vector', dim: DIM }];
  const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: {} }, { indexName: 'v_idx', fieldName: 'v', indexType: 'HNSW', metricType: 'IP', params: {} }];
  const q = v[17]!;
  await lifecycle('int8s', fields, indexParams, row, async (s, live, when) => {
    const [hits] = await s.client.search('int8s', { annsField: 'v', data: [q], limit: 10, outputFields: ['v'], searchParams: { params: { ef: 400 } }, consistencyLevel: 'Strong' });
    const want = live.map((id) => ({ id, d: REF.IP!(v[id]!, q) })).sort((a, b) => b.d - a.d).slice(0, 10);
    assert.ok(hits!.filter((h) => want.some((w) => w.id === h.id)).length >= 9, `int8 IP recall ${when}`);
    for (const h of hits!) {
      assert.is(h.distance, REF.IP!(v[h.id as number]!, q), 'an int8 IP distance is exact');
      assert.equal(h.fields.v, v[h.id as number], 'int8 vectors read back as integers');
    }
  });
});

test('a collection of one BinaryVector and no FloatVector: its metric is HAMMING, searched without naming the field', async () => {
  const DIM = 32, r = rng(9);
  const x = Array.from({ length: N + GROWING }, () => Array.from({ length: DIM / 8 }, () => Math.floor(r() * 256)));
  const fields = [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'tag', dataType: 'Int64' }, { name: 'x', dataType: 'BinaryVector', dim: DIM }];
  const q = x[3]!;
  await lifecycle('binonly', fields, [{ indexName: 'x_idx', fieldName: 'x', indexType: 'BIN_IVF_FLAT', params: { nlist: 4 } }], (i) => ({ id: i, tag: i % 3, x: x[i]! }), async (s, live, when) => {
    const d = await s.client.describeIndex('binonly');
    assert.equal(d.map((i) => [i.indexType, i.metricType]), [['BIN_IVF_FLAT', 'HAMMING']]);
    const [hits] = await s.client.search('binonly', { data: [q], limit: 10, filter: 'tag != 2', outputFields: ['x', 'tag'], searchParams: { params: { nprobe: 4 } }, consistencyLevel: 'Strong' });
    sameAsReference(hits!, 10, live.filter((id) => id % 3 !== 2), (id) => BIN_REF.HAMMING!(x[id]!, q), false, `binary-only ${when}`, 0);
    for (const h of hits!) assert.equal(h.fields, { id: h.id, x: x[h.id as number], tag: (h.id as number) % 3 });
    const rows = await s.client.query('binonly', { filter: 'id < 5', outputFields: ['x'], consistencyLevel: 'Strong' });
    assert.equal(rows.sort((a, b) => (a.id as number) - (b.id as number)).map((row) => row.x), live.filter((id) => id < 5).map((id) => x[id]));
  }, 'HAMMING');
});

test('packed fields refuse bad rows, queries and indexes with typed errors', async () => {
  const s = await tempStandalone();
  try {
    const fields = [
      { name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 2 },
      { name: 'h', dataType: 'Float16Vector' as const, dim: 2 }, { name: 'x', dataType: 'BinaryVector' as const, dim: 16 },
    ];
    await refused(s.client.createCollection({ collectionName: 'bad', schema: { fields: [fields[0]!, fields[1]!, { name: 'x', dataType: 'BinaryVector', dim: 12 }] }, metricType: 'L2' }), /multiple of 8/);
    await refused(s.client.createCollection({ collectionName: 'bad', schema: { fields: [fields[0]!, fields[1]!, { name: 'h', dataType: 'Float16Vector' }] }, metricType: 'L2' }), /needs an integer dim/);
    await refused(s.client.createCollection({ collectionName: 'bad', schema: { fields }, metricType: 'HAMMING' }), /unknown metric type 'HAMMING'/);
    await refused(s.client.createCollection({ collectionName: 'bad', schema: { fields: [fields[0]!, { name: 'n', dataType: 'Int32' }] }, metricType: 'L2' }), /needs 1 to 4 FloatVector fields, has 0 \(or a Float16Vector/);
    await s.client.createCollection({ collectionName: 'p', schema: { fields }, metricType: 'L2' });
    const ok = { id: 1, vec: [0, 1], h: [0.5, 1], x: [1, 2] };
    await refused(s.client.insert('p', [{ ...ok, h: [1, NaN] }]), /row 0: Float16Vector field 'h' holds a non-finite/);
    await refused(s.client.insert('p', [{ ...ok, h: [1, 1e5] }]), /out of the float16 range/);
    await refused(s.client.insert('p', [{ ...ok, x: [1, 2, 3] }]), /BinaryVector of dim 16 is 2 bytes/);
    await refused(s.client.insert('p', [{ id: 1, vec: [0, 1], h: [0.5, 1] }]), /'x' is missing/);
    await refused(s.client.createIndex('p', { indexName: 'x_idx', fieldName: 'x', indexType: 'HNSW', params: {} }), /index type HNSW cannot index BinaryVector field 'x'/);
    await refused(s.client.createIndex('p', { indexName: 'x_idx', fieldName: 'x', indexType: 'BIN_FLAT', metricType: 'L2', params: {} }), /metric L2 is not for BinaryVector field 'x'/);
    await refused(s.client.createIndex('p', { indexName: 'h_idx', fieldName: 'h', indexType: 'BIN_IVF_FLAT', params: {} }), /index type BIN_IVF_FLAT cannot index Float16Vector field 'h'/);
    await refused(s.client.createIndex('p', { indexName: 'h_idx', fieldName: 'h', indexType: 'HNSW', metricType: 'HAMMING', params: {} }), /metric HAMMING is not for Float16Vector field 'h'/);
    await s.client.insert('p', [ok]);
    await s.client.createIndex('p', { indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} });
    await s.client.loadCollection('p');
    await refused(s.client.search('p', { annsField: 'x', data: [[1, 2, 3]], limit: 1 }), /query vector 0 of BinaryVector field 'x' holds 3 bytes/);
    await refused(s.client.search('p', { annsField: 'h', data: [[1, 70000]], limit: 1 }), /out of the float16 range/);
    const [hits] = await s.client.search('p', { annsField: 'x', data: [[1, 3]], limit: 1, consistencyLevel: 'Strong' });
    assert.equal(hits!.map((h) => [h.id, h.distance]), [[1, 1]], 'an unindexed binary field is searched with HAMMING');
  } finally { await s.cleanup(); }
});

test.run();
