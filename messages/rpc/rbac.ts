import { needAll, type Checks } from './protocol.js';

/** Published (fire and forget, `{}`) after any change to users, roles or privilege groups: gateways forget the access they cached. */
export const RBAC_CHANGED_SUBJECT = 'nuthatch.evt.rbac';

/** Object types of privileges, by Milvus's names. */
export const ObjectType = { Global: 'Global', Collection: 'Collection', User: 'User' } as const;
export type ObjectType = (typeof ObjectType)[keyof typeof ObjectType];

/** One privilege (or privilege group) on one object (or all, `*`) of one database (or all, `*`), held by a role. */
export interface Grant { objectType: ObjectType; objectName: string; privilege: string; dbName: string }

/** A grant as a caller names it: dbName defaults to 'default'. */
export type GrantRequest = Omit<Grant, 'dbName' | 'objectType'> & { objectType: string; dbName?: string | null };

/** Who a request runs as: the user, whether the superuser (root), their roles (public included) and what those grant. */
export interface Access { user: string; superuser: boolean; roles: string[]; grants: Grant[] }

/**
 * Users and roles, kept by the coordinator (actors/coordinator/core/rbac.ts).
 * The bus is trusted: these are enforced at the public edge (the HTTP gateway),
 * which asks `authenticate` for a user's access and checks it itself.
 */
export type RbacProtocol = {
  createUser: { req: { user: string; password: string }; res: null };
  dropUser: { req: { user: string }; res: null };
  listUsers: { req: Record<string, never>; res: string[] };
  describeUser: { req: { user: string }; res: { userName: string; roles: string[] } };
  /** Needs the old password, like Milvus's update_password. */
  updatePassword: { req: { user: string; oldPassword: string; newPassword: string }; res: null };
  createRole: { req: { role: string }; res: null };
  /** Refused while the role holds privileges, unless `force`. */
  dropRole: { req: { role: string; force?: boolean | null }; res: null };
  listRoles: { req: Record<string, never>; res: string[] };
  describeRole: { req: { role: string }; res: Grant[] };
  grantRole: { req: { user: string; role: string }; res: null };
  revokeRole: { req: { user: string; role: string }; res: null };
  grantPrivilege: { req: { role: string; grant: GrantRequest }; res: null };
  revokePrivilege: { req: { role: string; grant: GrantRequest }; res: null };
  /** Custom privilege groups (Milvus 2.5). */
  createPrivilegeGroup: { req: { group: string }; res: null };
  /** Refused while a role is granted the group. */
  dropPrivilegeGroup: { req: { group: string }; res: null };
  /** Built-in groups, then custom ones, each with its privileges. */
  listPrivilegeGroups: { req: Record<string, never>; res: { groupName: string; privileges: string[] }[] };
  addPrivilegesToGroup: { req: { group: string; privileges: string[] }; res: null };
  removePrivilegesFromGroup: { req: { group: string; privileges: string[] }; res: null };
  /** grant_privilege_v2: a privilege or group on a database (`*`: all) and a collection (`*`: all). */
  grantPrivilegeV2: { req: { role: string; grant: { privilege: string; dbName?: string | null; collectionName: string } }; res: null };
  revokePrivilegeV2: { req: { role: string; grant: { privilege: string; dbName?: string | null; collectionName: string } }; res: null };
  /** Verifies a password (scrypt, constant-time compare); the user's access, or Unauthenticated. */
  authenticate: { req: { user: string; password: string }; res: Access };
};

const none = () => {};
export const rbacChecks: Checks<RbacProtocol> = {
  createUser: (o) => needAll(o, { user: 'string', password: 'string' }),
  dropUser: (o) => needAll(o, { user: 'string' }),
  listUsers: none,
  describeUser: (o) => needAll(o, { user: 'string' }),
  updatePassword: (o) => needAll(o, { user: 'string', oldPassword: 'string', newPassword: 'string' }),
  createRole: (o) => needAll(o, { role: 'string' }),
  dropRole: (o) => needAll(o, { role: 'string' }),
  listRoles: none,
  describeRole: (o) => needAll(o, { role: 'string' }),
  grantRole: (o) => needAll(o, { user: 'string', role: 'string' }),
  revokeRole: (o) => needAll(o, { user: 'string', role: 'string' }),
  grantPrivilege: (o) => needAll(o, { role: 'string', grant: 'object' }),
  revokePrivilege: (o) => needAll(o, { role: 'string', grant: 'object' }),
  createPrivilegeGroup: (o) => needAll(o, { group: 'string' }),
  dropPrivilegeGroup: (o) => needAll(o, { group: 'string' }),
  listPrivilegeGroups: none,
  addPrivilegesToGroup: (o) => needAll(o, { group: 'string', privileges: 'array' }),
  removePrivilegesFromGroup: (o) => needAll(o, { group: 'string', privileges: 'array' }),
  grantPrivilegeV2: (o) => needAll(o, { role: 'string', grant: 'object' }),
  revokePrivilegeV2: (o) => needAll(o, { role: 'string', grant: 'object' }),
  authenticate: (o) => needAll(o, { user: 'string', password: 'string' }),
};
