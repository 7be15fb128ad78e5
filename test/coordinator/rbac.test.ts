import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as rbac from '../../actors/coordinator/core/rbac.js';
import type { RbacState, UserRecord } from '../../actors/coordinator/core/rbac.js';
import { isAllowed, ObjectType } from '../../actors/coordinator/core/privileges.js';
import { NuthatchError } from '../../messages/errors.js';

/** Users and roles as pure decisions: given a state, a request gives the records to write or a typed refusal. */

const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
const cred = { algorithm: 'scrypt', salt: '', hash: '', N: 1, r: 1, p: 1 } as const;

function given(): RbacState {
  const s = rbac.emptyRbac();
  for (const r of rbac.BUILT_IN_ROLES) s.roles.set(r.name, r);
  s.roles.set('reader', { name: 'reader', grants: [{ objectType: 'Collection', objectName: 'books', privilege: 'Search', dbName: 'default' }] });
  const users: UserRecord[] = [{ name: 'root', credential: cred, roles: [] }, { name: 'alice', credential: cred, roles: ['reader'] }, { name: 'bob', credential: cred, roles: [] }];
  for (const u of users) s.users.set(u.name, u);
  return s;
}

test('create_user: a valid new name and a password of 6..256 characters', () => {
  const s = given();
  assert.is(code(() => rbac.decideCreateUser(s, 'carol', 'secret1')), 'ok');
  assert.is(code(() => rbac.decideCreateUser(s, 'alice', 'secret1')), 'UserExists');
  assert.is(code(() => rbac.decideCreateUser(s, 'carol', 'short')), 'InvalidArgument');
  assert.is(code(() => rbac.decideCreateUser(s, 'carol', 'x'.repeat(257))), 'InvalidArgument');
  assert.is(code(() => rbac.decideCreateUser(s, 'carol', 'x'.repeat(256))), 'ok');
  assert.is(code(() => rbac.decideCreateUser(s, '1carol', 'secret1')), 'InvalidArgument', 'a letter first');
  assert.is(code(() => rbac.decideCreateUser(s, 'car-ol', 'secret1')), 'InvalidArgument');
  assert.is(code(() => rbac.decideCreateUser(s, 'c'.repeat(33), 'secret1')), 'InvalidArgument');
});

test('drop_user: root stays; an unknown user is named', () => {
  const s = given();
  assert.is(code(() => rbac.decideDropUser(s, 'root')), 'InvalidArgument');
  assert.is(code(() => rbac.decideDropUser(s, 'nobody')), 'UserNotFound');
  assert.is(code(() => rbac.decideDropUser(s, 'bob')), 'ok');
  assert.is(code(() => rbac.decideUpdatePassword(s, 'bob', 'tiny')), 'InvalidArgument');
  assert.is(code(() => rbac.decideUpdatePassword(s, 'nobody', 'longenough')), 'UserNotFound');
});

test('roles: names are new; built-in roles stay; a role holding privileges is dropped only when forced, and its users lose it', () => {
  const s = given();
  assert.equal(rbac.decideCreateRole(s, 'writer'), { name: 'writer', grants: [] });
  assert.is(code(() => rbac.decideCreateRole(s, 'reader')), 'RoleExists');
  assert.is(code(() => rbac.decideCreateRole(s, 'bad name')), 'InvalidArgument');
  assert.is(code(() => rbac.decideDropRole(s, 'admin', true)), 'InvalidArgument');
  assert.is(code(() => rbac.decideDropRole(s, 'public', true)), 'InvalidArgument');
  assert.is(code(() => rbac.decideDropRole(s, 'nope', false)), 'RoleNotFound');
  assert.is(code(() => rbac.decideDropRole(s, 'reader', false)), 'InvalidArgument');
  assert.equal(rbac.decideDropRole(s, 'reader', true).map((u) => [u.name, u.roles]), [['alice', []]]);
});

test('grant_role / revoke_role change the user record; both names must exist', () => {
  const s = given();
  assert.equal(rbac.decideGrantRole(s, 'bob', 'reader').roles, ['reader']);
  assert.is(rbac.decideGrantRole(s, 'alice', 'reader'), s.users.get('alice'), 'granted already: unchanged');
  assert.equal(rbac.decideRevokeRole(s, 'alice', 'reader').roles, []);
  assert.is(code(() => rbac.decideGrantRole(s, 'bob', 'nope')), 'RoleNotFound');
  assert.is(code(() => rbac.decideGrantRole(s, 'nobody', 'reader')), 'UserNotFound');
});

test('grant_privilege / revoke_privilege change the role record; admin is not changed; grants are checked', () => {
  const s = given();
  const insert = { objectType: 'Collection', objectName: 'books', privilege: 'Insert' };
  const r = rbac.decideGrantPrivilege(s, 'reader', insert);
  assert.is(r.grants.length, 2);
  assert.equal(r.grants[1], { ...insert, dbName: 'default' });
  s.roles.set('reader', r);
  assert.is(rbac.decideGrantPrivilege(s, 'reader', insert), r, 'held already: unchanged');
  assert.is(rbac.decideRevokePrivilege(s, 'reader', { ...insert, dbName: 'default' }).grants.length, 1);
  assert.is(code(() => rbac.decideGrantPrivilege(s, 'admin', insert)), 'InvalidArgument');
  assert.is(code(() => rbac.decideGrantPrivilege(s, 'reader', { ...insert, privilege: 'Teleport' })), 'InvalidArgument');
  assert.is(code(() => rbac.decideGrantPrivilege(s, 'nope', insert)), 'RoleNotFound');
});

test("a user's access is their roles plus public, and what those grant: may user U do P on O in D", () => {
  const s = given();
  const alice = rbac.accessOf(s, 'alice');
  assert.equal(alice.roles, ['reader', 'public']);
  assert.ok(isAllowed(alice, { privilege: 'Search', objectType: ObjectType.Collection, objectName: 'books', dbName: 'default' }));
  assert.not.ok(isAllowed(alice, { privilege: 'Search', objectType: ObjectType.Collection, objectName: 'films', dbName: 'default' }));
  assert.not.ok(isAllowed(alice, { privilege: 'Insert', objectType: ObjectType.Collection, objectName: 'books', dbName: 'default' }));
  const bob = rbac.accessOf(s, 'bob');
  assert.not.ok(isAllowed(bob, { privilege: 'Search', objectType: ObjectType.Collection, objectName: 'books', dbName: 'default' }), 'no role: no search');
  assert.ok(isAllowed(bob, { privilege: 'ShowCollections', objectType: ObjectType.Global, objectName: '*', dbName: 'default' }), "public's default grants");
  assert.ok(rbac.accessOf(s, 'root').superuser);
  assert.not.ok(alice.superuser);
  assert.is(code(() => rbac.accessOf(s, 'nobody')), 'UserNotFound');
});

test.run();
