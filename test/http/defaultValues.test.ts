/**
 * Default values over the HTTP API, spoken as Milvus REST v2 clients speak it:
 * `defaultValue` in the field schema at create, shown by describe; inserted and
 * upserted rows that omit a field or give null hold its default; bad defaults
 * are refused with 1100. Runs against the gateway over the in-memory api (which
 * fills nothing itself: the gateway's row checks fill the defaults) and against
 * a standalone, before and after a flush.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/index.js';
import type { RowObject } from '../../runtime/client/api.js';
import { createHttpGateway } from '../../runtime/http/gateway.js';
import { defaultsRow, defaultsRows, defaultsSchema, DEFAULTS_OUTPUT, FILLED, storedRow } from '../standalone/defaultRows.js';
import { tempStandalone } from '../standalone/harness.js';
import { until } from '../support/until.js';
import { MemoryApi } from './support/memoryApi.js';
import { V2Client } from './support/v2Client.js';

/** The shared defaults schema as a REST v2 create request writes it. */
const restFields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'flag', dataType: 'Bool', defaultValue: true },
  { fieldName: 'tiny', dataType: 'Int8', defaultValue: -7 },
  { fieldName: 'small', dataType: 'Int16', nullable: true, defaultValue: 300 },
  { fieldName: 'mid', dataType: 'Int32', defaultValue: 2147483647 },
  { fieldName: 'big', dataType: 'Int64', defaultValue: 1099511627777 },
  { fieldName: 'w', dataType: 'Float', defaultValue: 0.5 },
  { fieldName: 'd', dataType: 'Double', nullable: true, defaultValue: -2.25 },
  { fieldName: 'status', dataType: 'VarChar', nullable: true, defaultValue: 'active', elementTypeParams: { max_length: 8 } },
  { fieldName: 'note', dataType: 'VarChar', nullable: true, defaultValue: null, elementTypeParams: { max_length: '8' } },
  { fieldName: 'n', dataType: 'Int32' },
];

const byId = (a: RowObject, b: RowObject) => (a.id as number) - (b.id as number);

async function readsMatch(http: V2Client, want: RowObject[], stage: string): Promise<void> {
  const all = await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: DEFAULTS_OUTPUT, consistencyLevel: 'Strong' });
  assert.equal(all.sort(byId), want, `${stage}: query returns the defaults as values`);
  const active = await http.ok('/entities/query', { collectionName: 'c', filter: 'status == "active"', outputFields: ['status'], consistencyLevel: 'Strong' });
  assert.equal(active.map((r: RowObject) => r.id).sort((a: number, b: number) => a - b), want.filter((r) => r.status === 'active').map((r) => r.id), `${stage}: a filter on the default`);
}

/** Create, describe, refuse, insert, upsert and read: what must hold over any api behind the gateway. */
async function scenario(http: V2Client, storedSchema: () => Promise<unknown>): Promise<RowObject[]> {
  await http.ok('/collections/create', { collectionName: 'c', schema: { enableDynamicField: true, fields: restFields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
  await http.waitLoaded('c');
  assert.equal(JSON.parse(JSON.stringify(await storedSchema())), defaultsSchema, 'the REST schema is the schema the client API takes');
  const d = await http.ok('/collections/describe', { collectionName: 'c' });
  const field = (n: string) => d.fields.find((f: { name: string }) => f.name === n);
  assert.equal(field('status'), {
    name: 'status', type: 'VarChar', description: '', primaryKey: false, autoId: false, nullable: true, defaultValue: 'active',
    partitionKey: false, clusteringKey: false, params: [{ key: 'max_length', value: '8' }],
  });
  assert.equal(['flag', 'tiny', 'small', 'mid', 'big', 'w', 'd'].map((n) => field(n).defaultValue), [true, -7, 300, 2147483647, 1099511627777, 0.5, -2.25]);
  for (const n of ['id', 'vec', 'note', 'n']) assert.not.ok('defaultValue' in field(n), `${n} has no default`);

  const bad: [object, RegExp][] = [
    [{ fieldName: 'b', dataType: 'Bool', defaultValue: 10 }, /the default value of field 'b' must be a boolean/],
    [{ fieldName: 'i', dataType: 'Int8', defaultValue: 300 }, /the default value of field 'i' must be an Int8 integer/],
    [{ fieldName: 's', dataType: 'VarChar', defaultValue: 'too long', elementTypeParams: { max_length: 4 } }, /the length \(8 UTF-8 bytes\) of the default value of field 's' exceeds max length \(4\)/],
    [{ fieldName: 'j', dataType: 'JSON', defaultValue: { key: 1 } }, /field 'j' is JSON and cannot have a default value/],
    [{ fieldName: 'a', dataType: 'Array', elementDataType: 'Int64', defaultValue: [1, 2], elementTypeParams: { max_capacity: 4 } }, /field 'a' is Array and cannot have a default value/],
  ];
  for (const [f, message] of bad) {
    await http.fails('/collections/create', { collectionName: 'bad', schema: { fields: [...restFields.slice(0, 2), f] } }, message, [ErrorCode.InvalidArgument]);
  }
  await http.fails('/collections/create', { collectionName: 'bad', schema: { fields: [{ ...restFields[0], defaultValue: 1 }, restFields[1]] } }, /primary key 'id' cannot have a default value/, [ErrorCode.InvalidArgument]);
  assert.equal(await http.ok('/collections/has', { collectionName: 'bad' }), { has: false });

  assert.is((await http.ok('/entities/insert', { collectionName: 'c', data: defaultsRows(0, 12) })).insertCount, 12);
  const { n: _n, ...withoutN } = defaultsRow(20);
  await http.fails('/entities/insert', { collectionName: 'c', data: [withoutN] }, /field 'n' is missing/, [ErrorCode.SchemaMismatch]);
  // Upsert replaces the row: what it omits takes the default, not the old value.
  await http.ok('/entities/upsert', { collectionName: 'c', data: [{ id: 5, vec: defaultsRow(5).vec, n: 5, color: 'blue', note: 'kept' }] });
  const want = Array.from({ length: 12 }, (_, i) => storedRow(i)).map((r) => r.id === 5 ? { ...r, ...FILLED, note: 'kept' } : r);
  await readsMatch(http, want, 'written');
  return want;
}

test('over the in-memory api: the gateway fills the defaults into the rows it passes on', async () => {
  const api = new MemoryApi();
  const gw = await createHttpGateway(api, { port: 0 });
  try {
    await scenario(new V2Client(gw.url), async () => (await api.describeCollection('c')).schema);
  } finally { await gw.close(); }
});

test('over a standalone: defaults are stored values, before and after a flush', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    const want = await scenario(http, async () => (await s.client.describeCollection('c')).schema);
    await http.ok('/collections/flush', { collectionName: 'c' });
    await until(async () => (await http.ok('/collections/get_load_state', { collectionName: 'c' })).loadProgress === 100
      && await http.ok('/indexes/describe', { collectionName: 'c', indexName: 'vec' }).then(([ix]) => ix.totalRows >= 12 && ix.pendingRows === 0), 'the flushed segments to be served', 60_000);
    await readsMatch(http, want, 'sealed');
  } finally { await s.cleanup(); }
});

test.run();
