import { DB_NAME } from './common.js';
import { JsonReader } from './JsonReader.js';

/**
 * Parsers of /v2/vectordb/users/* and /v2/vectordb/roles/* (Milvus's field
 * names). Names and passwords are checked by the coordinator's core
 * (actors/coordinator/core/rbac.ts); these check shape only.
 */

/** users/create: `{userName, password}`. */
export function parseUserPassword(body: unknown): { userName: string; password: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'userName', 'password']);
  return { userName: r.str('userName'), password: r.str('password', { allowEmpty: true }) };
}

/** users/drop, users/describe: `{userName}`. */
export function parseUserName(body: unknown): string {
  return JsonReader.object(body, '', [DB_NAME, 'userName']).str('userName');
}

/** users/update_password: `{userName, password, newPassword}` (password: the old one). */
export function parseUpdatePassword(body: unknown): { userName: string; password: string; newPassword: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'userName', 'password', 'newPassword']);
  return { userName: r.str('userName'), password: r.str('password', { allowEmpty: true }), newPassword: r.str('newPassword', { allowEmpty: true }) };
}

/** users/grant_role, users/revoke_role: `{userName, roleName}`. */
export function parseUserRole(body: unknown): { userName: string; roleName: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'userName', 'roleName']);
  return { userName: r.str('userName'), roleName: r.str('roleName') };
}

/** roles/create, roles/describe: `{roleName}`. */
export function parseRoleName(body: unknown): string {
  return JsonReader.object(body, '', [DB_NAME, 'roleName']).str('roleName');
}

/** roles/drop: `{roleName, forceDrop?}` (forceDrop also drops a role that still holds privileges). */
export function parseDropRole(body: unknown): { roleName: string; forceDrop: boolean } {
  const r = JsonReader.object(body, '', [DB_NAME, 'roleName', 'forceDrop']);
  return { roleName: r.str('roleName'), forceDrop: r.optBool('forceDrop') ?? false };
}

/** `{}` of list endpoints. */
export function parseEmpty(body: unknown): void {
  JsonReader.object(body, '', [DB_NAME]);
}

/**
 * roles/grant_privilege, roles/revoke_privilege: `{roleName, objectType,
 * objectName, privilege, dbName?}`. dbName is the grant's database ('*': all),
 * default 'default'; the grant itself is checked by the coordinator.
 */
export function parsePrivilege(body: unknown): { roleName: string; objectType: string; objectName: string; privilege: string; dbName?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'roleName', 'objectType', 'objectName', 'privilege']);
  const dbName = r.optStr(DB_NAME, { allowEmpty: true });
  return {
    roleName: r.str('roleName'), objectType: r.str('objectType'), objectName: r.str('objectName'), privilege: r.str('privilege'),
    ...(dbName === undefined || dbName === '' ? {} : { dbName }),
  };
}

/** privilege_groups/create, privilege_groups/drop: `{privilegeGroupName}`. */
export function parsePrivilegeGroupName(body: unknown): string {
  return JsonReader.object(body, '', [DB_NAME, 'privilegeGroupName']).str('privilegeGroupName');
}

/** privilege_groups/add_privileges_to_group, remove_privileges_from_group: `{privilegeGroupName, privileges: [...]}`. */
export function parsePrivilegeGroupChange(body: unknown): { privilegeGroupName: string; privileges: string[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'privilegeGroupName', 'privileges']);
  return { privilegeGroupName: r.str('privilegeGroupName'), privileges: r.strList('privileges') };
}

/**
 * roles/grant_privilege_v2, roles/revoke_privilege_v2: `{roleName, privilege,
 * collectionName, dbName?}` ('*': every collection / database; dbName default
 * 'default'). The levels are checked by the coordinator (core/grantV2.ts).
 */
export function parsePrivilegeV2(body: unknown): { role: string; privilege: string; collectionName: string; dbName?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'roleName', 'privilege', 'collectionName']);
  const dbName = r.optStr(DB_NAME, { allowEmpty: true });
  return { role: r.str('roleName'), privilege: r.str('privilege'), collectionName: r.str('collectionName'), ...(dbName === undefined || dbName === '' ? {} : { dbName }) };
}
