import { changesNothing, withAlteredField, type FieldParams } from '../../../messages/alteredField.js';
import { indexOnField, withDroppedField } from '../../../messages/droppedField.js';
import { Invariant, NuthatchError, ValidationError } from '../../../messages/errors.js';
import { dbOf } from '../../../messages/database.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt } from '../core/databases.js';
import { broadcast } from './broadcast.js';
import type { CoordinatorContext } from './context.js';
import { saveSchema } from './ddl.js';
import { announceCatalogChange } from './renameCollection.js';

/**
 * Changes a field's write-time limits (Milvus's alter_collection_field):
 * checked against the record first (a refusal writes nothing), then an
 * AlterCollectionField on every shard, so each shard's machine checks inserts
 * stamped after it against the new limits and those before against the old,
 * in replays too; then the record (what describeCollection, clients and
 * restarts read), recomputed under the lock so concurrent alters of two
 * fields both stay; then an announcement so clients drop cached schemas.
 */
export async function alterCollectionField(ctx: CoordinatorContext, ref: CollectionRef, fieldName: string, params: FieldParams): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  withAlteredField(rec.schema, fieldName, params);
  if (changesNothing(rec.schema, fieldName, params)) return rec;
  await broadcast(ctx, 'AlterCollectionField', rec.vchannels, () => ({ collectionId: rec.collectionId, fieldName, params }));
  await ctx.lock(async () => { rec.schema = withAlteredField(rec.schema, fieldName, params); await saveSchema(ctx, rec); });
  announceCatalogChange(ctx, dbOf(rec), [rec.name]);
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
  // Every other refusal first (keys, functions, unknown fields: InvalidArgument), then the index, a refusal
  // the caller acts on (drop it), as dropping a loaded collection's index is.
  withDroppedField(rec.schema, [], fieldName);
  // Entity-level TTL reads the field's column on every read: it goes only after the property (drop_properties ttl_field).
  if (rec.ttlField === fieldName) throw new ValidationError(`field '${fieldName}' of '${rec.name}' is the collection's ttl_field: drop the ttl_field property first`, { field: fieldName });
  const index = indexOnField(rec.indexes, fieldName);
  if (index) throw new NuthatchError('FailedPrecondition', `field '${fieldName}' of '${rec.name}' has index '${index.indexName}': drop the index first`, { field: fieldName, index: index.indexName });
  // A drop retried after a crash between the broadcast and the record finds some shards done.
  await broadcast(ctx, 'DropCollectionField', rec.vchannels, () => ({ collectionId: rec.collectionId, fieldName }), Invariant.FieldAlreadyDropped);
  await ctx.lock(async () => {
    rec.schema = withDroppedField(rec.schema, rec.indexes, fieldName);
    if (rec.loadFields) rec.loadFields = rec.loadFields.filter((f) => f !== fieldName);
    await saveSchema(ctx, rec);
  });
  announceCatalogChange(ctx, dbOf(rec), [rec.name]);
  return rec;
}
