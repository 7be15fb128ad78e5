import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { GrantRequest } from '../../../messages/rpc/rbac.js';
import { grantOfV2, type GrantV2Request } from './grantV2.js';
import { expandGroups, type PrivilegeGroupRecord } from './privilegeGroups.js';
import { checkGrant, PUBLIC_DEFAULT_GRANTS, ROLE_ADMIN, ROLE_PUBLIC, USER_ROOT, type Access, type Grant } from './privileges.js';

/**
 * Users and roles (Milvus's RBAC): the deciders check a request against the
 * state and return the records to write, or throw a typed error. Pure: the
 * shell hashes passwords (with a salt it draws) and writes the records.
 */

/** A salted password hash, as the shell made it (see shell/passwordHash.ts). */
export interface Credential { algorithm: 'scrypt'; salt: string; hash: string; N: number; r: number; p: number }
export interface UserRecord { name: string; credential: Credential; roles: string[] }
export interface RoleRecord { name: string; grants: Grant[] }
/** Users, roles and custom privilege groups (core/privilegeGroups.ts). */
export interface RbacState { users: Map<string, UserRecord>; roles: Map<string, RoleRecord>; groups: Map<string, PrivilegeGroupRecord> }

/** Milvus's limits: names up to 32 characters, passwords of 6..256. */
export const LIMITS = { maxNameLength: 32, minPasswordLength: 6, maxPasswordLength: 256 } as const;

/** The roles every system has; they are never dropped. */
export const BUILT_IN_ROLES: readonly RoleRecord[] = [
  { name: ROLE_ADMIN, grants: [] },
  { name: ROLE_PUBLIC, grants: [...PUBLIC_DEFAULT_GRANTS] },
];

export function emptyRbac(): RbacState { return { users: new Map(), roles: new Map(), groups: new Map() }; }

/** A user or role name as Milvus takes it: a letter (or `_` for roles) first, then letters, digits and `_`, at most 32. */
function checkName(kind: 'user' | 'role', name: unknown): string {
  const field = kind === 'user' ? 'userName' : 'roleName';
  if (typeof name !== 'string' || name === '') throw new ValidationError(`${field} must be a non-empty string`, { field });
  if (name.length > LIMITS.maxNameLength) throw new ValidationError(`${field} '${name.slice(0, 40)}' is longer than ${LIMITS.maxNameLength} characters`, { field });
  const first = kind === 'user' ? /^[A-Za-z]/ : /^[A-Za-z_]/;
  if (!first.test(name) || !/^[A-Za-z0-9_]+$/.test(name)) {
    throw new ValidationError(`${field} '${name}' must start with a letter${kind === 'role' ? ' or underscore' : ''} and hold only letters, digits and underscores`, { field });
  }
  return name;
}
export const checkUserName = (name: unknown) => checkName('user', name);
export const checkRoleName = (name: unknown) => checkName('role', name);

/** A password of 6..256 characters (Milvus's proxy.minPasswordLength / maxPasswordLength). */
export function checkPassword(password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length < LIMITS.minPasswordLength || password.length > LIMITS.maxPasswordLength) {
    throw new ValidationError(`${field} must be ${LIMITS.minPasswordLength}..${LIMITS.maxPasswordLength} characters long`, { field });
  }
  return password;
}

export function userOf(s: RbacState, name: string): UserRecord {
  const u = s.users.get(name);
  if (!u) throw new NuthatchError('UserNotFound', `user '${name}' does not exist`, { user: name });
  return u;
}
export function roleOf(s: RbacState, name: string): RoleRecord {
  const r = s.roles.get(name);
  if (!r) throw new NuthatchError('RoleNotFound', `role '${name}' does not exist`, { role: name });
  return r;
}

export function decideCreateUser(s: RbacState, name: string, password: string): void {
  checkUserName(name);
  checkPassword(password);
  if (s.users.has(name)) throw new NuthatchError('UserExists', `user '${name}' already exists`, { user: name });
}

export function decideDropUser(s: RbacState, name: string): void {
  if (name === USER_ROOT) throw new ValidationError(`user '${USER_ROOT}' cannot be dropped`, { field: 'userName' });
  userOf(s, name);
}

/** The old password is checked by the shell (it needs the hash); this checks the rest. */
export function decideUpdatePassword(s: RbacState, name: string, newPassword: string): UserRecord {
  checkPassword(newPassword, 'newPassword');
  return userOf(s, name);
}

export function decideCreateRole(s: RbacState, name: string): RoleRecord {
  checkRoleName(name);
  if (s.roles.has(name)) throw new NuthatchError('RoleExists', `role '${name}' already exists`, { role: name });
  return { name, grants: [] };
}

/**
 * Like Milvus, a role that still holds privileges is dropped only when forced;
 * the users holding it lose it. Returns those users as they are after.
 */
export function decideDropRole(s: RbacState, name: string, force: boolean): UserRecord[] {
  if (BUILT_IN_ROLES.some((r) => r.name === name)) throw new ValidationError(`role '${name}' is built in and cannot be dropped`, { field: 'roleName' });
  const role = roleOf(s, name);
  if (role.grants.length > 0 && !force) {
    throw new ValidationError(`role '${name}' still holds ${role.grants.length} privilege(s): revoke them first, or drop with forceDrop`, { field: 'forceDrop' });
  }
  return [...s.users.values()].filter((u) => u.roles.includes(name)).map((u) => ({ ...u, roles: u.roles.filter((r) => r !== name) }));
}

/** The user with the role added (no change when held already). */
export function decideGrantRole(s: RbacState, user: string, role: string): UserRecord {
  const u = userOf(s, user);
  roleOf(s, role);
  return u.roles.includes(role) ? u : { ...u, roles: [...u.roles, role].sort() };
}

export function decideRevokeRole(s: RbacState, user: string, role: string): UserRecord {
  const u = userOf(s, user);
  roleOf(s, role);
  return { ...u, roles: u.roles.filter((r) => r !== role) };
}

const sameGrant = (a: Grant, b: Grant) => a.objectType === b.objectType && a.objectName === b.objectName && a.privilege === b.privilege && a.dbName === b.dbName;

function changeGrants(s: RbacState, role: string, given: GrantRequest): { r: RoleRecord; g: Grant } {
  const r = roleOf(s, role);
  if (role === ROLE_ADMIN) throw new ValidationError(`role '${ROLE_ADMIN}' holds every privilege; its grants cannot change`, { field: 'roleName' });
  return { r, g: checkGrant(given, (name) => s.groups.has(name)) };
}

/** The role with the grant added (no change when held already). */
export function decideGrantPrivilege(s: RbacState, role: string, given: GrantRequest): RoleRecord {
  const { r, g } = changeGrants(s, role, given);
  return r.grants.some((x) => sameGrant(x, g)) ? r : { ...r, grants: [...r.grants, g] };
}

export function decideRevokePrivilege(s: RbacState, role: string, given: GrantRequest): RoleRecord {
  const { r, g } = changeGrants(s, role, given);
  return { ...r, grants: r.grants.filter((x) => !sameGrant(x, g)) };
}

/** grant_privilege_v2: the role with the v2 grant (core/grantV2.ts) added. */
export function decideGrantPrivilegeV2(s: RbacState, role: string, given: GrantV2Request): RoleRecord {
  return decideGrantPrivilege(s, role, grantOfV2(given, (name) => s.groups.has(name)));
}

export function decideRevokePrivilegeV2(s: RbacState, role: string, given: GrantV2Request): RoleRecord {
  return decideRevokePrivilege(s, role, grantOfV2(given, (name) => s.groups.has(name)));
}

/**
 * What a user may do: their roles plus public, and every grant those roles
 * hold, a custom group's grant standing for its privileges as they are now.
 */
export function accessOf(s: RbacState, name: string): Access {
  const u = userOf(s, name);
  const roles = [...new Set([...u.roles, ROLE_PUBLIC])].filter((r) => s.roles.has(r));
  return { user: name, superuser: name === USER_ROOT, roles, grants: expandGroups(roles.flatMap((r) => s.roles.get(r)!.grants), s.groups) };
}
