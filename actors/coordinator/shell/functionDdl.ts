import { withAddedFunction, withAlteredFunction, withDroppedFunction, sameFunction } from '../../../messages/collectionFunctions.js';
import { dbOf } from '../../../messages/database.js';
import { indexOnField } from '../../../messages/droppedField.js';
import { Invariant, NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { FunctionSchema } from '../../../messages/schemaFunctions.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt } from '../core/databases.js';
import { broadcast } from './broadcast.js';
import type { CoordinatorContext } from './context.js';
import { saveSchema } from './ddl.js';
import { announceCatalogChange } from './renameCollection.js';

/**
 * Function DDL on a live collection (Milvus 2.6's add/alter/drop_collection_function,
 * messages/collectionFunctions.ts). Each is checked against the record first (a
 * refusal writes nothing), then broadcast to every shard, whose vchannel machine
 * checks it again and folds it at its TSO (writes stamped after it compute, or stop
 * computing, the output), then saved in the record (what describeCollection,
 * clients and restarts read), then announced so clients drop cached schemas.
 */
export async function addCollectionFunction(ctx: CoordinatorContext, ref: CollectionRef, fn: FunctionSchema): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  // Every other refusal first (InvalidArgument), then the index, a refusal the caller acts on (drop it).
  withAddedFunction(rec.schema, [], fn);
  refuseIndexedOutput(rec, fn.outputFieldNames[0], 'add a function writing it');
  // An add retried after a crash between the broadcast and the record finds some shards done.
  await broadcast(ctx, 'AddCollectionFunction', rec.vchannels, () => ({ collectionId: rec.collectionId, function: fn }), Invariant.FunctionAlreadyAdded);
  return record(ctx, rec, () => withAddedFunction(rec.schema, rec.indexes, fn));
}

/** Replaces the definition of the function of `fn.name` (its input field and params; not its type nor output). */
export async function alterCollectionFunction(ctx: CoordinatorContext, ref: CollectionRef, fn: FunctionSchema): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  withAlteredFunction(rec.schema, fn);
  if (rec.schema.functions!.some((f) => sameFunction(f, fn))) return rec;
  await broadcast(ctx, 'AlterCollectionFunction', rec.vchannels, () => ({ collectionId: rec.collectionId, function: fn }));
  return record(ctx, rec, () => withAlteredFunction(rec.schema, fn));
}

/** Drops a function: its output field stays, a plain field that writes after it give themselves. */
export async function dropCollectionFunction(ctx: CoordinatorContext, ref: CollectionRef, name: string): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  withDroppedFunction(rec.schema, [], name);
  refuseIndexedOutput(rec, rec.schema.functions!.find((f) => f.name === name)!.outputFieldNames[0], 'drop the function writing it');
  // A drop retried after a crash between the broadcast and the record finds some shards done.
  await broadcast(ctx, 'DropCollectionFunction', rec.vchannels, () => ({ collectionId: rec.collectionId, functionName: name }), Invariant.FunctionAlreadyDropped);
  return record(ctx, rec, () => withDroppedFunction(rec.schema, rec.indexes, name));
}

/** An indexed output field is a refusal the caller acts on (drop the index), as dropping an indexed field is. */
function refuseIndexedOutput(rec: CollectionRecord, output: string | undefined, what: string): void {
  const index = output === undefined ? undefined : indexOnField(rec.indexes, output);
  if (index) throw new NuthatchError('FailedPrecondition', `field '${output}' of '${rec.name}' has index '${index.indexName}': drop the index first, then ${what}`, { field: output, index: index.indexName });
}

/** The record with the new schema, recomputed under the lock so concurrent DDL of two functions both stay. */
async function record(ctx: CoordinatorContext, rec: CollectionRecord, schema: () => CollectionRecord['schema']): Promise<CollectionRecord> {
  await ctx.lock(async () => { rec.schema = schema(); await saveSchema(ctx, rec); });
  announceCatalogChange(ctx, dbOf(rec), [rec.name]);
  return rec;
}
