import { refused } from '../support/rejects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CollectionSchema } from '../../messages/schema.js';
import { rng, tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Array of Structs (Milvus 2.6.4+): rows hold a list of chunks, each with a
 * text, a page and a text_vector; a search of `chunks[text_vector]` takes
 * embedding lists and scores each row by MAX_SIM over its own chunks. Rows
 * are sealed (flushed, served by the query node) and growing over two
 * shards; results are checked against a reference computed here, before and
 * after a restart that replays the log and reloads the segment files.
 */
const DIM = 6, N = 240, GROWING = 60;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'tag', dataType: 'Int64' },
    { name: 'title_vector', dataType: 'FloatVector', dim: 4 },
    {
      name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 5,
      structFields: [
        { name: 'text', dataType: 'VarChar', maxLength: 32 },
        { name: 'page', dataType: 'Int32' },
        { name: 'text_vector', dataType: 'FloatVector', dim: DIM },
      ],
    },
  ],
};
const r = rng(21);
const titles = vectors(N + GROWING, 4, 5);
// Every 23rd row has no chunks: it has no embedding list and is never a hit.
const chunks = Array.from({ length: N + GROWING }, (_, i) => Array.from({ length: i % 23 === 0 ? 0 : 1 + Math.floor(r() * 5) }, (_, j) => ({
  text: `row ${i} chunk ${j}`, page: j, text_vector: Array.from({ length: DIM }, () => r() * 2 - 1),
})));
const row = (i: number) => ({ id: i, tag: i % 3, title_vector: titles[i]!, chunks: chunks[i]! });
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

type Metric = 'MAX_SIM_COSINE' | 'MAX_SIM_IP' | 'MAX_SIM_L2';
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.fround(x) * Math.fround(b[i]!), 0);
const pair: Record<Metric, (a: number[], b: number[]) => number> = {
  MAX_SIM_IP: dot,
  MAX_SIM_COSINE: (a, b) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b)),
  MAX_SIM_L2: (a, b) => a.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(b[i]!)) ** 2, 0),
};
/** The reference: per query vector the best value among the row's chunks, summed; L2 smaller first, the others larger first. */
function reference(q: number[][], metric: Metric, keep: (id: number) => boolean, k: number, offset = 0) {
  const larger = metric !== 'MAX_SIM_L2';
  return chunks.map((cs, id) => ({ id, cs })).filter((x) => x.cs.length > 0 && keep(x.id))
    .map(({ id, cs }) => ({ id, distance: q.reduce((s, qv) => s + cs.map((c) => pair[metric](c.text_vector, qv)).reduce((a, b) => (larger ? Math.max(a, b) : Math.min(a, b))), 0) }))
    .sort((a, b) => (larger ? b.distance - a.distance : a.distance - b.distance) || a.id - b.id).slice(offset, offset + k);
}
const near = (q: number[]) => q.map((x) => x + (r() - 0.5) * 0.1);

test('Array of Structs: rows in and out, embedding-list search by MAX_SIM over sealed and growing rows, filters, output sub-fields, restart', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'docs', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'title_idx', fieldName: 'title_vector', indexType: 'HNSW', params: {} }], load: true });
    const described = await s.client.describeCollection('docs');
    assert.equal(JSON.parse(JSON.stringify(described.schema.fields.find((f) => f.name === 'chunks'))), schema.fields[3], 'describe shows the Struct schema');
    for (let i = 0; i < N; i += 120) await s.client.insert('docs', Array.from({ length: 120 }, (_, j) => row(i + j)));
    await s.client.flush('docs');
    await untilIndexedAndLoaded(s, 'docs', N);
    await s.client.insert('docs', Array.from({ length: GROWING }, (_, j) => row(N + j)));

    const q1 = [near(chunks[7]![0]!.text_vector)];
    const q2 = [near(chunks[N + 5]![0]!.text_vector), near(chunks[40]![1]!.text_vector), near(chunks[41]![0]!.text_vector)];
    const check = async (when: string) => {
      // Default metric MAX_SIM_COSINE; two embedding lists, a filter on a scalar field, offset, a sub-field as output.
      const hits = await s.client.search('docs', { annsField: 'chunks[text_vector]', data: [q1, q2], limit: 8, offset: 2, filter: 'tag != 1', outputFields: ['tag', 'chunks[text]'], consistencyLevel: 'Strong' });
      [q1, q2].forEach((q, qi) => {
        const want = reference(q, 'MAX_SIM_COSINE', (id) => id % 3 !== 1, 8, 2);
        assert.equal(hits[qi]!.map((h) => h.id), want.map((h) => h.id), `query ${qi} ${when}`);
        hits[qi]!.forEach((h, i) => {
          assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4, `MAX_SIM_COSINE score ${h.distance} vs ${want[i]!.distance}`);
          assert.is(h.fields.tag, (h.id as number) % 3);
          assert.equal(h.fields.chunks, chunks[h.id as number]!.map((c) => ({ text: c.text })), 'chunks[text] shows the text of every chunk alone');
        });
      });
      assert.ok(hits[1]!.length === 8 && hits[1]![0]!.distance > 2, 'a three-vector list sums three similarities');
      // The other metrics; L2 is smaller-first.
      for (const metricType of ['MAX_SIM_IP', 'MAX_SIM_L2'] as const) {
        const [got] = await s.client.search('docs', { annsField: 'chunks[text_vector]', data: [q2], limit: 10, searchParams: { metricType }, consistencyLevel: 'Strong' });
        const want = reference(q2, metricType, () => true, 10);
        assert.equal(got!.map((h) => h.id), want.map((h) => h.id), `${metricType} ${when}`);
        got!.forEach((h, i) => assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4, `${metricType} score`));
      }
      // Element conditions (Milvus 3.0's StructArray operators), sealed and growing rows alike.
      const idsOf = async (filter: string) => (await s.client.query('docs', { filter, outputFields: ['id'], limit: 0, consistencyLevel: 'Strong' })).map((x) => x.id as number).sort((a, b) => a - b);
      const rowsWhere = (keep: (cs: (typeof chunks)[number], id: number) => boolean) => chunks.map((cs, id) => ({ cs, id })).filter((x) => keep(x.cs, x.id)).map((x) => x.id);
      assert.equal(await idsOf('element_filter(chunks, $[page] == 4)'), rowsWhere((cs) => cs.some((c) => c.page === 4)), `element_filter ${when}`);
      assert.equal(await idsOf('MATCH_LEAST(chunks, $[page] >= 1 && $[text] like "row 1%", 3) && tag == 0'), rowsWhere((cs, id) => id % 3 === 0 && cs.filter((c) => c.page >= 1 && c.text.startsWith('row 1')).length >= 3), `MATCH_LEAST ${when}`);
      assert.equal(await idsOf('MATCH_ALL(chunks, $[page] < 2)'), rowsWhere((cs) => cs.every((c) => c.page < 2)), `MATCH_ALL ${when}`);
      const [filtered] = await s.client.search('docs', { data: [titles[3]!], limit: 5, filter: 'MATCH_EXACT(chunks, $[page] > 0, 2)', outputFields: ['chunks'], consistencyLevel: 'Strong' });
      assert.ok(filtered!.length === 5 && filtered!.every((h) => chunks[h.id as number]!.filter((c) => c.page > 0).length === 2), `a search filtered by MATCH_EXACT ${when}`);
      // Rows read back with their chunks, vectors as number lists (float32), sealed and growing alike.
      const got = await s.client.get('docs', [7, 23, N + 5], { outputFields: ['chunks'] });
      const byId = new Map(got.map((x) => [x.id, x.chunks]));
      for (const id of [7, 23, N + 5]) assert.equal(byId.get(id), chunks[id]!.map((c) => ({ ...c, text_vector: c.text_vector.map(Math.fround) })), `row ${id} ${when}`);
    };
    await check('with growing rows');

    // Bad rows: each refused with a typed error naming what is wrong; nothing is written.
    const bad = (c: unknown) => s.client.insert('docs', [{ ...row(0), id: 9999, chunks: c }]);
    const ok = chunks[1]![0]!;
    await refused(bad([ok, 'x']), /element \[1\] of 'chunks' must be an object/);
    await refused(bad([{ text: 'a', page: 1 }]), /'chunks\[text_vector\]' of element \[0\] is missing/);
    await refused(bad([{ ...ok, text_vector: [1, 2] }]), /has dimension 2, the sub-field's is 6/);
    await refused(bad([{ ...ok, text_vector: [1, 2, NaN, 4, 5, 6] }]), /NaN/);
    await refused(bad([{ ...ok, page: 'one' }]), /must be an Int32 integer/);
    await refused(bad([{ ...ok, extra: 1 }]), /unknown sub-field 'extra'/);
    await refused(bad(Array.from({ length: 6 }, () => ok)), /6 elements, more than its max_capacity 5/);
    await refused(bad(null), /must be a list of objects/);
    assert.equal(await s.client.get('docs', [9999]), [], 'no bad row was written');
    await refused(s.client.upsert('docs', [{ id: 7, chunks: [ok] }], undefined, { partialUpdate: true }), /merge mode/);
    // Bad searches, filters and indexes.
    await refused(s.client.search('docs', { annsField: 'chunks[text_vector]', data: [[[1, 2]]], limit: 3 }), /dimension 2/);
    await refused(s.client.search('docs', { annsField: 'chunks[text_vector]', data: [[]], limit: 3 }), /non-empty list of vectors/);
    await refused(s.client.search('docs', { annsField: 'chunks[text_vector]', data: [q1], limit: 3, searchParams: { metricType: 'COSINE' } }), /MAX_SIM_COSINE/);
    await refused(s.client.search('docs', { annsField: 'chunks[text]', data: [q1], limit: 3 }), /not a vector sub-field/);
    await refused(s.client.search('docs', { annsField: 'chunks[nope]', data: [q1], limit: 3 }), /no sub-field 'nope'/);
    await refused(s.client.search('docs', { annsField: 'chunks[text_vector]', data: [q1], limit: 3, groupingField: 'tag' }), /takes no groupingField/);
    await refused(s.client.query('docs', { filter: 'chunks[0] == 1', limit: 3 }), /Array of Structs field 'chunks' cannot be used in a filter/);
    await refused(s.client.hybridSearch('docs', { searches: [{ annsField: 'chunks[text_vector]', data: [q1] as never, limit: 3 }, { annsField: 'title_vector', data: [titles[0]!], limit: 3 }], limit: 3 }), /no embedding-list search into a hybrid search/);
    await refused(s.client.searchIterator('docs', { annsField: 'chunks[text_vector]', vector: q1[0]!, batchSize: 5 }), /search iterator cannot read embedding lists/);
    await refused(s.client.createIndex('docs', { indexName: 'c_idx', fieldName: 'chunks[text]', indexType: 'INVERTED', params: {} }), /VarChar, not a vector sub-field/);
    await refused(s.client.createIndex('docs', { indexName: 'c_idx', fieldName: 'chunks[text_vector]', indexType: 'HNSW', metricType: 'COSINE', params: {} }), /indexed with MAX_SIM_COSINE, MAX_SIM_IP, MAX_SIM_L2/);
    await refused(s.client.createIndex('docs', { indexName: 'c_idx', fieldName: 'chunks[text_vector]', indexType: 'IVF_FLAT', metricType: 'MAX_SIM_IP', params: {} }), /takes an HNSW \(or AUTOINDEX\) index/);
    // A whole-row upsert replaces a row's chunks; the search sees the new list.
    const moved = { ...row(11), chunks: [{ text: 'moved', page: 0, text_vector: q1[0]! }] };
    await s.client.upsert('docs', [moved]);
    chunks[11] = moved.chunks;
    const [top] = await s.client.search('docs', { annsField: 'chunks[text_vector]', data: [q1], limit: 1, outputFields: ['chunks'], consistencyLevel: 'Strong' });
    assert.is(top![0]!.id, 11, 'the upserted row, whose one chunk is the query, comes first');
    assert.ok(Math.abs(top![0]!.distance - 1) < 1e-5);

    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilIndexedAndLoaded(s, 'docs', N);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

/**
 * An HNSW index of `chunks[text_vector]` (MAX_SIM_IP): its graph holds every
 * chunk's vector; a search takes the rows of each query vector's `ef`
 * nearest chunks as candidates and scores them exactly. With ef 1000 the
 * pool holds every chunk of a segment (each holds under 400), so the hits
 * must equal the exact reference; with ef 2 the pool is a few rows, and
 * the hits are still true MAX_SIM scores of the rows returned.
 */
test('Array of Structs with an HNSW index of the vector sub-field: candidates from the graph, scored exactly', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({
      collectionName: 'ix', schema, metricType: 'L2', shardsNum: 2, load: true,
      indexParams: [
        { indexName: 'title_idx', fieldName: 'title_vector', indexType: 'HNSW', params: {} },
        { indexName: 'chunks_idx', fieldName: 'chunks[text_vector]', indexType: 'AUTOINDEX', metricType: 'MAX_SIM_IP' as never, params: { M: 16, efConstruction: 200 } },
      ],
    });
    const described = await s.client.describeIndex('ix');
    assert.equal(described.map((d) => [d.indexName, d.fieldName, d.indexType, d.metricType]).sort(), [['chunks_idx', 'chunks[text_vector]', 'HNSW', 'MAX_SIM_IP'], ['title_idx', 'title_vector', 'HNSW', 'L2']]);
    await s.client.insert('ix', Array.from({ length: N }, (_, i) => row(i)));
    await s.client.flush('ix');
    await untilIndexedAndLoaded(s, 'ix', N);
    await s.client.insert('ix', Array.from({ length: GROWING }, (_, j) => row(N + j)));
    const q = [near(chunks[30]![0]!.text_vector), near(chunks[N + 9]![0]!.text_vector)];
    const exactWithBigPool = async (when: string) => {
      const [hits] = await s.client.search('ix', { annsField: 'chunks[text_vector]', data: [q], limit: 10, filter: 'tag != 2', searchParams: { params: { ef: 1000 } }, consistencyLevel: 'Strong' });
      const want = reference(q, 'MAX_SIM_IP', (id) => id % 3 !== 2, 10);
      assert.equal(hits!.map((h) => h.id), want.map((h) => h.id), `a pool of every chunk gives the exact ranking, by the index metric, ${when}`);
      hits!.forEach((h, i) => assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4));
    };
    await exactWithBigPool('before a restart');
    const [few] = await s.client.search('ix', { annsField: 'chunks[text_vector]', data: [q], limit: 10, searchParams: { params: { ef: 2 } }, consistencyLevel: 'Strong' });
    const exact = new Map(reference(q, 'MAX_SIM_IP', () => true, N + GROWING).map((h) => [h.id, h.distance]));
    assert.ok(few!.length >= 2, 'a small pool still finds rows');
    few!.forEach((h) => assert.ok(Math.abs(h.distance - exact.get(h.id as number)!) < 1e-4, 'a candidate is scored exactly'));
    await refused(s.client.search('ix', { annsField: 'chunks[text_vector]', data: [q], limit: 3, searchParams: { metricType: 'MAX_SIM_COSINE' } }), /differs from 'chunks\[text_vector\]''s index metric MAX_SIM_IP/);
    // The index files load again after a restart (the graph by its pair metric, IP).
    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilIndexedAndLoaded(s, 'ix', N);
    await exactWithBigPool('after a restart');
  } finally { await s.cleanup(); }
});

test('Array of Structs schemas: typed errors for what Milvus refuses', async () => {
  const s = await tempStandalone();
  try {
    const withStruct = (chunksField: Record<string, unknown>) => s.client.createCollection({ collectionName: 'bad', metricType: 'L2', schema: { fields: [schema.fields[0]!, schema.fields[2]!, { name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 4, ...chunksField } as never] } });
    await refused(withStruct({ structFields: [{ name: 'v', dataType: 'FloatVector' }] }), /'chunks\[v\]' needs an integer dim/);
    await refused(withStruct({ structFields: [{ name: 'j', dataType: 'JSON' }] }), /has type 'JSON'; a Struct holds/);
    await refused(withStruct({ structFields: [] }), /needs structFields/);
    await refused(withStruct({ maxCapacity: 5000, structFields: [{ name: 'p', dataType: 'Int32' }] }), /max_capacity in 1..4096/);
    await refused(withStruct({ nullable: true, structFields: [{ name: 'p', dataType: 'Int32' }] }), /cannot be nullable/);
    await refused(withStruct({ structFields: [{ name: 'p', dataType: 'Int32', nullable: true }] }), /cannot set 'nullable'/);
    await refused(withStruct({ structFields: [{ name: 't', dataType: 'VarChar' }] }), /needs max_length/);
    await s.client.createCollection({ collectionName: 'plain', metricType: 'L2', schema: { fields: [schema.fields[0]!, schema.fields[2]!] } });
    await refused(s.client.addCollectionField('plain', { ...schema.fields[3]!, nullable: true }), /Array of Structs/);
  } finally { await s.cleanup(); }
});

test.run();
