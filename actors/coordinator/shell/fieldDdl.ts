import { changesNothing, withAlteredField, type FieldParams } from '../../../messages/alteredField.js';
import { indexOnField, withDroppedField } from '../../../messages/droppedField.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { DdlStep } from '../../../messages/pendingDdl.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt, stillLive } from '../core/databases.js';
import type { CoordinatorContext } from './context.js';
import { runJournaled } from './ddlJournal.js';
import { inDdlOrder } from './ddlOrder.js';
import { save } from './ddl.js';
import { refuseWarmupWhileLoaded } from '../core/warmupRefusal.js';
import { announceCatalogChange } from './renameCollection.js';
import { dbOf } from '../../../messages/database.js';

/**
 * Changes a field's write-time limits (Milvus's alter_collection_field):
 * checked against the record first (a refusal writes nothing), then an
 * AlterCollectionField on every shard, so each shard's machine checks inserts
 * stamped after it against the new limits and those before against the old,
 * in replays too; then the record (what describeCollection, clients and
 * restarts read); then an announcement so clients drop cached schemas. The
 * checks run first on arrival and again in the collection's DDL order
 * (shell/ddlJournal.ts), against the record then. A field's `warmup`
 * (Milvus 2.6.11) goes to the record alone (query nodes read it at load), and
 * is refused with CollectionLoaded while the collection is loaded.
 */
export async function alterCollectionField(ctx: CoordinatorContext, ref: CollectionRef, fieldName: string, params: FieldParams): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  const { warmup, ...limits } = params ?? {};
  // Every param is checked before anything is written, the warm-up's state rule with them.
  withAlteredField(rec.schema, fieldName, params);
  if (warmup !== undefined) refuseWarmupWhileLoaded(rec, `can not alter warmup of field '${fieldName}' if collection loaded`);
  if (Object.keys(limits).length > 0) {
    const step = (): DdlStep | null => {
      withAlteredField(rec.schema, fieldName, limits);
      return changesNothing(rec.schema, fieldName, limits) ? null : { type: 'AlterCollectionField', body: { fieldName, params: limits } };
    };
    await runJournaled(ctx, rec, step);
  }
  if (warmup !== undefined) {
    // Read by query nodes at load alone: the record carries it, no shard (as the collection's warm-up properties);
    // saved in the collection's DDL order, decided against the record its earlier DDL left.
    const changed = await inDdlOrder(ctx, rec.collectionId, () => ctx.lock(async () => {
      stillLive(ctx.catalog, rec);
      if (changesNothing(rec.schema, fieldName, { warmup })) return false;
      refuseWarmupWhileLoaded(rec, `can not alter warmup of field '${fieldName}' if collection loaded`);
      rec.schema = withAlteredField(rec.schema, fieldName, { warmup });
      await save(ctx, rec);
      return true;
    }));
    if (changed) announceCatalogChange(ctx, dbOf(rec), [rec.name]);
  }
  return rec;
}

/**
 * Drops a field (Milvus's drop_collection_field): checked against the record
 * first (not a key, not a function's input or output, not indexed), then a
 * DropCollectionField on every shard (writes after it may not name the field),
 * then the record without it (its name kept in `droppedFields`; a loaded
 * field list forgets it), then an announcement: clients re-read the schema,
 * so reads no longer show the field. Segment files keep its column.
 */
export async function dropCollectionField(ctx: CoordinatorContext, ref: CollectionRef, fieldName: string): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  const step = (): DdlStep => {
    // Every other refusal first (keys, functions, unknown fields: InvalidArgument), then the index, a refusal
    // the caller acts on (drop it), as dropping a loaded collection's index is.
    withDroppedField(rec.schema, [], fieldName);
    // Entity-level TTL reads the field's column on every read: it goes only after the property (drop_properties ttl_field).
    if (rec.ttlField === fieldName) throw new ValidationError(`field '${fieldName}' of '${rec.name}' is the collection's ttl_field: drop the ttl_field property first`, { field: fieldName });
    const index = indexOnField(rec.indexes, fieldName);
    if (index) throw new NuthatchError('FailedPrecondition', `field '${fieldName}' of '${rec.name}' has index '${index.indexName}': drop the index first`, { field: fieldName, index: index.indexName });
    return { type: 'DropCollectionField', body: { fieldName } };
  };
  await runJournaled(ctx, rec, step);
  return rec;
}
