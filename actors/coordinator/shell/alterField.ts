import { changesNothing, withAlteredField, type FieldParams } from '../../../messages/alteredField.js';
import { dbOf } from '../../../messages/database.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt } from '../core/databases.js';
import { broadcast } from './broadcast.js';
import type { CoordinatorContext } from './context.js';
import { save } from './ddl.js';
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
  await ctx.lock(async () => { rec.schema = withAlteredField(rec.schema, fieldName, params); await save(ctx, rec); });
  announceCatalogChange(ctx, dbOf(rec), [rec.name]);
  return rec;
}
