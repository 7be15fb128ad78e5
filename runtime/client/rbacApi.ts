import type { Access, Grant } from '../../messages/rpc/rbac.js';

export type { Access, Grant };

/**
 * Users and roles, by Milvus's operations (pymilvus create_user, grant_privilege, ...).
 * The coordinator keeps them; the HTTP gateway enforces them when auth is on.
 * Every method rejects with a NuthatchError: UserNotFound, UserExists,
 * RoleNotFound, RoleExists, InvalidArgument (names, password length, unknown
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
  /** Verifies a user's password; what the user may do, or Unauthenticated. */
  authenticate(user: string, password: string): Promise<Access>;
  /** Calls `listener` whenever users or roles change (anyone's change, announced by the coordinator); returns the way to stop. */
  onAccessChange?(listener: () => void): () => void;
}
