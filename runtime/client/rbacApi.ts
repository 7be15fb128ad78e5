import type { Access, Grant } from '../../messages/rpc/rbac.js';

export type { Access, Grant };

/** A privilege group and the privileges it holds (list_privilege_groups). */
export interface PrivilegeGroupInfo { groupName: string; privileges: string[] }

/** grant_privilege_v2's arguments (pymilvus: role_name, privilege, collection_name, db_name). */
export interface PrivilegeV2Request { role: string; privilege: string; collectionName: string; dbName?: string }

/**
 * Users and roles, by Milvus's operations (pymilvus create_user, grant_privilege, ...).
 * The coordinator keeps them; the HTTP gateway enforces them when auth is on.
 * Every method rejects with a NuthatchError: UserNotFound, UserExists,
 * RoleNotFound, RoleExists, PrivilegeGroupNotFound, PrivilegeGroupExists, InvalidArgument (names, password length, unknown
 * privilege), Unauthenticated (a wrong old password).
 */
export interface RbacApi {
  /** A user with a password of 6..256 characters and no role but public. */
  createUser(user: string, password: string): Promise<void>;
  /** root cannot be dropped. */
  dropUser(user: string): Promise<void>;
  listUsers(): Promise<string[]>;
  /** The user's roles (public, which every user has, is not listed). */
  describeUser(user: string): Promise<{ userName: string; roles: string[] }>;
  updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void>;
  createRole(role: string): Promise<void>;
  /** Refused while the role holds privileges unless `forceDrop`; admin and public cannot be dropped. */
  dropRole(role: string, opts?: { forceDrop?: boolean }): Promise<void>;
  listRoles(): Promise<string[]>;
  /** The role's grants. */
  describeRole(role: string): Promise<Grant[]>;
  grantRole(user: string, role: string): Promise<void>;
  revokeRole(user: string, role: string): Promise<void>;
  /** `objectType` Global (objectName '*'), Collection (a name or '*') or User; `dbName` defaults to 'default' ('*': every database). */
  grantPrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void>;
  revokePrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void>;
  /**
   * Custom privilege groups (Milvus 2.5): a named set of privileges granted as
   * one. Names: a letter or `_` first, letters, digits and `_`, at most 255,
   * not a built-in group's or a privilege's name (InvalidArgument);
   * PrivilegeGroupExists / PrivilegeGroupNotFound. Built-in groups cannot change.
   */
  createPrivilegeGroup(groupName: string): Promise<void>;
  /** Refused (FailedPrecondition) while a role is granted the group. */
  dropPrivilegeGroup(groupName: string): Promise<void>;
  /** Built-in groups, then custom ones by name, each with its privileges. */
  listPrivilegeGroups(): Promise<PrivilegeGroupInfo[]>;
  /** Known privilege names only (InvalidArgument otherwise); roles granted the group hold them at once. */
  addPrivilegesToGroup(groupName: string, privileges: string[]): Promise<void>;
  removePrivilegesFromGroup(groupName: string, privileges: string[]): Promise<void>;
  /**
   * Milvus 2.5's grant_privilege_v2: a privilege or a (built-in or custom)
   * group on `collectionName` ('*': every collection) of `dbName` (default
   * 'default', '*': every database). Cluster-level privileges need '*' for
   * both; database-level ones collectionName '*'.
   */
  grantPrivilegeV2(req: PrivilegeV2Request): Promise<void>;
  revokePrivilegeV2(req: PrivilegeV2Request): Promise<void>;
  /** Verifies a user's password; what the user may do, or Unauthenticated. */
  authenticate(user: string, password: string): Promise<Access>;
  /** Calls `listener` whenever users or roles change (anyone's change, announced by the coordinator); returns the way to stop. */
  onAccessChange?(listener: () => void): () => void;
}
