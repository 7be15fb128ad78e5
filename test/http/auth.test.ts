/**
 * Authentication and privileges at the HTTP API, black box: a standalone system
 * with auth on, driven only over HTTP with `Authorization: Bearer user:password`,
 * then restarted on the same data.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { createHttpGateway } from '../../runtime/http/gateway.js';
import { V2Client, vec, type V2Reply } from './support/v2Client.js';

type Running = Awaited<ReturnType<typeof tempStandalone>>;
interface Ctx { s?: Running; http: V2Client }

const UNAUTHENTICATED = 2000, PERMISSION_DENIED = 2001, INVALID_ARGUMENT = 1100, USER_EXISTS = 2003, ROLE_NOT_FOUND = 2004;
const bearer = (user: string, password: string) => ({ Authorization: `Bearer ${user}:${password}` });
const ROOT = bearer('root', 'Milvus');

const test = suite<Ctx>('http auth: users, roles and privileges', { http: new V2Client('http://unset') });

async function start(ctx: Ctx, dataDir?: string): Promise<void> {
  ctx.s = await tempStandalone({ port: 0, auth: { enabled: true }, ...(dataDir ? { dataDir } : {}) });
  ctx.http = new V2Client(ctx.s.http!.url);
}

/** POSTs as a user; the HTTP status and the reply. */
const as = (ctx: Ctx, headers: Record<string, string>, path: string, body: unknown) => ctx.http.post(path, body, headers);

async function ok(ctx: Ctx, headers: Record<string, string>, path: string, body: unknown): Promise<any> {
  const { status, json } = await as(ctx, headers, path, body);
  assert.is(status, 200, `${path}: HTTP ${status} ${JSON.stringify(json)}`);
  assert.is(json.code, 0, `${path}: ${json.code} ${json.message}`);
  return json.data;
}

async function refused(ctx: Ctx, headers: Record<string, string>, path: string, body: unknown, status: number, code: number, says: RegExp): Promise<V2Reply> {
  const r = await as(ctx, headers, path, body);
  assert.is(r.status, status, `${path}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  assert.is(r.json.code, code, `${path}: ${r.json.code} ${r.json.message}`);
  assert.match(r.json.message!, says);
  return r.json;
}

const search = (collectionName: string) => ({ collectionName, data: [vec(1, 4)], limit: 2, consistencyLevel: 'Strong' });
const query = (collectionName: string) => ({ collectionName, filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' });

test.before(async (ctx) => { await start(ctx); });
test.after(async (ctx) => { await ctx.s?.cleanup(); });

test('root (initial password Milvus) may do everything: make two collections with rows', async (ctx) => {
  for (const c of ['books', 'films']) {
    await ok(ctx, ROOT, '/collections/create', { collectionName: c, dimension: 4 });
    await ok(ctx, ROOT, '/entities/insert', { collectionName: c, data: [0, 1, 2, 3].map((id) => ({ id, vector: vec(id, 4) })) });
  }
  for (const c of ['books', 'films']) {
    for (let i = 0; i < 300 && (await ok(ctx, ROOT, '/collections/get_load_state', { collectionName: c })).loadState !== 'LoadStateLoaded'; i++) await new Promise((r) => setTimeout(r, 100));
  }
  assert.is((await ok(ctx, ROOT, '/entities/search', search('books'))).length, 2);
  assert.ok((await ok(ctx, ROOT, '/users/list', {})).includes('root'));
  assert.equal(await ok(ctx, ROOT, '/roles/list', {}), ['admin', 'public']);
});

test('no credentials, a wrong password, an unknown user, a malformed token: HTTP 401, one answer', async (ctx) => {
  await refused(ctx, {}, '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
  const wrong = await refused(ctx, bearer('root', 'wrong-password'), '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
  const unknown = await refused(ctx, bearer('ghost', 'wrong-password'), '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
  assert.is(unknown.message, wrong.message, 'an unknown user is not told apart from a wrong password');
  await refused(ctx, { Authorization: 'Bearer rootMilvus' }, '/collections/list', {}, 401, UNAUTHENTICATED, /<user>:<password>/);
  await refused(ctx, { Authorization: 'Digest x' }, '/collections/list', {}, 401, UNAUTHENTICATED, /Bearer or Basic/);
  // Basic auth carries the same pair.
  const basic = { Authorization: `Basic ${Buffer.from('root:Milvus').toString('base64')}` };
  assert.ok((await ok(ctx, basic, '/collections/list', {})).includes('books'));
  const h = await ctx.http.healthz();
  assert.is(h.status, 200, 'probes need no credentials');
});

test('a new user with no role is denied search, naming the privilege (HTTP 403)', async (ctx) => {
  await ok(ctx, ROOT, '/users/create', { userName: 'alice', password: 'alice-pw-1' });
  await refused(ctx, ROOT, '/users/create', { userName: 'alice', password: 'alice-pw-1' }, 200, USER_EXISTS, /already exists/);
  await refused(ctx, ROOT, '/users/create', { userName: 'bob', password: 'short' }, 200, INVALID_ARGUMENT, /6\.\.256/);
  const alice = bearer('alice', 'alice-pw-1');
  await refused(ctx, alice, '/entities/search', search('books'), 403, PERMISSION_DENIED, /alice.*Search.*books/);
  // public's defaults (Milvus's): list collections.
  assert.ok((await ok(ctx, alice, '/collections/list', {})).includes('films'));
  await refused(ctx, alice, '/users/create', { userName: 'mallory', password: 'mallory-pw' }, 403, PERMISSION_DENIED, /CreateOwnership/);
  await refused(ctx, alice, '/roles/grant_privilege', { roleName: 'public', objectType: 'Global', objectName: '*', privilege: 'All' }, 403, PERMISSION_DENIED, /ManageOwnership/);
});

test('granted a role with Search and Query on one collection: searches it, not the other, and may not insert', async (ctx) => {
  await ok(ctx, ROOT, '/roles/create', { roleName: 'reader' });
  for (const privilege of ['Search', 'Query']) await ok(ctx, ROOT, '/roles/grant_privilege', { roleName: 'reader', objectType: 'Collection', objectName: 'books', privilege });
  await ok(ctx, ROOT, '/users/grant_role', { userName: 'alice', roleName: 'reader' });
  const alice = bearer('alice', 'alice-pw-1');
  assert.is((await ok(ctx, alice, '/entities/search', search('books'))).length, 2);
  assert.is((await ok(ctx, alice, '/entities/query', query('books'))).length, 4);
  await refused(ctx, alice, '/entities/search', search('films'), 403, PERMISSION_DENIED, /Search on Collection 'films'/);
  await refused(ctx, alice, '/entities/insert', { collectionName: 'books', data: [{ id: 9, vector: vec(9, 4) }] }, 403, PERMISSION_DENIED, /Insert/);
  await refused(ctx, alice, '/entities/search', { ...search('books'), dbName: 'other' }, 403, PERMISSION_DENIED, /database 'other'/);
  // Through an alias, the collection's grants apply (and only them).
  await ok(ctx, ROOT, '/aliases/create', { collectionName: 'books', aliasName: 'shelf' });
  await ok(ctx, ROOT, '/aliases/create', { collectionName: 'films', aliasName: 'reel' });
  assert.is((await ok(ctx, alice, '/entities/search', search('shelf'))).length, 2);
  await refused(ctx, alice, '/entities/search', search('reel'), 403, PERMISSION_DENIED, /Search on Collection 'reel'/);
  assert.equal(await ok(ctx, ROOT, '/users/describe', { userName: 'alice' }), ['reader']);
  assert.equal(await ok(ctx, alice, '/users/describe', { userName: 'alice' }), ['reader'], 'a user may describe themselves');
  assert.equal((await ok(ctx, ROOT, '/roles/describe', { roleName: 'reader' })).map((g: any) => `${g.objectType}/${g.objectName}/${g.privilege}/${g.dbName}`), ['Collection/books/Search/default', 'Collection/books/Query/default']);
});

test('grants are checked and named; revoke takes effect at once', async (ctx) => {
  await refused(ctx, ROOT, '/roles/grant_privilege', { roleName: 'reader', objectType: 'Collection', objectName: 'books', privilege: 'Fly' }, 200, INVALID_ARGUMENT, /unknown privilege 'Fly'/);
  await refused(ctx, ROOT, '/roles/grant_privilege', { roleName: 'nope', objectType: 'Collection', objectName: 'books', privilege: 'Search' }, 200, ROLE_NOT_FOUND, /nope/);
  await ok(ctx, ROOT, '/roles/revoke_privilege', { roleName: 'reader', objectType: 'Collection', objectName: 'books', privilege: 'Search' });
  const alice = bearer('alice', 'alice-pw-1');
  await refused(ctx, alice, '/entities/search', search('books'), 403, PERMISSION_DENIED, /Search/);
  assert.is((await ok(ctx, alice, '/entities/query', query('books'))).length, 4, 'Query is still granted');
  await refused(ctx, ROOT, '/roles/drop', { roleName: 'reader' }, 200, INVALID_ARGUMENT, /still holds/);
  await refused(ctx, ROOT, '/roles/drop', { roleName: 'admin' }, 200, INVALID_ARGUMENT, /built in/);
  await refused(ctx, ROOT, '/users/drop', { userName: 'root' }, 200, INVALID_ARGUMENT, /cannot be dropped/);
});

test('a password change: the old password is refused at once, the new one works; a wrong old password changes nothing', async (ctx) => {
  const old = bearer('alice', 'alice-pw-1'), next = bearer('alice', 'alice-pw-2');
  await refused(ctx, old, '/users/update_password', { userName: 'alice', password: 'not-the-old', newPassword: 'alice-pw-2' }, 200, UNAUTHENTICATED, /old password/);
  assert.ok(await ok(ctx, old, '/collections/list', {}), 'still the old password');
  await refused(ctx, old, '/users/update_password', { userName: 'root', password: 'Milvus', newPassword: 'hijacked!' }, 403, PERMISSION_DENIED, /UpdateUser/);
  await ok(ctx, old, '/users/update_password', { userName: 'alice', password: 'alice-pw-1', newPassword: 'alice-pw-2' });
  await refused(ctx, old, '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
  assert.ok((await ok(ctx, next, '/collections/list', {})).includes('books'));
});

test('another gateway, which cached a user, hears of a change at once (not after its cache time)', async (ctx) => {
  const other = await createHttpGateway(ctx.s!.client, { port: 0, rbac: ctx.s!.client, auth: { enabled: true, ttlMs: 600_000 } });
  try {
    const via = new V2Client(other.url);
    await ok(ctx, ROOT, '/users/create', { userName: 'carol', password: 'carol-pw-1' });
    const carol = bearer('carol', 'carol-pw-1');
    assert.ok(await via.post('/collections/list', {}, carol).then((r) => r.status === 200), 'cached at the other gateway');
    await ok(ctx, ROOT, '/users/drop', { userName: 'carol' });
    // The announcement travels over the bus; give it a moment.
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) { status = (await via.post('/collections/list', {}, carol)).status; if (status !== 401) await new Promise((r) => setTimeout(r, 20)); }
    assert.is(status, 401, 'a dropped user is refused by the other gateway too');
  } finally {
    await other.close();
  }
});

test('a restart keeps users, passwords, roles and grants', async (ctx) => {
  const dataDir = ctx.s!.dataDir;
  await ctx.s!.stop();
  await start(ctx, dataDir);
  const alice = bearer('alice', 'alice-pw-2');
  await refused(ctx, bearer('alice', 'alice-pw-1'), '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
  assert.is((await ok(ctx, alice, '/entities/query', query('books'))).length, 4);
  await refused(ctx, alice, '/entities/search', search('books'), 403, PERMISSION_DENIED, /Search/);
  assert.equal(await ok(ctx, ROOT, '/roles/list', {}), ['admin', 'public', 'reader']);
  assert.equal(await ok(ctx, ROOT, '/users/describe', { userName: 'alice' }), ['reader']);
  // Forced, a role with privileges goes, and its users lose it.
  await ok(ctx, ROOT, '/roles/drop', { roleName: 'reader', forceDrop: true });
  await refused(ctx, alice, '/entities/query', query('books'), 403, PERMISSION_DENIED, /Query/);
  await ok(ctx, ROOT, '/users/drop', { userName: 'alice' });
  await refused(ctx, alice, '/collections/list', {}, 401, UNAUTHENTICATED, /hasn't authenticated/);
});

test.run();
