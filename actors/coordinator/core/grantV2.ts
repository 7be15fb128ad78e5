import { ValidationError } from '../../../messages/errors.js';
import type { GrantRequest } from '../../../messages/rpc/rbac.js';
import { ANY, DEFAULT_DB, ObjectType, PRIVILEGE_GROUPS, PRIVILEGES } from './privileges.js';

/**
 * Milvus 2.5's grant_privilege_v2 / revoke_privilege_v2: a privilege (or a
 * built-in or custom group) on `dbName` (default 'default', `*` every
 * database) and `collectionName` (`*` every collection), mapped onto the
 * grant model of privileges.ts. As in Milvus, the privilege's level bounds
 * the scope: cluster-level ones need `*` for both, database-level ones need
 * collectionName `*`, collection-level ones (and custom groups) take either.
 * Pure.
 */

/** A v2 grant as the caller names it. */
export interface GrantV2Request { privilege: string; dbName?: string | null; collectionName: string }

type Level = 'Cluster' | 'Database' | 'Collection' | 'Custom';

const CLUSTER_ONLY = new Set(PRIVILEGE_GROUPS.ClusterAdmin!.privileges);

/** A plain privilege's level: Collection ones are collection-level; Global ones in ClusterAdmin (and User ones) cluster-level; other Global ones database-level. */
function levelOf(privilege: string, isCustomGroup: (name: string) => boolean): Level | undefined {
  if (Object.hasOwn(PRIVILEGE_GROUPS, privilege)) return PRIVILEGE_GROUPS[privilege]!.level;
  if (Object.hasOwn(PRIVILEGES, privilege)) {
    const t = PRIVILEGES[privilege];
    if (t === ObjectType.Collection) return 'Collection';
    return t === ObjectType.User || CLUSTER_ONLY.has(privilege) ? 'Cluster' : 'Database';
  }
  return isCustomGroup(privilege) ? 'Custom' : undefined;
}

/**
 * The v1 grant a v2 grant stands for: `collectionName` `*` becomes a Global
 * grant over the database (it covers every collection in it), a named
 * collection a Collection grant; cluster-level grants hold on every database.
 * Plain collection privileges on `*` stay Collection grants on `*`.
 */
export function grantOfV2(req: GrantV2Request, isCustomGroup: (name: string) => boolean): GrantRequest {
  const { privilege } = req;
  if (typeof privilege !== 'string' || privilege === '') throw new ValidationError('privilege must name a privilege or a privilege group', { field: 'privilege' });
  if (typeof req.collectionName !== 'string' || req.collectionName === '') throw new ValidationError("collectionName must name a collection or be '*'", { field: 'collectionName' });
  if (req.dbName !== undefined && req.dbName !== null && typeof req.dbName !== 'string') throw new ValidationError("dbName must name a database or be '*'", { field: 'dbName' });
  const dbName = req.dbName === undefined || req.dbName === null || req.dbName === '' ? DEFAULT_DB : req.dbName;
  const collectionName = req.collectionName;
  const level = levelOf(privilege, isCustomGroup);
  if (level === undefined) throw new ValidationError(`unknown privilege or privilege group '${privilege}'`, { field: 'privilege' });
  if (level === 'Cluster') {
    if (dbName !== ANY || collectionName !== ANY) throw new ValidationError(`'${privilege}' is a cluster-level privilege: dbName and collectionName must both be '*'`, { field: dbName !== ANY ? 'dbName' : 'collectionName' });
    return { objectType: PRIVILEGES[privilege] === ObjectType.User ? ObjectType.User : ObjectType.Global, objectName: ANY, privilege, dbName: ANY };
  }
  if (level === 'Database') {
    if (collectionName !== ANY) throw new ValidationError(`'${privilege}' is a database-level privilege: collectionName must be '*'`, { field: 'collectionName' });
    return { objectType: ObjectType.Global, objectName: ANY, privilege, dbName };
  }
  if (collectionName !== ANY) return { objectType: ObjectType.Collection, objectName: collectionName, privilege, dbName };
  // Every collection of the database: a group may hold database-level privileges too, which only a Global grant covers.
  const plain = Object.hasOwn(PRIVILEGES, privilege);
  return { objectType: plain ? ObjectType.Collection : ObjectType.Global, objectName: ANY, privilege, dbName };
}
