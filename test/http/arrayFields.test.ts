/**
 * Array fields over the HTTP API of a standalone, spoken as Milvus REST v2
 * clients speak it: create with elementDataType / max_capacity, describe,
 * insert, query and search with array filters before and after flush, and
 * bad rows refused with SchemaMismatch and nothing written.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/index.js';
import { tempStandalone } from '../standalone/harness.js';
import { arraySchema, arrayRows, ARRAY_FIELDS, ARRAY_FILTERS, badArrayRows } from '../standalone/arrayRows.js';
import { until } from '../support/until.js';
import { V2Client } from './support/v2Client.js';
import type { RowObject } from '../../runtime/client/api.js';

type S = Awaited<ReturnType<typeof tempStandalone>>;
const byId = (a: { id: unknown }, b: { id: unknown }) => (a.id as number) - (b.id as number);
const withoutVec = (rows: RowObject[]) => rows.map(({ vec: _v, ...r }) => r);

/** The fields of the shared Array schema as a REST v2 create request writes them. */
const restFields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 4, max_length: '8' }, nullable: true },
  { fieldName: 'nums', dataType: 'Array', elementDataType: 'Int64', elementTypeParams: { max_capacity: '5' } },
  { fieldName: 'ws', dataType: 'Array', elementDataType: 'Float', elementTypeParams: { max_capacity: 3 } },
  { fieldName: 'ds', dataType: 'Array', elementDataType: 'Double', elementTypeParams: { max_capacity: 3 } },
  { fieldName: 'flags', dataType: 'Array', elementDataType: 'Bool', elementTypeParams: { max_capacity: 2 } },
  { fieldName: 'small', dataType: 'Array', elementDataType: 'Int8', elementTypeParams: { max_capacity: 3 } },
  { fieldName: 'mid', dataType: 'Array', elementDataType: 'Int32', elementTypeParams: { max_capacity: 2 } },
  { fieldName: 'w', dataType: 'Float' },
];

async function readsMatch(http: V2Client, rows: RowObject[], stage: string): Promise<void> {
  const all = await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: ARRAY_FIELDS, consistencyLevel: 'Strong' });
  assert.equal(all.sort(byId), withoutVec(rows), `${stage}: query returns the values as inserted`);
  for (const [filter, pred] of ARRAY_FILTERS) {
    const got = await http.ok('/entities/query', { collectionName: 'c', filter, outputFields: ['nums'], consistencyLevel: 'Strong' });
    assert.equal(got.map((r: RowObject) => r.id).sort((a: number, b: number) => a - b), rows.filter(pred).map((r) => r.id), `${stage}: query ${filter}`);
  }
  const picked = rows[11]!;
  const hits = await http.ok('/entities/search', { collectionName: 'c', data: [picked.vec], limit: rows.length, filter: 'array_length(nums) >= 4 or tags[0] == "green"', outputFields: ['tags', 'nums', 'ws'], consistencyLevel: 'Strong' });
  const want = rows.filter((r) => (r.nums as number[]).length >= 4 || (r.tags as string[] | null)?.[0] === 'green');
  assert.equal(hits.map((h: RowObject) => h.id).sort((a: number, b: number) => a - b), want.map((r) => r.id), `${stage}: search with array filters`);
  assert.is(hits[0].id, picked.id, `${stage}: nearest first`);
  for (const { distance: _d, ...h } of hits) {
    const r = rows.find((x) => x.id === h.id)!;
    assert.equal(h, { id: r.id, tags: r.tags, nums: r.nums, ws: r.ws }, `${stage}: hit ${String(h.id)}`);
  }
}

test('Array fields over HTTP: create, describe, insert, refuse, query and search before and after flush', async () => {
  const s: S = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields: restFields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    const stored = (await s.client.describeCollection('c')).schema.fields;
    assert.equal(JSON.parse(JSON.stringify(stored)), arraySchema.fields, 'the REST schema is the same schema the client API takes');
    const d = await http.ok('/collections/describe', { collectionName: 'c' });
    const field = (n: string) => d.fields.find((f: { name: string }) => f.name === n);
    assert.equal(field('tags'), {
      name: 'tags', type: 'Array', elementType: 'VarChar', description: '', primaryKey: false, autoId: false, nullable: true,
      partitionKey: false, clusteringKey: false, params: [{ key: 'max_length', value: '8' }, { key: 'max_capacity', value: '4' }],
    });
    assert.equal([field('nums').type, field('nums').elementType, field('nums').params], ['Array', 'Int64', [{ key: 'max_capacity', value: '5' }]]);
    assert.equal([field('w').type, field('w').elementType], ['Float', undefined]);

    const rows = arrayRows(0, 24);
    assert.is((await http.ok('/entities/insert', { collectionName: 'c', data: rows })).insertCount, 24);
    for (const [bad, message] of badArrayRows(99)) {
      for (const op of ['insert', 'upsert']) {
        await http.fails(`/entities/${op}`, { collectionName: 'c', data: [arrayRows(98, 1)[0], bad] }, message, [ErrorCode.SchemaMismatch]);
      }
    }
    await http.fails('/entities/query', { collectionName: 'c', filter: 'array_contains(flags, "yes")' }, /cannot compare Bool elements of Array field 'flags' with a string/, [ErrorCode.InvalidArgument]);
    assert.equal(await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 98', consistencyLevel: 'Strong' }), []);
    assert.equal(await http.ok('/collections/get_stats', { collectionName: 'c' }), { rowCount: 24 });
    await readsMatch(http, rows, 'growing');

    await http.ok('/collections/flush', { collectionName: 'c' });
    await until(async () => (await http.ok('/collections/get_load_state', { collectionName: 'c' })).loadProgress === 100
      && (await http.ok('/indexes/describe', { collectionName: 'c', indexName: 'vec' }))[0].indexedRows === 24, 'the flushed segments to be served', 60_000);
    await readsMatch(http, rows, 'sealed');
  } finally { await s.cleanup(); }
});

test.run();
