/**
 * Specifies the gateway's HTTP layer: health, routing, methods, content types,
 * body limits, and that an unexpected exception becomes code 1 (Internal)
 * while the process keeps serving. Runs the gateway over the in-memory api,
 * with faults injected by overriding one api method.
 */
import { request } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/index.js';
import { createHttpGateway, ENDPOINTS, type HttpGateway } from '../../runtime/http/gateway.js';
import { MemoryApi } from './support/memoryApi.js';

class FaultyApi extends MemoryApi {
  fault: unknown = undefined;
  override async listCollections(): Promise<string[]> {
    if (this.fault !== undefined) throw this.fault;
    return super.listCollections();
  }
}

const api = new FaultyApi();
let ready = true;
const logged: unknown[][] = [];
let gw: HttpGateway;

test.before(async () => {
  gw = await createHttpGateway(api, { port: 0, isReady: () => ready, log: (...a) => logged.push(a), maxBodyBytes: 1024 });
});
test.after(async () => { await gw.close(); });

async function post(path: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { code: number; message?: string; data?: unknown } };
}

/** A raw request through node:http, for what fetch cannot send (no Content-Type, chunked bodies). */
function raw(path: string, headers: Record<string, string>, chunks: string[]): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test('serves every documented endpoint', () => {
  const families = { collections: 23, partitions: 7, indexes: 4, entities: 7, aliases: 5, privilege_groups: 5 };
  for (const [family, n] of Object.entries(families)) {
    assert.is(ENDPOINTS.filter((e) => e.startsWith(`/v2/vectordb/${family}/`)).length, n, family);
  }
});

test('healthz: 200 when ready, 503 when not, GET only', async () => {
  let res = await fetch(`${gw.url}/healthz`);
  assert.is(res.status, 200);
  assert.equal(await res.json(), { status: 'ok' });
  ready = false;
  res = await fetch(`${gw.url}/healthz`);
  assert.is(res.status, 503);
  assert.equal(await res.json(), { status: 'unavailable' });
  ready = true;
  assert.is((await post('/healthz', '{}')).status, 405);
});

test('unknown endpoint: 404 with a JSON error; wrong method: 405 naming POST', async () => {
  const r = await post('/v2/vectordb/collections/nope', '{}');
  assert.is(r.status, 404);
  assert.is(r.json.code, ErrorCode.NotFound);
  assert.match(r.json.message!, /unknown endpoint \/v2\/vectordb\/collections\/nope/);
  const g = await fetch(`${gw.url}/v2/vectordb/collections/list`);
  assert.is(g.status, 405);
  assert.is(g.headers.get('allow'), 'POST');
  const body = (await g.json()) as { code: number; message: string };
  assert.is(body.code, ErrorCode.MalformedRequest);
  assert.match(body.message, /takes POST, not GET/);
});

test('malformed JSON, wrong Content-Type and compressed bodies are MalformedRequest', async () => {
  const bad = await post('/v2/vectordb/collections/list', '{"dbName": ');
  assert.is(bad.status, 200);
  assert.is(bad.json.code, ErrorCode.MalformedRequest);
  assert.match(bad.json.message!, /not valid JSON/);
  const plain = await post('/v2/vectordb/collections/list', '{}', { 'Content-Type': 'text/plain' });
  assert.is(plain.json.code, ErrorCode.MalformedRequest);
  assert.match(plain.json.message!, /Content-Type must be application\/json, got 'text\/plain'/);
  const gz = await post('/v2/vectordb/collections/list', '{}', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
  assert.is(gz.json.code, ErrorCode.MalformedRequest);
});

test('no Content-Type and an empty body are accepted; query strings are ignored', async () => {
  const r = await raw('/v2/vectordb/collections/list', {}, []);
  assert.equal(r.json, { code: 0, data: [] });
  const q = await post('/v2/vectordb/collections/list?verbose=1', '', { 'Content-Type': 'application/json; charset=utf-8' });
  assert.equal(q.json, { code: 0, data: [] });
});

test('a body over the limit is PayloadTooLarge (declared or streamed), and the server keeps serving', async () => {
  const big = JSON.stringify({ dbName: 'x'.repeat(2000) });
  const declared = await post('/v2/vectordb/collections/list', big);
  assert.is(declared.status, 413);
  assert.is(declared.json.code, ErrorCode.PayloadTooLarge);
  assert.match(declared.json.message!, /at most 1024 bytes/);
  const streamed = await raw('/v2/vectordb/collections/list', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, [big.slice(0, 800), big.slice(800)]);
  assert.is(streamed.status, 413);
  assert.is(streamed.json.code, ErrorCode.PayloadTooLarge);
  assert.equal((await post('/v2/vectordb/collections/list', '{}')).json, { code: 0, data: [] });
});

test('an unexpected exception is code 1 (Internal), is logged, and the server keeps serving', async () => {
  api.fault = new Error('disk on fire');
  const r = await post('/v2/vectordb/collections/list', '{}');
  assert.is(r.status, 200);
  assert.equal(r.json, { code: ErrorCode.Internal, message: 'disk on fire' });
  assert.ok(logged.some((a) => a.includes(api.fault)), 'the exception was logged');
  api.fault = 'a thrown string';
  assert.equal((await post('/v2/vectordb/collections/list', '{}')).json, { code: ErrorCode.Internal, message: 'a thrown string' });
  api.fault = undefined;
  assert.equal((await post('/v2/vectordb/collections/list', '{}')).json, { code: 0, data: [] });
});

test('typed api errors keep their wire code', async () => {
  const r = await post('/v2/vectordb/collections/describe', JSON.stringify({ collectionName: 'ghost' }));
  assert.equal(r.json, { code: ErrorCode.CollectionNotFound, message: "collection 'ghost' does not exist" });
});

test('concurrent requests are served independently', async () => {
  await post('/v2/vectordb/collections/create', JSON.stringify({ collectionName: 'conc', dimension: 2 }));
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post('/v2/vectordb/entities/insert', JSON.stringify({ collectionName: 'conc', data: [{ id: i, vector: [i, 1] }] }))));
  assert.equal(replies.map((r) => r.json.code), new Array(20).fill(0));
  const stats = await post('/v2/vectordb/collections/get_stats', JSON.stringify({ collectionName: 'conc' }));
  assert.equal(stats.json.data, { rowCount: 20 });
});

test.run();
