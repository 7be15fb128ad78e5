import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexesServed, vectors } from './harness.js';

/**
 * A 90%-null vector field as a query node loads it (shared/vector/compactColumn.ts):
 * the loaded segment holds the non-null rows' floats and a row map, not
 * every row's floats; searches over it (indexed and unfiltered, filtered,
 * and over growing rows) give the exact answers over the rows having a
 * vector, and a query reads null where the field is.
 */
const DENSE = 2, OPT = 64, N = 400, GROWING = 50;
const dense = vectors(N + GROWING, DENSE, 31), opt = vectors(N + GROWING, OPT, 32);
const hasOpt = (id: number) => id % 10 === 0;
const row = (id: number) => ({ id, tag: id % 4, dense: dense[id]!, ...(hasOpt(id) ? { opt: opt[id]! } : {}) });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'Int64' as const },
    { name: 'dense', dataType: 'FloatVector' as const, dim: DENSE },
    { name: 'opt', dataType: 'FloatVector' as const, dim: OPT, nullable: true },
  ],
};
// One list: IVF_FLAT is then exact, and its answers must equal brute force.
const indexParams = [
  { indexName: 'dense_idx', fieldName: 'dense', indexType: 'IVF_FLAT', params: { nlist: 1 } },
  { indexName: 'opt_idx', fieldName: 'opt', indexType: 'IVF_FLAT', params: { nlist: 1 } },
];
const strong = { consistencyLevel: 'Strong' as const };

/** Exact L2 top-k of `q` over the ids below `upTo` that have `opt` and pass `keep`. */
function exact(q: number[], k: number, upTo: number, keep: (id: number) => boolean = () => true): number[] {
  const dist = distanceFn('L2'), qv = new Float32Array(q);
  return opt.slice(0, upTo).map((v, id) => ({ id, d: dist(new Float32Array(v), 0, qv, OPT) })).filter((h) => hasOpt(h.id) && keep(h.id))
    .sort((a, b) => a.d - b.d || a.id - b.id).slice(0, k).map((h) => h.id);
}

test('a 90%-null vector field: loaded compact (its non-null rows\' floats and a row map), searched exactly, queried as null', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await s.client.createCollection({ collectionName: 'cn', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
    await s.client.insert('cn', Array.from({ length: N }, (_, id) => row(id)));
    await s.client.flush('cn');
    await until(async () => (await s.client.describeIndex('cn')).every((d) => d.indexState === 'Finished') && (await s.client.getLoadState('cn')).loadProgress === 100, 'indexed and loaded', 60_000);
    await untilIndexesServed(s, 'cn');
    const st = await busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
    assert.ok(st.files.length > 0, 'sealed segments loaded');
    const held = st.files.reduce((n, f) => n + (f.bytes ?? 0), 0);
    const nonNull = Array.from({ length: N }, (_, id) => id).filter(hasOpt).length;
    // Per row: pk and TSO (16), tag (a number, 8), the dense block (2 floats), the row map (4); per non-null row its 64 floats and its slot's row.
    assert.is(held, N * (16 + 8 + DENSE * 4 + 4) + nonNull * (OPT * 4 + 4), 'the opt column holds only its non-null rows');
    assert.ok(held < N * OPT * 4 / 2, 'well under the zero-filled column alone');

    const q = opt[7]!;
    const [hits] = await s.client.search('cn', { annsField: 'opt', data: [q], limit: 10, ...strong });
    assert.equal(hits!.map((h) => h.id), exact(q, 10, N), 'indexed, unfiltered: the exact non-null rows');
    const [filtered] = await s.client.search('cn', { annsField: 'opt', data: [q], limit: 5, filter: 'tag == 0', ...strong });
    assert.equal(filtered!.map((h) => h.id), exact(q, 5, N, (id) => id % 4 === 0), 'filtered');

    await s.client.insert('cn', Array.from({ length: GROWING }, (_, i) => row(N + i)));
    const [withGrowing] = await s.client.search('cn', { annsField: 'opt', data: [opt[N + 10]!], limit: 10, ...strong });
    assert.equal(withGrowing!.map((h) => h.id), exact(opt[N + 10]!, 10, N + GROWING), 'sealed and growing rows');
    // The query is row 420's own vector, which the filter refuses (tag 0): it must not come first.
    const [growingFiltered] = await s.client.search('cn', { annsField: 'opt', data: [opt[N + 20]!], limit: 5, filter: 'tag == 2', ...strong });
    assert.equal(growingFiltered!.map((h) => h.id), exact(opt[N + 20]!, 5, N + GROWING, (id) => id % 4 === 2), 'sealed and growing rows, filtered');

    const got = await s.client.query('cn', { filter: 'id in [1, 10, 405, 410]', outputFields: ['opt'], ...strong });
    const byId = new Map(got.map((r) => [r.id as number, r.opt as number[] | null]));
    assert.is(byId.get(1), null);
    assert.is(byId.get(405), null, 'growing null');
    assert.equal(Array.from(byId.get(10)!).map((x) => Math.fround(x)), opt[10]!.map((x) => Math.fround(x)));
    assert.equal(Array.from(byId.get(410)!).map((x) => Math.fround(x)), opt[410]!.map((x) => Math.fround(x)));
  } finally {
    await s.cleanup();
  }
});

test.run();
