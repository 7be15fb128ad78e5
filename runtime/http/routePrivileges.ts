import { ANY, DEFAULT_DB, ObjectType, type Requirement } from '../../actors/coordinator/core/privileges.js';
import { V2 } from './routes/route.js';

/**
 * The privilege each endpoint needs, by Milvus's names, and on what: the whole
 * database (Global), the collection the body names, or the user it names.
 * `null`: any authenticated user may (Milvus checks no privilege either).
 * Pure: path and raw body in, a requirement out. The body is not validated
 * here; the route does that after the check.
 */
type Need = readonly [privilege: string, on: 'global' | 'collection' | 'user'] | null;

const NEEDS: Readonly<Record<string, Need>> = {
  'collections/create': ['CreateCollection', 'global'],
  'collections/describe': ['DescribeCollection', 'collection'],
  'collections/list': ['ShowCollections', 'global'],
  'collections/has': ['DescribeCollection', 'collection'],
  'collections/drop': ['DropCollection', 'collection'],
  'collections/truncate': ['TruncateCollection', 'collection'],
  'collections/get_stats': ['GetStatistics', 'collection'],
  'collections/load': ['Load', 'collection'],
  'collections/release': ['Release', 'collection'],
  // Milvus checks Load for refresh_load (a load with refresh set).
  'collections/refresh_load': ['Load', 'collection'],
  'collections/get_load_state': ['GetLoadState', 'collection'],
  'collections/flush': ['Flush', 'collection'],
  'collections/rename': ['RenameCollection', 'collection'],
  'collections/fields/add': ['AddCollectionField', 'collection'],
  // Milvus documents no privilege of its own for dropping a field: the one that changes a collection's fields.
  'collections/fields/drop': ['AddCollectionField', 'collection'],
  // Milvus documents no privilege for a collection's function DDL: the one that changes a collection's fields.
  'collections/functions/add': ['AddCollectionField', 'collection'],
  'collections/functions/alter': ['AddCollectionField', 'collection'],
  'collections/functions/drop': ['AddCollectionField', 'collection'],
  // Milvus's AlterCollection asks for CreateCollection.
  'collections/alter_properties': ['CreateCollection', 'global'],
  'collections/drop_properties': ['CreateCollection', 'global'],
  // As alter_properties: changing a field's limits needs what changing the collection's properties needs.
  'collections/fields/alter_properties': ['CreateCollection', 'global'],
  'collections/compact': ['Compaction', 'collection'],
  'collections/get_compaction_state': null,
  // Databases: Global privileges, in the database the body names.
  'databases/create': ['CreateDatabase', 'global'],
  'databases/drop': ['DropDatabase', 'global'],
  'databases/list': ['ListDatabases', 'global'],
  'databases/describe': ['DescribeDatabase', 'global'],
  'databases/alter': ['AlterDatabase', 'global'],
  'databases/drop_properties': ['AlterDatabase', 'global'],
  // Milvus checks Import on the collection; a job's progress, like a compaction's state, any user may read.
  'jobs/import/create': ['Import', 'collection'],
  'jobs/import/get_progress': null,
  'jobs/import/describe': null,
  'jobs/import/list': null,
  // Backups (nuthatch's own): making one reads every row; restoring makes a collection; dropping deletes files.
  'backups/create': ['Query', 'collection'],
  'backups/restore': ['CreateCollection', 'global'],
  'backups/drop': ['CreateCollection', 'global'],
  'backups/describe': null,
  'backups/list': null,
  'backups/get_progress': null,
  // Snapshots: taking one lets its rows be read again (as a backup does); restoring makes a collection; dropping deletes files.
  'snapshots/create': ['Query', 'collection'],
  'snapshots/restore': ['CreateCollection', 'global'],
  'snapshots/drop': ['CreateCollection', 'global'],
  'snapshots/describe': null,
  'snapshots/list': null,
  'snapshots/get_restore_state': null,
  'partitions/create': ['CreatePartition', 'collection'],
  'partitions/list': ['ShowPartitions', 'collection'],
  'partitions/has': ['HasPartition', 'collection'],
  'partitions/get_stats': ['GetStatistics', 'collection'],
  'partitions/load': ['Load', 'collection'],
  'partitions/release': ['Release', 'collection'],
  'partitions/drop': ['DropPartition', 'collection'],
  'indexes/create': ['CreateIndex', 'collection'],
  'indexes/describe': ['IndexDetail', 'collection'],
  'indexes/list': ['IndexDetail', 'collection'],
  'indexes/drop': ['DropIndex', 'collection'],
  'entities/insert': ['Insert', 'collection'],
  'entities/upsert': ['Upsert', 'collection'],
  'entities/delete': ['Delete', 'collection'],
  'entities/get': ['Query', 'collection'],
  'entities/query': ['Query', 'collection'],
  'entities/search': ['Search', 'collection'],
  'entities/hybrid_search': ['Search', 'collection'],
  'aliases/create': ['CreateAlias', 'collection'],
  'aliases/alter': ['CreateAlias', 'collection'],
  'aliases/drop': ['DropAlias', 'global'],
  'aliases/describe': ['DescribeAlias', 'global'],
  'aliases/list': ['ListAliases', 'collection'],
  'users/create': ['CreateOwnership', 'global'],
  'users/drop': ['DropOwnership', 'global'],
  'users/list': ['SelectOwnership', 'global'],
  'users/describe': ['SelectUser', 'user'],
  'users/update_password': ['UpdateUser', 'user'],
  'users/grant_role': ['ManageOwnership', 'global'],
  'users/revoke_role': ['ManageOwnership', 'global'],
  'roles/create': ['CreateOwnership', 'global'],
  'roles/drop': ['DropOwnership', 'global'],
  'roles/list': ['SelectOwnership', 'global'],
  'roles/describe': ['SelectOwnership', 'global'],
  'roles/grant_privilege': ['ManageOwnership', 'global'],
  'roles/revoke_privilege': ['ManageOwnership', 'global'],
  'roles/grant_privilege_v2': ['ManageOwnership', 'global'],
  'roles/revoke_privilege_v2': ['ManageOwnership', 'global'],
  // Custom privilege groups: Milvus's own privileges for them (cluster-level, in ClusterAdmin; list also in ClusterReadOnly).
  'privilege_groups/create': ['CreatePrivilegeGroup', 'global'],
  'privilege_groups/drop': ['DropPrivilegeGroup', 'global'],
  'privilege_groups/list': ['ListPrivilegeGroups', 'global'],
  'privilege_groups/add_privileges_to_group': ['OperatePrivilegeGroup', 'global'],
  'privilege_groups/remove_privileges_from_group': ['OperatePrivilegeGroup', 'global'],
  // Resource groups: cluster-wide, Global privileges as Milvus names them; transfer_replica too (Milvus checks it on Global).
  'resource_groups/create': ['CreateResourceGroup', 'global'],
  'resource_groups/drop': ['DropResourceGroup', 'global'],
  'resource_groups/list': ['ListResourceGroups', 'global'],
  'resource_groups/describe': ['DescribeResourceGroup', 'global'],
  'resource_groups/alter': ['UpdateResourceGroups', 'global'],
  'resource_groups/transfer_replica': ['TransferReplica', 'global'],
};

/** Endpoints (paths) that have an entry, for the test that every route is mapped. */
export const MAPPED_ENDPOINTS: readonly string[] = Object.keys(NEEDS).map((k) => `${V2}/${k}`);

const field = (body: unknown, key: string): string | undefined => {
  const v = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/**
 * What a request to `path` with `body` needs; `null` when only authentication.
 * An endpoint with no entry needs All on Global, so a route added without a
 * mapping is closed to everyone but admins rather than open.
 */
export function requirementOf(path: string, body: unknown): Requirement | null {
  const key = path.startsWith(`${V2}/`) ? path.slice(V2.length + 1) : path;
  const need = Object.hasOwn(NEEDS, key) ? NEEDS[key]! : (['All', 'global'] as const);
  if (need === null) return null;
  const [privilege, on] = need;
  const db = field(body, 'dbName');
  const dbName = db === undefined || db === '' ? DEFAULT_DB : db;
  // aliases/list names a collection only sometimes.
  const collection = field(body, 'collectionName');
  if (on === 'global' || (key === 'aliases/list' && collection === undefined)) return { privilege, objectType: ObjectType.Global, objectName: ANY, dbName };
  if (on === 'user') return { privilege, objectType: ObjectType.User, objectName: field(body, 'userName') ?? '', dbName };
  return { privilege, objectType: ObjectType.Collection, objectName: collection ?? '', dbName };
}
