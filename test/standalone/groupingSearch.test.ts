import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { GroupCollector } from '../../actors/shared/vector/groupBy.js';
import { ValidationError } from '../../messages/errors.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Grouping search through the whole read path: two shards, each with a
 * flushed HNSW-indexed segment on the query node and growing rows in the
 * delegator; groups must come out as an exact grouping of every row would
 * give them.
 */
const DIM = 8;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'doc', dataType: 'Int64' as const },
    { name: 'lang', dataType: 'VarChar' as const, maxLength: 8 },
    { name: 'score', dataType: 'Float' as const },
  ],
};
type Row = { id: number; vec: number[]; doc: number; lang: string; score: number };
const rowsOf = (from: number, n: number, seed: number): Row[] =>
  vectors(n, DIM, seed).map((vec, i) => ({ id: from + i, vec, doc: (from + i) % 23, lang: ['en', 'de', 'fr'][(from + i) % 3]!, score: i }));

const l2 = distanceFn('L2');
/** The exact grouping of every row: ids group by group. */
function exact(rows: Row[], q: number[], field: 'doc' | 'lang', limit: number, size: number, skip = 0): number[] {
  const qv = new Float32Array(q);
  const ranked = rows.map((r) => ({ r, d: l2(new Float32Array(r.vec), 0, qv, DIM) })).sort((a, b) => a.d - b.d || a.r.id - b.r.id);
  const c = new GroupCollector<number>(limit, size, skip);
  for (const { r } of ranked) c.offer(r.id, r[field]);
  return c.hits();
}

test('grouping search over sealed and growing rows on two shards gives the exact groups; offset skips groups', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await s.client.createCollection({ collectionName: 'docs', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }], load: true });
    const sealed = rowsOf(0, 400, 21);
    await s.client.insert('docs', sealed);
    await s.client.flush('docs');
    await untilIndexedAndLoaded(s, 'docs', 400);
    assert.is((await s.client.describeIndex('docs'))[0]!.indexedRows, 400);
    const growing = rowsOf(400, 150, 22);
    await s.client.insert('docs', growing);
    const all = [...sealed, ...growing];

    for (const q of vectors(5, DIM, 23)) {
      const ask = { data: [q], consistencyLevel: 'Strong' as const, searchParams: { params: { ef: 400 } }, outputFields: ['doc', 'lang'] };
      const [byDoc] = await s.client.search('docs', { ...ask, limit: 5, groupingField: 'doc', groupSize: 3, strictGroupSize: true });
      assert.equal(byDoc!.map((h) => h.id), exact(all, q, 'doc', 5, 3));
      for (const h of byDoc!) assert.is(h.fields.doc, all[h.id as number]!.doc);
      const [paged] = await s.client.search('docs', { ...ask, limit: 2, offset: 3, groupingField: 'doc', groupSize: 3, strictGroupSize: true });
      assert.equal(paged!.map((h) => h.id), exact(all, q, 'doc', 2, 3, 3), 'offset counts groups');
      const [byLang] = await s.client.search('docs', { ...ask, limit: 10, groupingField: 'lang' });
      assert.equal(byLang!.map((h) => h.fields.lang).sort(), ['de', 'en', 'fr'], 'only three languages: three groups of one');
      assert.equal(byLang!.map((h) => h.id), exact(all, q, 'lang', 10, 1));
    }
    // A hybrid search groups its fused hits (Milvus's hybrid group_by_field): each search a grouping search, RRF over them, then groups.
    const [q1, q2] = vectors(2, DIM, 24);
    const grouped = { groupingField: 'doc', groupSize: 2 };
    const lists = await Promise.all([q1!, q2!].map(async (q) => (await s.client.search('docs', { data: [q], limit: 4, ...grouped, outputFields: ['doc'], consistencyLevel: 'Strong', searchParams: { params: { ef: 400 } } }))[0]!));
    const score = new Map<number, number>();
    for (const l of lists) l.forEach((h, rank) => score.set(h.id as number, (score.get(h.id as number) ?? 0) + 1 / (60 + rank + 1)));
    // Groups in the order of their best fused hit, each listed whole (at most 2), one after another.
    const groups = new Map<number, number[]>();
    for (const [id] of [...score].sort((x, y) => y[1] - x[1])) {
      const g = all[id]!.doc, members = groups.get(g);
      if (members ? members.length < 2 : groups.size < 3) groups.set(g, [...(members ?? []), id]);
    }
    const want = [...groups.values()].flat();
    const [hybrid] = await s.client.hybridSearch('docs', { searches: [{ data: [q1!], limit: 4, searchParams: { params: { ef: 400 } } }, { data: [q2!], limit: 4, searchParams: { params: { ef: 400 } } }], limit: 3, ...grouped, consistencyLevel: 'Strong' });
    assert.equal(hybrid!.map((h) => h.id), want, 'RRF over the grouped lists, regrouped: 3 groups of at most 2');
    assert.equal(Object.keys(hybrid![0]!.fields), ['id'], 'the grouping field is read, not shown unless asked');
    const { code } = await fetch(`${s.http!.url}/v2/vectordb/entities/hybrid_search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ collectionName: 'docs', search: [{ data: [q1], limit: 4 }, { data: [q2], limit: 4 }], limit: 3, groupingField: 'doc', groupSize: 2, outputFields: ['doc'] }) }).then((r) => r.json() as Promise<{ code: number }>);
    assert.is(code, 0, 'REST hybrid_search takes groupingField');
    const [rows] = await s.client.search('docs', { data: [growing[0]!.vec], limit: 3, groupingField: 'doc', groupSize: 2, consistencyLevel: 'Strong' });
    assert.is(rows![0]!.id, 400, 'a growing row is found and grouped');
    assert.ok(rows!.length <= 6 && rows!.length >= 3);
  } finally { await s.cleanup(); }
});

test('grouping requests that cannot be served are refused with typed errors', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'g', schema, metricType: 'L2', load: true });
    await s.client.insert('g', rowsOf(0, 10, 1));
    const q = vectors(1, DIM, 2)[0]!;
    const refused = async (extra: object, re: RegExp) => {
      try { await s.client.search('g', { data: [q], limit: 3, ...extra }); assert.unreachable(`accepted ${JSON.stringify(extra)}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, re);
      }
    };
    await refused({ groupingField: 'nope' }, /not a field of the collection/);
    await refused({ groupingField: 'score' }, /is Float: a search groups by Bool, Int8/);
    await refused({ groupingField: 'id' }, /is the primary key/);
    await refused({ groupSize: 2 }, /need a groupingField/);
    await refused({ groupingField: 'doc', groupSize: 0 }, /groupSize must be a positive integer/);
    await refused({ groupingField: 'doc', groupSize: 10_000 }, /x groupSize must be at most 16384/);
    const [ok] = await s.client.search('g', { data: [q], limit: 3, groupingField: 'doc', consistencyLevel: 'Strong' });
    assert.is(ok!.length, 3, 'the collection still answers');
  } finally { await s.cleanup(); }
});

test.run();
