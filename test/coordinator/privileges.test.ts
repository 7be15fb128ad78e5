import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGrant, grantCovers, isAllowed, ObjectType, PRIVILEGE_GROUPS, type Access, type Grant, type Requirement } from '../../actors/coordinator/core/privileges.js';
import { NuthatchError } from '../../messages/errors.js';

/** The privilege model: which grants allow which requests (Milvus's names and scoping). */

const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
const need = (privilege: string, objectName = 'books', objectType: ObjectType = ObjectType.Collection, dbName = 'default'): Requirement => ({ privilege, objectType, objectName, dbName });
const grant = (privilege: string, objectName = 'books', objectType: ObjectType = ObjectType.Collection, dbName = 'default'): Grant => ({ privilege, objectType, objectName, dbName });
const user = (grants: Grant[], roles = ['reader', 'public']): Access => ({ user: 'alice', superuser: false, roles, grants });

test('a collection grant allows its privilege on that collection only, in that database only', () => {
  const a = user([grant('Search')]);
  assert.ok(isAllowed(a, need('Search')));
  assert.not.ok(isAllowed(a, need('Search', 'films')), 'another collection');
  assert.not.ok(isAllowed(a, need('Insert')), 'another privilege');
  assert.not.ok(isAllowed(a, need('Search', 'books', ObjectType.Collection, 'other')), 'another database');
});

test("'*' names every collection; a Global grant covers every object of its database; dbName '*' every database", () => {
  assert.ok(isAllowed(user([grant('Query', '*')]), need('Query', 'anything')));
  assert.ok(isAllowed(user([grant('DescribeCollection', '*', ObjectType.Global)]), need('DescribeCollection', 'books')));
  assert.ok(isAllowed(user([grant('Query', '*', ObjectType.Collection, '*')]), need('Query', 'books', ObjectType.Collection, 'other')));
  assert.not.ok(isAllowed(user([grant('CreateCollection', '*', ObjectType.Global, 'other')]), need('CreateCollection', '*', ObjectType.Global)));
});

test('All and privilege groups grant what they hold', () => {
  assert.ok(isAllowed(user([grant('All', '*', ObjectType.Global)]), need('Delete')));
  const ro = user([grant('CollectionReadOnly')]);
  assert.ok(isAllowed(ro, need('Search')) && isAllowed(ro, need('Query')) && isAllowed(ro, need('DescribeCollection')));
  assert.not.ok(isAllowed(ro, need('Insert')), 'read-only holds no write');
  assert.not.ok(isAllowed(ro, need('Search', 'films')), 'a group on one collection stays on it');
  assert.ok(isAllowed(user([grant('CollectionReadWrite')]), need('Insert')));
  assert.ok(isAllowed(user([grant('DatabaseAdmin', '*', ObjectType.Global)]), need('CreateCollection', '*', ObjectType.Global)));
  for (const g of Object.values(PRIVILEGE_GROUPS)) assert.ok(g.privileges.length > 0);
});

test('root and admin may do anything; a user may read and update themselves, not others', () => {
  assert.ok(isAllowed({ user: 'root', superuser: true, roles: ['public'], grants: [] }, need('DropCollection')));
  assert.ok(isAllowed(user([], ['admin', 'public']), need('Insert', 'x')));
  const nobody = user([], ['public']);
  assert.not.ok(isAllowed(nobody, need('Search')));
  assert.ok(isAllowed(nobody, need('UpdateUser', 'alice', ObjectType.User)));
  assert.ok(isAllowed(nobody, need('SelectUser', 'alice', ObjectType.User)));
  assert.not.ok(isAllowed(nobody, need('UpdateUser', 'bob', ObjectType.User)));
});

test('a grant is checked: a known privilege, on its object type, Global grants naming no object; dbName defaults', () => {
  assert.equal(checkGrant({ objectType: 'Collection', objectName: 'books', privilege: 'Search' }), grant('Search'));
  assert.equal(checkGrant({ objectType: 'Global', objectName: '*', privilege: 'CollectionReadOnly', dbName: '*' }), grant('CollectionReadOnly', '*', ObjectType.Global, '*'));
  assert.is(code(() => checkGrant({ objectType: 'Collection', objectName: 'books', privilege: 'Fly' })), 'InvalidArgument');
  assert.is(code(() => checkGrant({ objectType: 'Collection', objectName: 'books', privilege: 'constructor' })), 'InvalidArgument', 'not a prototype key');
  assert.is(code(() => checkGrant({ objectType: 'Table', objectName: 'books', privilege: 'Search' })), 'InvalidArgument');
  assert.is(code(() => checkGrant({ objectType: 'Global', objectName: '*', privilege: 'Search' })), 'InvalidArgument', 'Search is a Collection privilege');
  assert.is(code(() => checkGrant({ objectType: 'Collection', objectName: 'books', privilege: 'CreateCollection' })), 'InvalidArgument');
  assert.is(code(() => checkGrant({ objectType: 'Global', objectName: 'books', privilege: 'CreateCollection' })), 'InvalidArgument', 'Global names no object');
  assert.is(code(() => checkGrant({ objectType: 'Collection', objectName: '', privilege: 'Search' })), 'InvalidArgument');
  assert.is(code(() => checkGrant({ objectType: 'Collection', objectName: 'books', privilege: 'DatabaseAdmin' })), 'InvalidArgument', 'a database group on a collection');
});

test('grantCovers: database first, then privilege, then object', () => {
  assert.ok(grantCovers(grant('Search', '*', ObjectType.Collection, '*'), need('Search', 'x', ObjectType.Collection, 'db2')));
  assert.not.ok(grantCovers(grant('Search', '*', ObjectType.Collection), need('Search', 'u', ObjectType.User)), 'a collection grant covers no user');
});

test.run();
