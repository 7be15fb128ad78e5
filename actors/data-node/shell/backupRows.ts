import { primaryField, type CollectionSchema } from '../../../messages/schema.js';
import type { BackupMeta, RestoredAutoId } from '../../../messages/rpc/backup.js';

/**
 * The shapes backup files and restored collections take (backupWorker.ts).
 * A backup file's rows are what an insert takes (the query iterator's rows:
 * vectors as arrays, sparse vectors as objects, dynamic fields flat), less a
 * BM25 function's output field, which the restore's import computes again.
 */
export function backupRowOf(schema: CollectionSchema, row: Record<string, unknown>): Record<string, unknown> {
  const computed = new Set((schema.functions ?? []).flatMap((f) => f.outputFieldNames));
  if (computed.size === 0) return row;
  return Object.fromEntries(Object.entries(row).filter(([k]) => !computed.has(k)));
}

/**
 * What a restore does about an autoID key (coordinator/core/restoreJobs.ts):
 * the restored collection keeps autoID and takes the backup's keys through
 * allow_insert_auto_id; ids are allocated above the backup's largest key.
 * Absent for a collection whose key is given by its users.
 */
export function restoredAutoId(meta: BackupMeta): RestoredAutoId | undefined {
  const pk = primaryField(meta.collection.schema as CollectionSchema);
  if (!pk.autoId) return undefined;
  const through = meta.partitions.reduce((m, p) => (typeof p.lastKey === 'number' && p.lastKey > m ? p.lastKey : m), 0);
  return { through, close: !/^true$/i.test(meta.collection.properties['allow_insert_auto_id'] ?? '') };
}
