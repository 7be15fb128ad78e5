import type { CollectionSchema } from '../../../messages/schema.js';

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
 * The schema a restore makes: the backed-up one, but an autoID primary key
 * becomes a given one, so the restored rows keep their keys (an import may not
 * give keys to an autoID field) and answer queries as the original did.
 */
export function restoredSchema(schema: CollectionSchema): CollectionSchema {
  return { ...schema, fields: schema.fields.map((f) => (f.isPrimary && f.autoId ? { ...f, autoId: false } : f)) };
}
