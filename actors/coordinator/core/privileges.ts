import { ValidationError } from '../../../messages/errors.js';
import { ObjectType, type Access, type Grant, type GrantRequest } from '../../../messages/rpc/rbac.js';

export { ObjectType, type Access, type Grant };

/**
 * The privilege model, by Milvus's names: privileges belong to an object type
 * (Global, Collection, User), a role holds grants `(objectType, objectName,
 * privilege, dbName)`, and a request needs one privilege on one object of one
 * database. Pure: no I/O, no clock.
 */

/** Matches every object name or every database. */
export const ANY = '*';
export const DEFAULT_DB = 'default';

/** Built-in roles and user (Milvus's): admin may do everything, public is every user's, root is the superuser. */
export const ROLE_ADMIN = 'admin';
export const ROLE_PUBLIC = 'public';
export const USER_ROOT = 'root';

/** Each privilege and the object type it is granted on (Milvus's ObjectPrivileges, as far as nuthatch has the operations). */
export const PRIVILEGES: Readonly<Record<string, ObjectType>> = {
  ...Object.fromEntries([
    'Search', 'Query', 'Insert', 'Delete', 'Upsert', 'Load', 'Release', 'GetLoadState', 'GetLoadingProgress', 'GetStatistics',
    'CreateIndex', 'DropIndex', 'IndexDetail', 'Flush', 'GetFlushState', 'Compaction', 'Import', 'LoadBalance',
    'CreatePartition', 'DropPartition', 'ShowPartitions', 'HasPartition', 'AddCollectionField', 'TruncateCollection',
  ].map((p) => [p, ObjectType.Collection])),
  ...Object.fromEntries([
    'All', 'CreateCollection', 'DropCollection', 'DescribeCollection', 'ShowCollections', 'RenameCollection',
    'CreateAlias', 'DropAlias', 'DescribeAlias', 'ListAliases', 'FlushAll',
    'CreateOwnership', 'DropOwnership', 'SelectOwnership', 'ManageOwnership',
    'CreateDatabase', 'DropDatabase', 'ListDatabases', 'AlterDatabase', 'DescribeDatabase',
    'CreateResourceGroup', 'DropResourceGroup', 'DescribeResourceGroup', 'ListResourceGroups', 'UpdateResourceGroups', 'TransferReplica', 'TransferNode',
    'CreatePrivilegeGroup', 'DropPrivilegeGroup', 'ListPrivilegeGroups', 'OperatePrivilegeGroup',
  ].map((p) => [p, ObjectType.Global])),
  UpdateUser: ObjectType.User,
  SelectUser: ObjectType.User,
};

const COLL_RO = ['Query', 'Search', 'IndexDetail', 'GetFlushState', 'GetLoadState', 'GetLoadingProgress', 'HasPartition', 'ShowPartitions', 'DescribeCollection', 'DescribeAlias', 'GetStatistics', 'ListAliases'];
const COLL_RW = [...COLL_RO, 'Load', 'Release', 'Insert', 'Delete', 'Upsert', 'Import', 'Flush', 'Compaction', 'LoadBalance', 'CreateIndex', 'DropIndex', 'CreatePartition', 'DropPartition', 'TruncateCollection'];
const DB_RO = ['ShowCollections', 'DescribeDatabase'];
const DB_RW = [...DB_RO, 'AlterDatabase'];
const CLUSTER_RO = ['ListDatabases', 'SelectOwnership', 'SelectUser', 'ListResourceGroups', 'DescribeResourceGroup', 'ListPrivilegeGroups'];
const CLUSTER_RW = [...CLUSTER_RO, 'FlushAll'];

/** Milvus's built-in privilege groups, by level; a grant of a group grants each of its privileges. */
export const PRIVILEGE_GROUPS: Readonly<Record<string, { level: 'Collection' | 'Database' | 'Cluster'; privileges: readonly string[] }>> = {
  CollectionReadOnly: { level: 'Collection', privileges: COLL_RO },
  CollectionReadWrite: { level: 'Collection', privileges: COLL_RW },
  CollectionAdmin: { level: 'Collection', privileges: [...COLL_RW, 'CreateAlias', 'DropAlias'] },
  DatabaseReadOnly: { level: 'Database', privileges: DB_RO },
  DatabaseReadWrite: { level: 'Database', privileges: DB_RW },
  DatabaseAdmin: { level: 'Database', privileges: [...DB_RW, 'CreateCollection', 'DropCollection'] },
  ClusterReadOnly: { level: 'Cluster', privileges: CLUSTER_RO },
  ClusterReadWrite: { level: 'Cluster', privileges: CLUSTER_RW },
  ClusterAdmin: { level: 'Cluster', privileges: [...CLUSTER_RW, 'CreateDatabase', 'DropDatabase', 'CreateOwnership', 'DropOwnership', 'ManageOwnership', 'UpdateUser', 'RenameCollection', 'CreateResourceGroup', 'DropResourceGroup', 'UpdateResourceGroups', 'TransferNode', 'TransferReplica', 'CreatePrivilegeGroup', 'DropPrivilegeGroup', 'OperatePrivilegeGroup'] },
};

/** What a request needs: a privilege on an object in a database. Global needs name no object (`*`). */
export interface Requirement { privilege: string; objectType: ObjectType; objectName: string; dbName: string }

/**
 * Checks a grant as given to grant_privilege and fills its defaults (dbName
 * 'default'): a known privilege or group, on the object type it belongs to
 * (a group of collection privileges on Collection or Global, other groups and
 * Global privileges on Global `*`). `isCustomGroup` names the custom groups
 * that exist (core/privilegeGroups.ts); they go on Collection or Global.
 */
export function checkGrant(g: GrantRequest, isCustomGroup: (name: string) => boolean = () => false): Grant {
  if (!Object.values(ObjectType).includes(g.objectType as ObjectType)) {
    throw new ValidationError(`objectType must be one of ${Object.values(ObjectType).join(', ')}, got '${g.objectType}'`, { field: 'objectType' });
  }
  const objectType = g.objectType as ObjectType;
  const group = typeof g.privilege === 'string' && Object.hasOwn(PRIVILEGE_GROUPS, g.privilege) ? PRIVILEGE_GROUPS[g.privilege] : undefined;
  const plain = typeof g.privilege === 'string' && Object.hasOwn(PRIVILEGES, g.privilege) ? PRIVILEGES[g.privilege] : undefined;
  const custom = !group && !plain && typeof g.privilege === 'string' && isCustomGroup(g.privilege);
  if (!group && !plain && !custom) throw new ValidationError(`unknown privilege '${g.privilege}'; privileges: ${Object.keys(PRIVILEGES).join(', ')}; groups: ${Object.keys(PRIVILEGE_GROUPS).join(', ')} and the custom ones`, { field: 'privilege' });
  const allowed: ObjectType[] = plain ? [plain] : custom || group!.level === 'Collection' ? [ObjectType.Collection, ObjectType.Global] : [ObjectType.Global];
  if (!allowed.includes(objectType)) {
    throw new ValidationError(`privilege '${g.privilege}' is granted on ${allowed.join(' or ')} objects, not ${objectType}`, { field: 'objectType' });
  }
  if (typeof g.objectName !== 'string' || g.objectName === '') throw new ValidationError("objectName must name an object or be '*'", { field: 'objectName' });
  if (objectType === ObjectType.Global && g.objectName !== ANY) throw new ValidationError(`a Global grant names no object: objectName must be '*', got '${g.objectName}'`, { field: 'objectName' });
  if (g.dbName !== undefined && g.dbName !== null && typeof g.dbName !== 'string') throw new ValidationError("dbName must be a database name or '*'", { field: 'dbName' });
  const dbName = g.dbName === undefined || g.dbName === null || g.dbName === '' ? DEFAULT_DB : g.dbName;
  return { objectType, objectName: g.objectName, privilege: g.privilege, dbName };
}

/** Whether granting `held` grants `wanted`: the same privilege, All, or a group holding it. */
export function privilegeCovers(held: string, wanted: string): boolean {
  return held === wanted || held === 'All' || (Object.hasOwn(PRIVILEGE_GROUPS, held) && PRIVILEGE_GROUPS[held]!.privileges.includes(wanted));
}

/** Whether one grant allows what `r` needs. A Global grant covers every object of its database. */
export function grantCovers(g: Grant, r: Requirement): boolean {
  if (g.dbName !== ANY && g.dbName !== r.dbName) return false;
  if (!privilegeCovers(g.privilege, r.privilege)) return false;
  if (g.objectType === ObjectType.Global) return true;
  return g.objectType === r.objectType && (g.objectName === ANY || g.objectName === r.objectName);
}

/**
 * May this user do what `r` needs? Root and holders of admin may do anything;
 * a user may always read and update themselves (Milvus: isCurUserObject);
 * otherwise some grant of one of their roles must cover it.
 */
export function isAllowed(a: Access, r: Requirement): boolean {
  if (a.superuser || a.roles.includes(ROLE_ADMIN)) return true;
  if (r.objectType === ObjectType.User && r.objectName === a.user && (r.privilege === 'SelectUser' || r.privilege === 'UpdateUser')) return true;
  return a.grants.some((g) => grantCovers(g, r));
}

/** The grants `public` starts with (Milvus's default public privileges): describe and list collections, index details. */
export const PUBLIC_DEFAULT_GRANTS: readonly Grant[] = [
  { objectType: ObjectType.Global, objectName: ANY, privilege: 'DescribeCollection', dbName: ANY },
  { objectType: ObjectType.Global, objectName: ANY, privilege: 'ShowCollections', dbName: ANY },
  { objectType: ObjectType.Collection, objectName: ANY, privilege: 'IndexDetail', dbName: ANY },
];
