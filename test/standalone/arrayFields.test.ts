import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { RowObject } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { arraySchema, arrayRows, ARRAY_FIELDS, ARRAY_FILTERS, badArrayRows } from './arrayRows.js';
import { tempStandalone } from './harness.js';

/**
 * Array fields end to end on one standalone: rows of every element type go
 * through the WAL into growing segments, are flushed to segment files, loaded
 * by the query node, and replayed after restarts; every read (query, search,
 * get) gives back exactly the values inserted and filters on them agree with
 * the same predicate written in plain JavaScript. Bad rows are refused whole.
 */
type S = Awaited<ReturnType<typeof tempStandalone>>;
const sorted = (rows: RowObject[]) => [...rows].sort((a, b) => (a.id as number) - (b.id as number));

/** Every read of the collection, checked against `rows` (the rows it must hold). */
async function readsMatch(s: S, rows: RowObject[], stage: string): Promise<void> {
  const all = await s.client.query('c', { filter: 'id >= 0', outputFields: ARRAY_FIELDS, consistencyLevel: 'Strong' });
  assert.equal(sorted(all), rows.map(({ vec: _v, ...r }) => r), `${stage}: query returns the values as inserted`);
  for (const [filter, pred] of ARRAY_FILTERS) {
    const want = rows.filter(pred).map((r) => r.id);
    const got = await s.client.query('c', { filter, outputFields: ['tags'], consistencyLevel: 'Strong' });
    assert.equal(got.map((r) => r.id).sort((a, b) => (a as number) - (b as number)), want, `${stage}: query ${filter}`);
  }
  const picked = rows[7]!;
  const [hits] = await s.client.search('c', { data: [picked.vec as number[]], limit: rows.length, filter: 'array_contains(tags, "red")', outputFields: ARRAY_FIELDS, consistencyLevel: 'Strong' });
  const red = rows.filter((r) => (r.tags as string[] | null)?.includes('red'));
  assert.equal(hits!.map((h) => h.id).sort((a, b) => (a as number) - (b as number)), red.map((r) => r.id), `${stage}: search with an array filter`);
  assert.is(hits![0]!.id, picked.id, `${stage}: the nearest red row is the query's own`);
  const byId = new Map(rows.map(({ vec: _v, ...r }) => [r.id, r]));
  for (const h of hits!) assert.equal({ id: h.id, ...h.fields }, byId.get(h.id), `${stage}: hit ${String(h.id)} fields`);
  assert.equal(await s.client.get('c', [picked.id as number], { outputFields: ['nums', 'ws'] }), [{ id: picked.id, nums: picked.nums, ws: picked.ws }], `${stage}: get`);
}

async function servedFromSegments(s: S, rows: number): Promise<void> {
  await until(async () => {
    const [ix] = await s.client.describeIndex('c');
    return ix!.indexedRows === rows && (await s.client.getLoadState('c')).loadProgress === 100;
  }, 'the flushed segments to be indexed and served', 60_000);
}

test('Array fields: growing, flushed, restarted from storage and from the WAL, reads give back what was inserted', async () => {
  let s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema: arraySchema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: {} }], load: true });
    const first = arrayRows(0, 30);
    await s.client.insert('c', first);
    await readsMatch(s, first, 'growing');

    await s.client.flush('c');
    await servedFromSegments(s, 30);
    await readsMatch(s, first, 'sealed');

    // Once query nodes serve the flushed segments a restart does not rebuild
    // them from the log: these rows now come from the segment files.
    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir });
    await readsMatch(s, first, 'restarted over segment files');

    const more = arrayRows(30, 12);
    await s.client.insert('c', more);
    await s.client.upsert('c', [{ ...first[3]!, tags: ['upserted'], nums: [-7] }]);
    const now = [...first, ...more].map((r) => r.id === 3 ? { ...r, tags: ['upserted'], nums: [-7] } : r);
    await readsMatch(s, now, 'growing beside sealed');
    await s.stop();
    s = await tempStandalone({ dataDir });
    await readsMatch(s, now, 'restarted: growing rows replayed from the WAL');
  } finally { await s.cleanup(); }
});

test('bad Array values are refused with a ValidationError naming row and field; nothing of the batch is written', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema: arraySchema, metricType: 'L2', load: true });
    const good = arrayRows(0, 3);
    await s.client.insert('c', good);
    for (const [bad, message] of badArrayRows(100)) {
      for (const op of ['insert', 'upsert'] as const) {
        const e = await s.client[op]('c', [arrayRows(99, 1)[0]!, bad]).then(() => null, (x: unknown) => x);
        assert.instance(e, ValidationError, `${op} ${message}`);
        assert.is((e as NuthatchError).code, 'InvalidArgument');
        assert.match((e as Error).message, message);
      }
    }
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 3);
    assert.equal(await s.client.query('c', { filter: 'id >= 99', consistencyLevel: 'Strong' }), []);
    assert.equal(sorted(await s.client.query('c', { filter: 'id >= 0', outputFields: ARRAY_FIELDS, consistencyLevel: 'Strong' })), good.map(({ vec: _v, ...r }) => r));
    const filterError = await s.client.query('c', { filter: 'array_contains(nums, "x")', consistencyLevel: 'Strong' }).then(() => null, (x: unknown) => x);
    assert.instance(filterError, ValidationError);
    assert.match((filterError as Error).message, /cannot compare Int64 elements of Array field 'nums' with a string/);
  } finally { await s.cleanup(); }
});

test.run();
