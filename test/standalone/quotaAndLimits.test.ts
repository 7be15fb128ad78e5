import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage } from '../../messages/codec.js';
import { NuthatchError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { streamingReadSubject, streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { newMessage } from '../../messages/types.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { shardOf, toColumns } from '../../runtime/client/rows.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Milvus's quotaAndLimits, enforced by the servers: a database's force-deny
 * switches refuse requests that skip the client's own check (raw requests on
 * the bus); a collection's rate limits refuse a burst (RateLimited) or slow it
 * through the client's retries, losing and duplicating no row; a disk quota
 * refuses inserts (QuotaExceeded) until it is raised; the REST API answers
 * Milvus's codes. Outcomes only: errors and exact row counts, never durations.
 */
const DIM = 32;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rowsOf = (from: number, n: number) => vectors(n, DIM, from + 1).map((vec, i) => ({ id: from + i, vec }));
const create = (name: string, shardsNum = 1, properties?: Record<string, string | number>) =>
  ({ collectionName: name, schema, metricType: 'L2' as const, shardsNum, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true, ...(properties ? { properties } : {}) });
const codeOf = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
/** Every id stored, at Strong consistency (sorted): shows a loss and a duplicate alike. */
const idsIn = async (c: NuthatchClient, name: string) => (await c.query(name, { filter: 'id >= 0', outputFields: ['id'], limit: 0, consistencyLevel: 'Strong' })).map((r) => Number(r.id)).sort((a, b) => a - b);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

test('force deny is enforced by the streaming node for requests that skip the client check', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createDatabase('lab');
    const lab = s.client.database('lab');
    await lab.createCollection(create('a'));
    await lab.insert('a', rowsOf(0, 10));
    const r = await lab.describeCollection('a');
    const vchannel = r.vchannels[0]!, pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    const sn = client<StreamingProtocol>(s.bus, streamingSubject(pchannel)), reads = client<StreamingProtocol>(s.bus, streamingReadSubject(pchannel));
    const insertMsg = (id: number) => newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId: r.partitions[0]!.id, segmentId: -1, rows: toColumns(r.schema, rowsOf(id, 1), null) });
    const rawInsert = (id: number) => sn('append', { message: encodeMessage(insertMsg(id)) });
    const rawDelete = (id: number) => sn('append', { message: encodeMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId: -1, pks: [id] })) });
    const rawUpsert = (id: number) => sn('appendTxn', { vchannel, messages: [encodeMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId: -1, pks: [id] })), encodeMessage(insertMsg(id))] });
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const strong = async () => (await coord('tsoBatch', { count: 1 })).first;
    const rawQuery = async () => reads('query', { vchannel, collectionId: r.collectionId, filter: null, partitionIds: null, outputFields: [], limit: 100, guaranteeTso: await strong() });
    const rawSearch = async () => reads('search', { vchannel, collectionId: r.collectionId, queries: new Float32Array(rowsOf(0, 1)[0]!.vec), nq: 1, k: 3, filter: null, partitionIds: null, outputFields: [], guaranteeTso: await strong() });
    const qn = client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'));
    const rawSealedQuery = async () => qn('query', { vchannel, collectionId: r.collectionId, filter: null, partitionIds: null, outputFields: [], limit: 100, guaranteeTso: await strong(), segmentIds: [], pchannel, deleteSeq: 0 });
    assert.is(await codeOf(() => rawInsert(100)), 'ok', 'a raw append is served while nothing is denied');
    assert.is((await rawQuery()).count, 11);
    assert.is(await codeOf(rawSealedQuery), 'ok', 'a query node serves a raw read');

    await s.client.alterDatabaseProperties('lab', { 'database.force.deny.writing': true });
    assert.is(await codeOf(() => rawInsert(101)), 'ForceDenied');
    assert.is(await codeOf(() => rawDelete(0)), 'ForceDenied');
    assert.is(await codeOf(() => rawUpsert(1)), 'ForceDenied', 'a raw transaction too, refused before its Begin');
    assert.is(await codeOf(() => rawSearch()), 'ok', 'reads still served');

    await s.client.alterDatabaseProperties('lab', { 'database.force.deny.reading': true });
    assert.is(await codeOf(() => rawQuery()), 'ForceDenied');
    assert.is(await codeOf(() => rawSearch()), 'ForceDenied');
    assert.is(await codeOf(rawSealedQuery), 'ForceDenied', 'a read sent to a query node directly, past the delegator');

    await s.client.dropDatabaseProperties('lab', ['database.force.deny.writing', 'database.force.deny.reading']);
    assert.equal(await idsIn(lab, 'a'), [...range(0, 10), 100], 'nothing a denied request carried was written, nothing deleted');
    assert.is(await codeOf(() => rawInsert(102)), 'ok', 'lifted: served again');
    assert.is(await codeOf(rawSealedQuery), 'ok');
  } finally { await s.cleanup(); }
});

test('a collection insert rate: a burst is refused without a half-written row, or slowed by client retries with none lost or doubled', async () => {
  const s = await tempStandalone();
  const noRetry = new NuthatchClient(s.bus, { retryOnRateLimit: false });
  try {
    // ~1 KB/s: the first batch (~20 KB) passes a full bucket and leaves it in debt for ~20 s.
    await s.client.createCollection(create('r', 1, { 'collection.insertRate.max.mb': 0.001 }));
    assert.equal((await s.client.describeCollection('r')).properties, [{ key: 'collection.insertRate.max.mb', value: '0.001' }]);
    const outcomes: string[] = [];
    for (let b = 0; b < 4; b++) outcomes.push(await codeOf(() => noRetry.insert('r', rowsOf(b * 100, 100))));
    assert.equal(outcomes, ['ok', 'RateLimited', 'RateLimited', 'RateLimited']);
    assert.equal(await idsIn(s.client, 'r'), range(0, 100), 'only the admitted batch is stored');
    const refused = await noRetry.insert('r', rowsOf(500, 1)).then(() => null, (e: NuthatchError) => e);
    assert.match(refused!.message, /^rate limit exceeded/);
    assert.ok(refused!.retryable, 'RateLimited is retryable');

    // The retrying client (the default) keeps sending the burst; once the limit is raised every batch lands once.
    const burst = [1, 2, 3].map((b) => s.client.insert('r', rowsOf(b * 100, 100)));
    assert.is(await codeOf(() => noRetry.insert('r', rowsOf(900, 1))), 'RateLimited', 'still limited while the burst retries');
    await s.client.alterCollectionProperties('r', { 'collection.insertRate.max.mb': 1000 });
    await Promise.all(burst);
    assert.equal(await idsIn(s.client, 'r'), range(0, 400), 'every batch exactly once');

    // An upsert refused by its rate leaves the row as it was (its delete was not applied alone).
    await s.client.alterCollectionProperties('r', { 'collection.upsertRate.max.mb': 0, 'collection.deleteRate.max.mb': 0 });
    assert.is(await codeOf(() => noRetry.upsert('r', rowsOf(5, 1))), 'RateLimited');
    assert.is(await codeOf(() => noRetry.delete('r', { ids: [6] })), 'RateLimited');
    assert.equal(await idsIn(s.client, 'r'), range(0, 400));
    await s.client.dropCollectionProperties('r', ['collection.upsertRate.max.mb', 'collection.deleteRate.max.mb']);
    await noRetry.delete('r', { ids: [6] });
    assert.equal((await idsIn(s.client, 'r')).length, 399, 'dropped: deletes served again');
  } finally { await s.cleanup(); }
});

test('a rate split over shards, and read rates: search vectors and query requests', async () => {
  const s = await tempStandalone();
  const noRetry = new NuthatchClient(s.bus, { retryOnRateLimit: false });
  try {
    await s.client.createCollection(create('m', 2, { 'collection.insertRate.max.mb': 0.002 }));
    // Both shards pass their first batch; the second batch finds both in debt and is refused whole.
    assert.is(await codeOf(() => noRetry.insert('m', rowsOf(0, 200))), 'ok');
    assert.is(await codeOf(() => noRetry.insert('m', rowsOf(1000, 200))), 'RateLimited');
    assert.equal(await idsIn(s.client, 'm'), range(0, 200), 'the admitted batch whole, nothing of the refused one');
    await s.client.alterCollectionProperties('m', { 'collection.searchRate.max.vps': 3, 'collection.queryRate.max.qps': 0 });

    const search = (nq: number) => noRetry.search('m', { data: rowsOf(0, nq).map((r) => r.vec), limit: 1 });
    assert.is(await codeOf(() => search(3)), 'ok');
    assert.is(await codeOf(() => search(3)), 'RateLimited', 'three vectors a second');
    assert.is(await codeOf(() => noRetry.query('m', { filter: 'id >= 0', limit: 1 })), 'RateLimited', 'a query rate of 0 refuses queries');
  } finally { await s.cleanup(); }
});

test('a write over several shards is admitted whole: one shard in debt refuses it everywhere, nothing lands, the others are refunded', async () => {
  const s = await tempStandalone();
  const noRetry = new NuthatchClient(s.bus, { retryOnRateLimit: false });
  try {
    // 0.01 MB/s over 4 shards: each shard ~2.6 KB/s.
    await s.client.createCollection(create('w', 4, { 'collection.insertRate.max.mb': 0.01, 'collection.deleteRate.max.mb': 0.01, 'collection.upsertRate.max.mb': 0.01 }));
    const onShard = (shard: number, from: number, n: number) => rowsOf(from, 4 * n * 4).filter((r) => shardOf(r.id, 4) === shard).slice(0, n);
    // ~13 KB on shard 0 alone: passes its full bucket and leaves it seconds in debt; shards 1-3 stay full.
    assert.is(await codeOf(() => noRetry.insert('w', onShard(0, 0, 100))), 'ok');
    const spread = [1, 2, 3, 0].flatMap((shard) => onShard(shard, 10_000, 3));
    assert.is(await codeOf(() => noRetry.insert('w', spread)), 'RateLimited');
    // Upserts have their own buckets: shard 0's drained the same way, then one over all shards is refused whole.
    assert.is(await codeOf(() => noRetry.upsert('w', onShard(0, 40_000, 100))), 'ok');
    assert.is(await codeOf(() => noRetry.upsert('w', [0, 1, 2, 3].flatMap((shard) => onShard(shard, 20_000, 2)))), 'RateLimited', 'an upsert over shards too');
    assert.equal((await idsIn(s.client, 'w')).length, 200, 'nothing of the refused writes landed on the shards that had room');
    // The shards that admitted their part got its tokens back: a part their bucket holds is admitted.
    assert.is(await codeOf(() => noRetry.insert('w', onShard(1, 30_000, 15))), 'ok');
    // The retrying client waits the debt out and writes the spread write once.
    await s.client.insert('w', spread);
    const ids = await idsIn(s.client, 'w');
    assert.is(ids.length, 200 + 15 + spread.length);
    assert.is(new Set(ids).size, ids.length, 'no row twice');
    const deletes = [0, 1, 2, 3].flatMap((shard) => onShard(shard, 0, 1).map((r) => r.id));
    await s.client.delete('w', { ids: deletes });
    assert.is((await idsIn(s.client, 'w')).length, ids.length - deletes.filter((id) => ids.includes(id)).length, 'a reserved delete over shards');
  } finally { await s.cleanup(); }
});

test('a disk quota refuses inserts once stored bytes pass it, lets deletes through, and lifts when raised', async () => {
  const s = await tempStandalone({ coordinator: { quota: { intervalMs: 100 } } });
  const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
  try {
    // 300 rows of 32 floats: ~56 KB stored, over 0.02 MB.
    await s.client.createCollection(create('q', 1, { 'collection.diskProtection.diskQuota.mb': 0.02 }));
    await s.client.insert('q', rowsOf(0, 300));
    await s.client.flush('q');
    const { collectionId } = await s.client.describeCollection('q');
    const exceeded = async () => (await coord('admission', {})).collections[String(collectionId)]?.quotaExceeded;
    for (let i = 0; i < 200 && !await exceeded(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(String(await exceeded()), /collection 'q' stores 0\.0\d\d MB, over its disk quota of 0\.02 MB/);
    const refused = await s.client.insert('q', rowsOf(1000, 1)).then(() => null, (e: NuthatchError) => e);
    assert.is(refused?.code, 'QuotaExceeded');
    assert.match(refused!.message, /^quota exceeded: /);
    assert.is(await codeOf(() => s.client.upsert('q', rowsOf(0, 1))), 'QuotaExceeded');
    assert.is(await codeOf(() => s.client.delete('q', { ids: [299] })), 'ok', 'deletes are how a collection gets back under its quota');
    assert.equal(await idsIn(s.client, 'q'), range(0, 299));

    await s.client.alterCollectionProperties('q', { 'collection.diskProtection.diskQuota.mb': 10 });
    await s.client.insert('q', rowsOf(1000, 1));
    assert.equal(await idsIn(s.client, 'q'), [...range(0, 299), 1000], 'raised: writes served again');
  } finally { await s.cleanup(); }
});

test("memory over a streaming node's high water level refuses inserts, not deletes", async () => {
  // A level no process is under: every insert is refused; nothing of it is written.
  const s = await tempStandalone({ streaming: { memoryHighWaterLevel: 1e-9 } });
  try {
    await s.client.createCollection(create('mem'));
    const refused = await s.client.insert('mem', rowsOf(0, 5)).then(() => null, (e: NuthatchError) => e);
    assert.is(refused?.code, 'QuotaExceeded');
    assert.match(refused!.message, /^quota exceeded: memory of streaming node/);
    assert.is(await codeOf(() => s.client.delete('mem', { ids: [1] })), 'ok');
    assert.equal(await idsIn(s.client, 'mem'), []);
  } finally { await s.cleanup(); }
});

test('REST: rate limit and quota refusals carry Milvus codes 8 and 9; bad property values are 1100', async () => {
  const s = await tempStandalone({ port: 0, coordinator: { quota: { intervalMs: 100 } } });
  const post = async (path: string, body: unknown) => (await fetch(`${s.http!.url}/v2/vectordb${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ code: number; message?: string }>;
  try {
    await s.client.createCollection(create('h', 1, { 'collection.insertRate.max.mb': 0 }));
    const limited = await post('/entities/insert', { collectionName: 'h', data: rowsOf(0, 2) });
    assert.is(limited.code, 8);
    assert.match(limited.message!, /^rate limit exceeded/);
    for (const bad of ['fast', -1, '-0.5']) {
      const r = await post('/collections/alter_properties', { collectionName: 'h', properties: { 'collection.insertRate.max.mb': bad } });
      assert.is(r.code, 1100, `refused ${JSON.stringify(bad)}`);
    }
    const db = await post('/databases/alter', { dbName: 'default', properties: { 'database.diskQuota.mb': 'lots' } });
    assert.is(db.code, 1100);
    assert.equal((await post('/collections/alter_properties', { collectionName: 'h', properties: { 'collection.insertRate.max.mb': '1000', 'collection.diskProtection.diskQuota.mb': 0 } })).code, 0);
    await s.client.insert('h', rowsOf(0, 10));
    await s.client.flush('h');
    let quota = await post('/entities/insert', { collectionName: 'h', data: rowsOf(100, 1) });
    for (let i = 0; i < 200 && quota.code === 0; i++) { await new Promise((r) => setTimeout(r, 50)); quota = await post('/entities/insert', { collectionName: 'h', data: rowsOf(200 + i, 1) }); }
    assert.is(quota.code, 9);
    assert.match(quota.message!, /^quota exceeded: /);
  } finally { await s.cleanup(); }
});

test.run();
