/**
 * Custom privilege groups and v2 grants at the HTTP API, black box: a
 * standalone system with auth on, driven over HTTP as root and as a user
 * whose role holds a custom group, then restarted on the same data.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client, vec } from './support/v2Client.js';

type Running = Awaited<ReturnType<typeof tempStandalone>>;
interface Ctx { s?: Running; http: V2Client }

const PERMISSION_DENIED = 2001, INVALID_ARGUMENT = 1100, GROUP_NOT_FOUND = 2007, GROUP_EXISTS = 2008, FAILED_PRECONDITION = 1702, NOT_LOADED = 102;
const bearer = (user: string, password: string) => ({ Authorization: `Bearer ${user}:${password}` });
const ROOT = bearer('root', 'Milvus');
const ALICE = bearer('alice', 'alice-pw-1');

const test = suite<Ctx>('http: custom privilege groups and v2 grants', { http: new V2Client('http://unset') });

async function start(ctx: Ctx, dataDir?: string): Promise<void> {
  ctx.s = await tempStandalone({ port: 0, auth: { enabled: true }, ...(dataDir ? { dataDir } : {}) });
  ctx.http = new V2Client(ctx.s.http!.url);
}

async function ok(ctx: Ctx, headers: Record<string, string>, path: string, body: unknown): Promise<any> {
  const { status, json } = await ctx.http.post(path, body, headers);
  assert.is(status, 200, `${path}: HTTP ${status} ${JSON.stringify(json)}`);
  assert.is(json.code, 0, `${path}: ${json.code} ${json.message}`);
  return json.data;
}

async function refused(ctx: Ctx, headers: Record<string, string>, path: string, body: unknown, status: number, code: number, says: RegExp): Promise<void> {
  const r = await ctx.http.post(path, body, headers);
  assert.is(r.status, status, `${path}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  assert.is(r.json.code, code, `${path}: ${r.json.code} ${r.json.message}`);
  assert.match(r.json.message!, says);
}

const search = (collectionName: string, dbName?: string) => ({ collectionName, data: [vec(1, 4)], limit: 2, consistencyLevel: 'Strong', ...(dbName ? { dbName } : {}) });
const query = (collectionName: string) => ({ collectionName, filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' });
const groupOf = async (ctx: Ctx, name: string) => ((await ok(ctx, ROOT, '/privilege_groups/list', {})).privilegeGroups as { privilegeGroupName: string; privileges: string }[]).find((g) => g.privilegeGroupName === name);

async function untilLoaded(ctx: Ctx, collectionName: string, dbName?: string): Promise<void> {
  for (let i = 0; i < 300 && (await ok(ctx, ROOT, '/collections/get_load_state', { collectionName, ...(dbName ? { dbName } : {}) })).loadState !== 'LoadStateLoaded'; i++) await new Promise((r) => setTimeout(r, 100));
}

test.before(async (ctx) => { await start(ctx); });
test.after(async (ctx) => { await ctx.s?.cleanup(); });

test('setup: books and films in default, books in db1; alice holds role analyst, which holds nothing', async (ctx) => {
  await ok(ctx, ROOT, '/databases/create', { dbName: 'db1' });
  for (const [c, dbName] of [['books', undefined], ['films', undefined], ['books', 'db1']] as const) {
    await ok(ctx, ROOT, '/collections/create', { collectionName: c, dimension: 4, ...(dbName ? { dbName } : {}) });
    await ok(ctx, ROOT, '/entities/insert', { collectionName: c, data: [0, 1, 2, 3].map((id) => ({ id, vector: vec(id, 4) })), ...(dbName ? { dbName } : {}) });
    await untilLoaded(ctx, c, dbName);
  }
  await ok(ctx, ROOT, '/users/create', { userName: 'alice', password: 'alice-pw-1' });
  await ok(ctx, ROOT, '/roles/create', { roleName: 'analyst' });
  await ok(ctx, ROOT, '/users/grant_role', { userName: 'alice', roleName: 'analyst' });
  await refused(ctx, ALICE, '/entities/search', search('books'), 403, PERMISSION_DENIED, /Search/);
});

test('create, list, add: names and privileges are checked; built-in groups are listed and cannot change', async (ctx) => {
  await ok(ctx, ROOT, '/privilege_groups/create', { privilegeGroupName: 'readers' });
  await refused(ctx, ROOT, '/privilege_groups/create', { privilegeGroupName: 'readers' }, 200, GROUP_EXISTS, /already exists/);
  await refused(ctx, ROOT, '/privilege_groups/create', { privilegeGroupName: 'CollectionReadOnly' }, 200, INVALID_ARGUMENT, /built-in/);
  await refused(ctx, ROOT, '/privilege_groups/create', { privilegeGroupName: 'bad-name' }, 200, INVALID_ARGUMENT, /letters, digits and underscores/);
  assert.equal(await groupOf(ctx, 'readers'), { privilegeGroupName: 'readers', privileges: '' });
  assert.ok((await groupOf(ctx, 'ClusterReadOnly'))!.privileges.split(',').includes('ListPrivilegeGroups'), 'built-in groups are listed');
  await refused(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'readers', privileges: ['Search', 'Fly'] }, 200, INVALID_ARGUMENT, /unknown privilege 'Fly'/);
  await refused(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'ghosts', privileges: ['Search'] }, 200, GROUP_NOT_FOUND, /ghosts/);
  await refused(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'CollectionReadOnly', privileges: ['Insert'] }, 200, INVALID_ARGUMENT, /built in/);
  await refused(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'readers', privileges: 'Search' }, 200, INVALID_ARGUMENT, /privileges/);
  assert.is((await groupOf(ctx, 'readers'))!.privileges, '', 'a refused change wrote nothing');
  await ok(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'readers', privileges: ['Search'] });
  assert.is((await groupOf(ctx, 'readers'))!.privileges, 'Search');
});

test('a role granted the group may do what it holds and nothing more; adding grants at once, removing revokes', async (ctx) => {
  await ok(ctx, ROOT, '/roles/grant_privilege', { roleName: 'analyst', objectType: 'Collection', objectName: 'books', privilege: 'readers' });
  assert.is((await ok(ctx, ALICE, '/entities/search', search('books'))).length, 2);
  await refused(ctx, ALICE, '/entities/query', query('books'), 403, PERMISSION_DENIED, /Query/);
  await refused(ctx, ALICE, '/entities/insert', { collectionName: 'books', data: [{ id: 9, vector: vec(9, 4) }] }, 403, PERMISSION_DENIED, /Insert/);
  await refused(ctx, ALICE, '/entities/search', search('films'), 403, PERMISSION_DENIED, /films/);
  await refused(ctx, ALICE, '/entities/search', search('books', 'db1'), 403, PERMISSION_DENIED, /db1/);
  await ok(ctx, ROOT, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'readers', privileges: ['Query'] });
  assert.is((await ok(ctx, ALICE, '/entities/query', query('books'))).length, 4, 'a privilege added after the grant holds at once');
  await ok(ctx, ROOT, '/privilege_groups/remove_privileges_from_group', { privilegeGroupName: 'readers', privileges: ['Search'] });
  await refused(ctx, ALICE, '/entities/search', search('books'), 403, PERMISSION_DENIED, /Search/);
  assert.equal((await ok(ctx, ROOT, '/roles/describe', { roleName: 'analyst' })).map((g: any) => g.privilege), ['readers'], 'the role holds the group, by name');
});

test('the group routes need their own privileges (ListPrivilegeGroups, CreatePrivilegeGroup, OperatePrivilegeGroup, DropPrivilegeGroup)', async (ctx) => {
  await refused(ctx, ALICE, '/privilege_groups/list', {}, 403, PERMISSION_DENIED, /ListPrivilegeGroups/);
  await refused(ctx, ALICE, '/privilege_groups/create', { privilegeGroupName: 'mine' }, 403, PERMISSION_DENIED, /CreatePrivilegeGroup/);
  await refused(ctx, ALICE, '/privilege_groups/add_privileges_to_group', { privilegeGroupName: 'readers', privileges: ['Insert'] }, 403, PERMISSION_DENIED, /OperatePrivilegeGroup/);
  await refused(ctx, ALICE, '/privilege_groups/drop', { privilegeGroupName: 'readers' }, 403, PERMISSION_DENIED, /DropPrivilegeGroup/);
  await refused(ctx, ALICE, '/roles/grant_privilege_v2', { roleName: 'analyst', privilege: 'Insert', collectionName: 'books' }, 403, PERMISSION_DENIED, /ManageOwnership/);
  // Cluster-level, granted the v2 way: both '*'.
  await refused(ctx, ROOT, '/roles/grant_privilege_v2', { roleName: 'analyst', privilege: 'ListPrivilegeGroups', collectionName: '*' }, 200, INVALID_ARGUMENT, /cluster-level/);
  await ok(ctx, ROOT, '/roles/grant_privilege_v2', { roleName: 'analyst', privilege: 'ListPrivilegeGroups', dbName: '*', collectionName: '*' });
  assert.ok((await ok(ctx, ALICE, '/privilege_groups/list', {})).privilegeGroups.length > 9);
  await ok(ctx, ROOT, '/roles/revoke_privilege_v2', { roleName: 'analyst', privilege: 'ListPrivilegeGroups', dbName: '*', collectionName: '*' });
  await refused(ctx, ALICE, '/privilege_groups/list', {}, 403, PERMISSION_DENIED, /ListPrivilegeGroups/);
});

test('v2 grant on one collection of one database: that one, there; revoke v2 takes it back', async (ctx) => {
  await ok(ctx, ROOT, '/roles/grant_privilege_v2', { roleName: 'analyst', privilege: 'Search', dbName: 'db1', collectionName: 'books' });
  assert.is((await ok(ctx, ALICE, '/entities/search', search('books', 'db1'))).length, 2);
  await refused(ctx, ALICE, '/entities/search', search('books'), 403, PERMISSION_DENIED, /database 'default'/);
  await ok(ctx, ROOT, '/roles/revoke_privilege_v2', { roleName: 'analyst', privilege: 'Search', dbName: 'db1', collectionName: 'books' });
  await refused(ctx, ALICE, '/entities/search', search('books', 'db1'), 403, PERMISSION_DENIED, /db1/);
  // A custom group, v2, over every collection of a database.
  await ok(ctx, ROOT, '/roles/grant_privilege_v2', { roleName: 'analyst', privilege: 'readers', dbName: 'db1', collectionName: '*' });
  assert.is((await ok(ctx, ALICE, '/entities/query', { ...query('books'), dbName: 'db1' })).length, 4);
  await ok(ctx, ROOT, '/roles/revoke_privilege_v2', { roleName: 'analyst', privilege: 'readers', dbName: 'db1', collectionName: '*' });
  await refused(ctx, ALICE, '/entities/query', { ...query('books'), dbName: 'db1' }, 403, PERMISSION_DENIED, /Query/);
});

test('refresh_load: a loaded collection reloads; one not loaded is named', async (ctx) => {
  await ok(ctx, ROOT, '/collections/refresh_load', { collectionName: 'films' });
  assert.is((await ok(ctx, ROOT, '/collections/get_load_state', { collectionName: 'films' })).loadState, 'LoadStateLoaded');
  await ok(ctx, ROOT, '/collections/release', { collectionName: 'films' });
  await refused(ctx, ROOT, '/collections/refresh_load', { collectionName: 'films' }, 200, NOT_LOADED, /not loaded/);
  await refused(ctx, ALICE, '/collections/refresh_load', { collectionName: 'books' }, 403, PERMISSION_DENIED, /Load/);
});

test('a restart keeps groups, their privileges and the grants of them; a granted group is dropped only once revoked', async (ctx) => {
  const dataDir = ctx.s!.dataDir;
  await ctx.s!.stop();
  await start(ctx, dataDir);
  assert.equal(await groupOf(ctx, 'readers'), { privilegeGroupName: 'readers', privileges: 'Query' });
  assert.is((await ok(ctx, ALICE, '/entities/query', query('books'))).length, 4);
  await refused(ctx, ALICE, '/entities/search', search('books'), 403, PERMISSION_DENIED, /Search/);
  await refused(ctx, ROOT, '/privilege_groups/drop', { privilegeGroupName: 'readers' }, 200, FAILED_PRECONDITION, /granted to role 'analyst'/);
  await ok(ctx, ROOT, '/roles/revoke_privilege', { roleName: 'analyst', objectType: 'Collection', objectName: 'books', privilege: 'readers' });
  await refused(ctx, ALICE, '/entities/query', query('books'), 403, PERMISSION_DENIED, /Query/);
  await ok(ctx, ROOT, '/privilege_groups/drop', { privilegeGroupName: 'readers' });
  assert.is(await groupOf(ctx, 'readers'), undefined);
  await refused(ctx, ROOT, '/privilege_groups/drop', { privilegeGroupName: 'readers' }, 200, GROUP_NOT_FOUND, /readers/);
});

test.run();
