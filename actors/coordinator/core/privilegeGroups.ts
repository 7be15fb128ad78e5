import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { Grant } from '../../../messages/rpc/rbac.js';
import { PRIVILEGE_GROUPS, PRIVILEGES } from './privileges.js';

/**
 * Custom privilege groups (Milvus 2.5's create_privilege_group and its kin):
 * a named set of privileges a role is granted as one. A grant names the group,
 * not its members, so a privilege added to the group later is held at once by
 * every role granted it (accessOf expands groups when it builds a user's
 * access). Pure: the deciders return the record to write or throw.
 */

export interface PrivilegeGroupRecord { name: string; privileges: string[] }
/** A group as list_privilege_groups shows it (built-in and custom alike). */
export interface PrivilegeGroupInfo { groupName: string; privileges: string[] }

/** Milvus validates group names against proxy.maxNameLength (255), not the 32 of user and role names. */
export const MAX_GROUP_NAME_LENGTH = 255;

export const isBuiltInGroup = (name: string): boolean => Object.hasOwn(PRIVILEGE_GROUPS, name);

/** A group name: a letter or `_` first, then letters, digits and `_`, at most 255; not a built-in group's or a privilege's name. */
export function checkGroupName(name: unknown): string {
  const field = 'privilegeGroupName';
  if (typeof name !== 'string' || name === '') throw new ValidationError(`${field} must be a non-empty string`, { field });
  if (name.length > MAX_GROUP_NAME_LENGTH) throw new ValidationError(`${field} '${name.slice(0, 40)}...' is longer than ${MAX_GROUP_NAME_LENGTH} characters`, { field });
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ValidationError(`${field} '${name}' must start with a letter or underscore and hold only letters, digits and underscores`, { field });
  return name;
}

/** A custom group by name; a built-in one is named as such (it cannot change). */
function customOf(groups: ReadonlyMap<string, PrivilegeGroupRecord>, name: string): PrivilegeGroupRecord {
  checkGroupName(name);
  if (isBuiltInGroup(name)) throw new ValidationError(`privilege group '${name}' is built in and cannot be changed`, { field: 'privilegeGroupName' });
  const g = groups.get(name);
  if (!g) throw new NuthatchError('PrivilegeGroupNotFound', `privilege group '${name}' does not exist`, { privilegeGroup: name });
  return g;
}

/** Privileges to put in or take out of a group: a non-empty list of known privilege names (not groups). */
export function checkPrivilegeList(privileges: unknown): string[] {
  const field = 'privileges';
  if (!Array.isArray(privileges) || privileges.length === 0) throw new ValidationError(`${field} must be a non-empty list of privilege names`, { field });
  for (const p of privileges) {
    if (typeof p !== 'string' || !Object.hasOwn(PRIVILEGES, p)) {
      const hint = typeof p === 'string' && isBuiltInGroup(p) ? ` ('${p}' is a privilege group; a group holds privileges only)` : '';
      throw new ValidationError(`unknown privilege '${String(p)}'${hint}; privileges: ${Object.keys(PRIVILEGES).join(', ')}`, { field, privilege: p });
    }
  }
  return [...new Set(privileges as string[])];
}

export function decideCreateGroup(groups: ReadonlyMap<string, PrivilegeGroupRecord>, name: string): PrivilegeGroupRecord {
  checkGroupName(name);
  // A grant names a privilege or a group by the same field: the namespaces must not overlap.
  if (isBuiltInGroup(name) || Object.hasOwn(PRIVILEGES, name)) {
    throw new ValidationError(`privilege group name '${name}' is taken by a built-in privilege or privilege group`, { field: 'privilegeGroupName' });
  }
  if (groups.has(name)) throw new NuthatchError('PrivilegeGroupExists', `privilege group '${name}' already exists`, { privilegeGroup: name });
  return { name, privileges: [] };
}

/** Like Milvus, a group some role is granted is not dropped: revoke it first. `grants`: each role's grants. */
export function decideDropGroup(groups: ReadonlyMap<string, PrivilegeGroupRecord>, grants: Iterable<{ name: string; grants: readonly Grant[] }>, name: string): void {
  customOf(groups, name);
  for (const role of grants) {
    if (role.grants.some((g) => g.privilege === name)) {
      throw new NuthatchError('FailedPrecondition', `privilege group '${name}' is granted to role '${role.name}': revoke it first`, { privilegeGroup: name, role: role.name });
    }
  }
}

/** The group with the privileges added (those held already stay once). */
export function decideAddPrivileges(groups: ReadonlyMap<string, PrivilegeGroupRecord>, name: string, privileges: unknown): PrivilegeGroupRecord {
  const g = customOf(groups, name);
  const add = checkPrivilegeList(privileges);
  return { ...g, privileges: [...g.privileges, ...add.filter((p) => !g.privileges.includes(p))] };
}

/** The group without the privileges named (naming one it does not hold is no error, as in Milvus). */
export function decideRemovePrivileges(groups: ReadonlyMap<string, PrivilegeGroupRecord>, name: string, privileges: unknown): PrivilegeGroupRecord {
  const g = customOf(groups, name);
  const drop = new Set(checkPrivilegeList(privileges));
  return { ...g, privileges: g.privileges.filter((p) => !drop.has(p)) };
}

/** Built-in groups first (Milvus's order), then custom ones by name. */
export function listGroups(groups: ReadonlyMap<string, PrivilegeGroupRecord>): PrivilegeGroupInfo[] {
  const builtIn = Object.entries(PRIVILEGE_GROUPS).map(([groupName, g]) => ({ groupName, privileges: [...g.privileges] }));
  const custom = [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((g) => ({ groupName: g.name, privileges: [...g.privileges] }));
  return [...builtIn, ...custom];
}

/** Grants with each custom group replaced by one grant of each privilege it holds now, on the same object. */
export function expandGroups(grants: readonly Grant[], groups: ReadonlyMap<string, PrivilegeGroupRecord>): Grant[] {
  return grants.flatMap((g) => {
    const group = groups.get(g.privilege);
    return group ? group.privileges.map((privilege) => ({ ...g, privilege })) : [g];
  });
}
