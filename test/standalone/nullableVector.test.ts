import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import type { MetricType } from '../../messages/schema.js';
import { fuse } from '../../runtime/client/hybridRank.js';
import type { AnnSearch } from '../../runtime/client/api.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexesServed, vectors } from './harness.js';

/**
 * Nullable vector fields (Milvus 2.6's): `dense` is required, `opt` nullable
 * (omitted or null on a third of the rows). Rows sealed (HNSW on both) and
 * growing over two shards: a search of `opt` returns only rows that have it,
 * and the same rows and distances as brute force over those rows; query shows
 * null; hybrid search fuses a sub-search in which rows lacking `opt` simply do
 * not appear. A nullable field added to the live collection reads null on
 * every row, is back-filled by upserts, indexed and searched; all of it again
 * after a restart that replays the log and reloads the files.
 */
const DENSE = 8, OPT = 4, N = 240, GROWING = 60;
const dense = vectors(N + GROWING + 10, DENSE, 21), opt = vectors(N + GROWING + 10, OPT, 22), late = vectors(N + GROWING, OPT, 23);
/** Rows whose id is a multiple of 3 have no `opt`: null given (even ids) or left out (odd ids). */
const hasOpt = (id: number) => id % 3 !== 0;
const row = (id: number) => ({ id, tag: id % 5, dense: dense[id]!, ...(hasOpt(id) ? { opt: opt[id]! } : id % 2 === 0 ? { opt: null } : {}) });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'Int64' as const },
    { name: 'dense', dataType: 'FloatVector' as const, dim: DENSE },
    { name: 'opt', dataType: 'FloatVector' as const, dim: OPT, nullable: true },
  ],
};
const indexParams = [
  { indexName: 'dense_idx', fieldName: 'dense', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } },
  { indexName: 'opt_idx', fieldName: 'opt', indexType: 'HNSW', metricType: 'L2' as MetricType, params: { M: 16, efConstruction: 200 } },
];
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const strong = { consistencyLevel: 'Strong' as const };

/** Exact top-k by `metric` (L2 when not given) over the ids `keep` passes, vectors from `all`. */
function exact(all: number[][], dim: number, q: number[], k: number, keep: (id: number) => boolean, metric: MetricType = 'L2') {
  const dist = distanceFn(metric), qv = new Float32Array(q);
  return all.map((v, id) => ({ id, distance: dist(new Float32Array(v), 0, qv, dim) })).filter((h) => keep(h.id))
    .sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance) || a.id - b.id).slice(0, k);
}

async function untilAllIndexed(s: Awaited<ReturnType<typeof tempStandalone>>, name: string): Promise<void> {
  await until(async () => (await s.client.describeIndex(name)).every((d) => d.indexState === 'Finished') && (await s.client.getLoadState(name)).loadProgress === 100, `${name} indexed and loaded`, 60_000);
  await untilIndexesServed(s, name);
}

test('a nullable vector field: searches skip null rows (sealed with HNSW, growing), query shows null, hybrid search, an added field back-filled; after a restart too', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'nv', schema, metricType: 'COSINE', shardsNum: 2, indexParams, load: true });
    for (let i = 0; i < N; i += 120) await s.client.insert('nv', Array.from({ length: 120 }, (_, j) => row(i + j)));
    await s.client.flush('nv');
    await untilAllIndexed(s, 'nv');
    await s.client.insert('nv', Array.from({ length: GROWING }, (_, j) => row(N + j)));
    const live = N + GROWING;
    const inColl = (id: number) => id < live;

    const q = opt[5]!.map((x) => x + 0.03);
    const checkOpt = async (when: string) => {
      // Every hit has `opt`, and the ranking is brute force over the rows that have it.
      const [hits] = await s.client.search('nv', { annsField: 'opt', data: [q], limit: 15, outputFields: ['opt'], searchParams: { params: { ef: 400 } }, ...strong });
      const want = exact(opt, OPT, q, 15, (id) => inColl(id) && hasOpt(id));
      assert.equal(hits!.map((h) => h.id), want.map((h) => h.id), `opt search ${when}`);
      hits!.forEach((h, i) => {
        assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4);
        assert.equal(h.fields.opt, opt[h.id as number]!.map(Math.fround));
      });
      // Asked for more than there are: exactly the rows that have it, none without.
      const [all] = await s.client.search('nv', { annsField: 'opt', data: [q], limit: 1000, searchParams: { params: { ef: 1000 } }, ...strong });
      assert.equal(all!.map((h) => h.id as number).sort((a, b) => a - b), Array.from({ length: live }, (_, i) => i).filter(hasOpt), `opt search of every row ${when}`);
      // A filtered search scans a segment's few passing rows: null rows still left out.
      const [few] = await s.client.search('nv', { annsField: 'opt', data: [q], limit: 50, filter: 'id < 12 or id == 250 or id == 252', ...strong });
      assert.equal(few!.map((h) => h.id as number).sort((a, b) => a - b), [1, 2, 4, 5, 7, 8, 10, 11, 250], `filtered opt search ${when}`);
      // query and get: null where a row has none.
      const got = await s.client.get('nv', [0, 1, 3, 4, N, N + 1], { outputFields: ['opt', 'dense'], ...strong });
      const byId = new Map(got.map((r) => [r.id as number, r]));
      for (const id of [0, 3, N]) { assert.is(byId.get(id)!.opt, null, `row ${id} reads null ${when}`); assert.equal(byId.get(id)!.dense, dense[id]!.map(Math.fround)); }
      for (const id of [1, 4, N + 1]) assert.equal(byId.get(id)!.opt, opt[id]!.map(Math.fround), `row ${id} reads its vector ${when}`);
      // Hybrid: a row lacking `opt` can only come from the dense sub-search.
      const subs: AnnSearch[] = [
        { annsField: 'dense', data: [dense[3]!], limit: 20, searchParams: { params: { ef: 400 } } },
        { annsField: 'opt', data: [q], limit: 20, searchParams: { params: { ef: 400 } } },
      ];
      const parts = await Promise.all(subs.map((x) => s.client.search('nv', { ...x, ...strong })));
      assert.ok(parts[0]![0]!.some((h) => !hasOpt(h.id as number)), 'the dense search finds rows lacking opt');
      const rerank = { strategy: 'rrf' as const, k: 60 };
      const [hybrid] = await s.client.hybridSearch('nv', { searches: subs, rerank, limit: 10, ...strong });
      const expected = fuse(parts.map((p, i) => ({ metric: (['COSINE', 'L2'] as MetricType[])[i]!, hits: p[0]!.map((h) => ({ pk: h.id, distance: h.distance })) })), rerank, 10);
      assert.equal(hybrid!.map((h) => h.id), expected.map((h) => h.pk), `hybrid ${when}`);
      assert.ok(hybrid!.some((h) => !hasOpt(h.id as number)), `a hybrid hit lacking opt ${when}`);
    };
    await checkOpt('with growing rows');

    // Refusals, each a typed error that writes nothing.
    await refused(s.client.insert('nv', [{ id: 9000, tag: 0, dense: dense[0]!, opt: [1, 2] }]), /'opt' has dimension 2/);
    await refused(s.client.insert('nv', [{ id: 9000, tag: 0, dense: dense[0]!, opt: [1, 2, Number.NaN, 4] }]), /non-finite/);
    await refused(s.client.insert('nv', [{ id: 9000, tag: 0, opt: opt[0]! }]), /vector field 'dense' is missing/);
    await refused(s.client.query('nv', { filter: 'opt is null', ...strong }), /cannot test vector field 'opt'/);
    await refused(s.client.query('nv', { filter: 'opt is not null', ...strong }), /cannot test vector field 'opt'/);
    await refused(s.client.search('nv', { annsField: 'opt', ids: [3], limit: 3, ...strong }), /vector field 'opt' is null/);
    const [byKey] = await s.client.search('nv', { annsField: 'opt', ids: [4], limit: 1, ...strong });
    assert.is(byKey![0]!.id, 4, 'a primary-key search of a row having opt');
    await refused(s.client.createCollection({ collectionName: 'bad', metricType: 'COSINE', schema: { fields: [...schema.fields, { name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 4, nullable: true, structFields: [{ name: 'v', dataType: 'FloatVector', dim: 4 }] }] } as never }), /cannot be nullable/);
    assert.equal((await s.client.query('nv', { filter: 'id >= 9000', ...strong })).length, 0, 'refused rows wrote nothing');

    // A nullable vector field added to the live collection: null everywhere, back-filled by upserts.
    await s.client.addCollectionField('nv', { name: 'late', dataType: 'FloatVector', dim: OPT, nullable: true });
    const filled = (id: number) => id % 4 === 1 && id < 200;
    const lq = late[9]!.map((x) => x - 0.02);
    assert.equal((await s.client.search('nv', { annsField: 'late', data: [lq], limit: 5, ...strong }))[0], [], 'no row has the added field yet');
    await s.client.upsert('nv', Array.from({ length: 200 }, (_, id) => id).filter(filled).map((id) => ({ ...row(id), late: late[id]! })));
    // Without an index the field is searched by the collection's metric (COSINE), by its index's (L2) once it has one.
    const checkLate = async (when: string, metric: MetricType) => {
      const [hits] = await s.client.search('nv', { annsField: 'late', data: [lq], limit: 1000, outputFields: ['late'], searchParams: { params: { ef: 1000 } }, ...strong });
      const want = exact(late, OPT, lq, 1000, filled, metric);
      assert.equal(hits!.map((h) => h.id), want.map((h) => h.id), `late search ${when}`);
      hits!.forEach((h, i) => { assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4); assert.equal(h.fields.late, late[h.id as number]!.map(Math.fround)); });
      const got = await s.client.get('nv', [0, 1, 250], { outputFields: ['late'], ...strong });
      assert.equal(got.map((r) => [r.id, r.late]).sort((a, b) => Number(a[0]) - Number(b[0])), [[0, null], [1, late[1]!.map(Math.fround)], [250, null]], `late outputs ${when}`);
    };
    await checkLate('growing, unindexed', 'COSINE');
    await s.client.createIndex('nv', { indexName: 'late_idx', fieldName: 'late', indexType: 'HNSW', metricType: 'L2', params: { M: 16, efConstruction: 200 } });
    await s.client.flush('nv');
    await untilAllIndexed(s, 'nv');
    await checkLate('flushed and indexed', 'L2');
    await checkOpt('after the upserts and a flush');

    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilAllIndexed(s, 'nv');
    await checkOpt('after a restart');
    await checkLate('after a restart', 'L2');
  } finally { await s.cleanup(); }
});

test('a backup and its restore keep null vectors: the restored field searches the same rows', async () => {
  const s = await tempStandalone(segmentOpts);
  const c = s.client;
  try {
    const fields = [...schema.fields, { name: 'h', dataType: 'Float16Vector' as const, dim: 4, nullable: true }, { name: 'sp', dataType: 'SparseFloatVector' as const, nullable: true }];
    const bkIndexes = [...indexParams, { indexName: 'h_idx', fieldName: 'h', indexType: 'FLAT', metricType: 'L2' as MetricType, params: {} }, { indexName: 'sp_idx', fieldName: 'sp', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'IP' as MetricType, params: {} }];
    await c.createCollection({ collectionName: 'bk', schema: { fields }, metricType: 'COSINE', indexParams: bkIndexes, load: true });
    await until(async () => (await c.getLoadState('bk')).loadProgress === 100, 'loaded', 60_000);
    const rows = Array.from({ length: 90 }, (_, id) => ({ ...row(id), ...(id % 4 === 0 ? { h: opt[id]!, sp: { [id]: 1 } } : { h: null }) }));
    await c.insert('bk', rows.slice(0, 60));
    await c.flush('bk');
    await c.insert('bk', rows.slice(60));
    await untilAllIndexed(s, 'bk');
    await until(async () => (await c.describeCollection('bk')).loadState === 'LoadStateLoaded', 'loaded for the backup', 60_000);
    let b = await c.describeBackup((await c.createBackup('bk', 'bk1')).backupName);
    await until(async () => { b = await c.describeBackup('bk1'); return b.state === 'Completed' || b.state === 'Failed'; }, 'backup ends', 120_000);
    assert.is(b.state, 'Completed', b.reason);
    const { jobId } = await c.restoreBackup('bk1', 'bk2');
    await until(async () => ['Completed', 'Failed'].includes((await c.getRestoreProgress(jobId)).state), 'restore ends', 120_000);
    assert.is((await c.getRestoreProgress(jobId)).state, 'Completed');
    await until(async () => (await c.getLoadState('bk2')).loadProgress === 100, 'restored collection loaded', 60_000);
    const read = async (name: string) => (await c.query(name, { filter: 'id >= 0', outputFields: ['opt', 'h', 'sp'], ...strong }))
      .sort((x, y) => Number(x.id) - Number(y.id)).map((r) => JSON.stringify([r.id, r.opt, r.h, r.sp]));
    const before = await read('bk');
    assert.ok(before.some((r) => r.includes('null')), 'the original holds nulls');
    assert.equal(await read('bk2'), before, 'nulls and vectors alike after the restore');
    for (const [field, data] of [['opt', opt[2]!], ['h', opt[4]!], ['sp', { 8: 1, 12: 1 }]] as const) {
      const ids = async (name: string) => (await c.search(name, { annsField: field, data: [data as number[]], limit: 100, ...strong }))[0]!.map((h) => h.id as number).sort((x, y) => x - y);
      const got = await ids('bk2');
      assert.equal(got, await ids('bk'), `${field}: the restored collection searches the same rows`);
      assert.ok(got.length > 0 && got.every((id) => (field === 'opt' ? hasOpt(id) : id % 4 === 0)), `${field}: only rows having it`);
    }
  } finally { await s.cleanup(); }
});

test.run();
