import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as rbac from '../../actors/coordinator/core/rbac.js';
import * as groups from '../../actors/coordinator/core/privilegeGroups.js';
import { grantOfV2 } from '../../actors/coordinator/core/grantV2.js';
import { isAllowed, ObjectType, PRIVILEGE_GROUPS, type Requirement } from '../../actors/coordinator/core/privileges.js';
import type { RbacState } from '../../actors/coordinator/core/rbac.js';
import { NuthatchError } from '../../messages/errors.js';

/** Custom privilege groups and v2 grants as pure decisions over an RBAC state. */

const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
const cred = { algorithm: 'scrypt', salt: '', hash: '', N: 1, r: 1, p: 1 } as const;

function given(): RbacState {
  const s = rbac.emptyRbac();
  for (const r of rbac.BUILT_IN_ROLES) s.roles.set(r.name, r);
  s.roles.set('analyst', { name: 'analyst', grants: [] });
  s.users.set('alice', { name: 'alice', credential: cred, roles: ['analyst'] });
  return s;
}
const apply = <T extends { name: string }>(m: Map<string, T>, r: T) => { m.set(r.name, r); };
const need = (privilege: string, objectName: string, dbName = 'default', objectType: Requirement['objectType'] = ObjectType.Collection): Requirement => ({ privilege, objectType, objectName, dbName });
const may = (s: RbacState, r: Requirement) => isAllowed(rbac.accessOf(s, 'alice'), r);

test('create: names as Milvus checks them; a built-in group or privilege name is taken; no duplicates', () => {
  const s = given();
  for (const ok of ['readers', '_x', 'a1_b', 'g'.repeat(255)]) assert.is(code(() => groups.decideCreateGroup(s.groups, ok)), 'ok', ok);
  for (const bad of ['', '1abc', 'has-dash', 'sp ace', 'g'.repeat(256)]) assert.is(code(() => groups.decideCreateGroup(s.groups, bad)), 'InvalidArgument', bad);
  assert.is(code(() => groups.decideCreateGroup(s.groups, 'CollectionReadOnly')), 'InvalidArgument', 'a built-in group');
  assert.is(code(() => groups.decideCreateGroup(s.groups, 'Search')), 'InvalidArgument', 'a privilege');
  apply(s.groups, groups.decideCreateGroup(s.groups, 'readers'));
  assert.is(code(() => groups.decideCreateGroup(s.groups, 'readers')), 'PrivilegeGroupExists');
  assert.equal(s.groups.get('readers'), { name: 'readers', privileges: [] });
});

test('add / remove: known privilege names only; built-in groups cannot change; an unknown group is named', () => {
  const s = given();
  apply(s.groups, groups.decideCreateGroup(s.groups, 'readers'));
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'readers', ['Search', 'Fly'])), 'InvalidArgument');
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'readers', ['CollectionReadOnly'])), 'InvalidArgument', 'a group holds privileges, not groups');
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'readers', [])), 'InvalidArgument');
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'readers', 'Search')), 'InvalidArgument');
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'nope', ['Search'])), 'PrivilegeGroupNotFound');
  assert.is(code(() => groups.decideAddPrivileges(s.groups, 'ClusterAdmin', ['Search'])), 'InvalidArgument');
  assert.is(code(() => groups.decideRemovePrivileges(s.groups, 'CollectionReadOnly', ['Search'])), 'InvalidArgument');
  assert.equal(s.groups.get('readers')!.privileges, [], 'a refused change wrote nothing');
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'readers', ['Search', 'Query', 'Search']));
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'readers', ['Query', 'Insert']));
  assert.equal(s.groups.get('readers')!.privileges, ['Search', 'Query', 'Insert']);
  apply(s.groups, groups.decideRemovePrivileges(s.groups, 'readers', ['Insert', 'Delete']));
  assert.equal(s.groups.get('readers')!.privileges, ['Search', 'Query']);
});

test('list: the built-in groups, then the custom ones by name, each with its privileges', () => {
  const s = given();
  for (const n of ['zeta', 'alpha']) apply(s.groups, groups.decideCreateGroup(s.groups, n));
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'alpha', ['Insert']));
  const list = groups.listGroups(s.groups);
  const builtIn = Object.keys(PRIVILEGE_GROUPS);
  assert.equal(list.map((g) => g.groupName), [...builtIn, 'alpha', 'zeta']);
  assert.equal(list.find((g) => g.groupName === 'alpha')!.privileges, ['Insert']);
  assert.equal(list.find((g) => g.groupName === 'CollectionReadOnly')!.privileges, [...PRIVILEGE_GROUPS.CollectionReadOnly!.privileges]);
});

test('a role granted a custom group holds what the group holds now: added privileges at once, removed ones gone', () => {
  const s = given();
  apply(s.groups, groups.decideCreateGroup(s.groups, 'readers'));
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'readers', ['Search']));
  apply(s.roles, rbac.decideGrantPrivilege(s, 'analyst', { objectType: 'Collection', objectName: 'books', privilege: 'readers' }));
  assert.ok(may(s, need('Search', 'books')));
  assert.not.ok(may(s, need('Query', 'books')), 'not in the group');
  assert.not.ok(may(s, need('Search', 'films')), 'another collection');
  assert.not.ok(may(s, need('Search', 'books', 'other')), 'another database');
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'readers', ['Query']));
  assert.ok(may(s, need('Query', 'books')), 'added after the grant');
  apply(s.groups, groups.decideRemovePrivileges(s.groups, 'readers', ['Search']));
  assert.not.ok(may(s, need('Search', 'books')), 'removed');
});

test('grant: an unknown group is refused; drop: refused while a role is granted it, then allowed', () => {
  const s = given();
  assert.is(code(() => rbac.decideGrantPrivilege(s, 'analyst', { objectType: 'Collection', objectName: 'books', privilege: 'readers' })), 'InvalidArgument');
  apply(s.groups, groups.decideCreateGroup(s.groups, 'readers'));
  assert.is(code(() => rbac.decideGrantPrivilege(s, 'analyst', { objectType: 'User', objectName: 'bob', privilege: 'readers' })), 'InvalidArgument', 'Collection or Global only');
  apply(s.roles, rbac.decideGrantPrivilege(s, 'analyst', { objectType: 'Global', objectName: '*', privilege: 'readers' }));
  assert.is(code(() => groups.decideDropGroup(s.groups, s.roles.values(), 'readers')), 'FailedPrecondition');
  assert.is(code(() => groups.decideDropGroup(s.groups, s.roles.values(), 'CollectionAdmin')), 'InvalidArgument');
  assert.is(code(() => groups.decideDropGroup(s.groups, s.roles.values(), 'nope')), 'PrivilegeGroupNotFound');
  apply(s.roles, rbac.decideRevokePrivilege(s, 'analyst', { objectType: 'Global', objectName: '*', privilege: 'readers' }));
  assert.is(code(() => groups.decideDropGroup(s.groups, s.roles.values(), 'readers')), 'ok');
});

test('v2 grants: levels bound the scope as in Milvus; defaults to the default database', () => {
  const isCustom = (n: string) => n === 'mine';
  const v2 = (privilege: string, collectionName: string, dbName?: string) => grantOfV2({ privilege, collectionName, ...(dbName === undefined ? {} : { dbName }) }, isCustom);
  assert.equal(v2('Search', 'books'), { objectType: 'Collection', objectName: 'books', privilege: 'Search', dbName: 'default' });
  assert.equal(v2('Search', '*', 'db1'), { objectType: 'Collection', objectName: '*', privilege: 'Search', dbName: 'db1' });
  assert.equal(v2('CollectionReadOnly', '*', 'db1'), { objectType: 'Global', objectName: '*', privilege: 'CollectionReadOnly', dbName: 'db1' });
  assert.equal(v2('mine', 'books', 'db1'), { objectType: 'Collection', objectName: 'books', privilege: 'mine', dbName: 'db1' });
  assert.equal(v2('mine', '*', '*'), { objectType: 'Global', objectName: '*', privilege: 'mine', dbName: '*' });
  // Database level: collectionName '*'.
  assert.equal(v2('DatabaseAdmin', '*', 'db1'), { objectType: 'Global', objectName: '*', privilege: 'DatabaseAdmin', dbName: 'db1' });
  assert.equal(v2('CreateCollection', '*', 'db1'), { objectType: 'Global', objectName: '*', privilege: 'CreateCollection', dbName: 'db1' });
  assert.is(code(() => v2('CreateCollection', 'books', 'db1')), 'InvalidArgument');
  assert.is(code(() => v2('DatabaseReadOnly', 'books')), 'InvalidArgument');
  // Cluster level: both '*'.
  assert.equal(v2('ClusterAdmin', '*', '*'), { objectType: 'Global', objectName: '*', privilege: 'ClusterAdmin', dbName: '*' });
  assert.equal(v2('UpdateUser', '*', '*'), { objectType: 'User', objectName: '*', privilege: 'UpdateUser', dbName: '*' });
  assert.is(code(() => v2('CreateDatabase', '*', 'db1')), 'InvalidArgument');
  assert.is(code(() => v2('ClusterReadOnly', '*')), 'InvalidArgument', "dbName defaults to 'default', not '*'");
  assert.is(code(() => v2('Fly', 'books')), 'InvalidArgument');
  assert.is(code(() => v2('Search', '')), 'InvalidArgument');
});

test('v2 grant on one collection of one database: that collection there, nothing else; revoke v2 takes it back', () => {
  const s = given();
  apply(s.roles, rbac.decideGrantPrivilegeV2(s, 'analyst', { privilege: 'Search', dbName: 'db1', collectionName: 'books' }));
  assert.ok(may(s, need('Search', 'books', 'db1')));
  assert.not.ok(may(s, need('Search', 'books')), 'the default database');
  assert.not.ok(may(s, need('Search', 'films', 'db1')));
  assert.not.ok(may(s, need('Query', 'books', 'db1')));
  // A custom group over a whole database covers its database-level members too.
  apply(s.groups, groups.decideCreateGroup(s.groups, 'builders'));
  apply(s.groups, groups.decideAddPrivileges(s.groups, 'builders', ['CreateCollection', 'Insert']));
  apply(s.roles, rbac.decideGrantPrivilegeV2(s, 'analyst', { privilege: 'builders', dbName: 'db2', collectionName: '*' }));
  assert.ok(may(s, need('CreateCollection', '*', 'db2', ObjectType.Global)));
  assert.ok(may(s, need('Insert', 'anything', 'db2')));
  assert.not.ok(may(s, need('Insert', 'anything', 'db1')));
  apply(s.roles, rbac.decideRevokePrivilegeV2(s, 'analyst', { privilege: 'Search', dbName: 'db1', collectionName: 'books' }));
  assert.not.ok(may(s, need('Search', 'books', 'db1')));
  assert.ok(may(s, need('Insert', 'anything', 'db2')), 'the other grant stays');
});

test.run();
