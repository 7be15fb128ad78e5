import { withAddedFunction, withAlteredFunction, withDroppedFunction, sameFunction } from '../../../messages/collectionFunctions.js';
import { indexOnField } from '../../../messages/droppedField.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { FunctionSchema } from '../../../messages/schemaFunctions.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt } from '../core/databases.js';
import type { CoordinatorContext } from './context.js';
import { runJournaled } from './ddlJournal.js';

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
  await runJournaled(ctx, rec, () => {
    // Every other refusal first (InvalidArgument), then the index, a refusal the caller acts on (drop it).
    withAddedFunction(rec.schema, [], fn);
    refuseIndexedOutput(rec, fn.outputFieldNames[0], 'add a function writing it');
    return { type: 'AddCollectionFunction', body: { function: fn } };
  });
  return rec;
}

/** Replaces the definition of the function of `fn.name` (its input field and params; not its type nor output). */
export async function alterCollectionFunction(ctx: CoordinatorContext, ref: CollectionRef, fn: FunctionSchema): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  await runJournaled(ctx, rec, () => {
    withAlteredFunction(rec.schema, fn);
    return rec.schema.functions!.some((f) => sameFunction(f, fn)) ? null : { type: 'AlterCollectionFunction', body: { function: fn } };
  });
  return rec;
}

/** Drops a function: its output field stays, a plain field that writes after it give themselves. */
export async function dropCollectionFunction(ctx: CoordinatorContext, ref: CollectionRef, name: string): Promise<CollectionRecord> {
  const rec = collectionAt(ctx.catalog, ref);
  await runJournaled(ctx, rec, () => {
    withDroppedFunction(rec.schema, [], name);
    refuseIndexedOutput(rec, rec.schema.functions!.find((f) => f.name === name)!.outputFieldNames[0], 'drop the function writing it');
    return { type: 'DropCollectionFunction', body: { functionName: name } };
  });
  return rec;
}

/** An indexed output field is a refusal the caller acts on (drop the index), as dropping an indexed field is. */
function refuseIndexedOutput(rec: CollectionRecord, output: string | undefined, what: string): void {
  const index = output === undefined ? undefined : indexOnField(rec.indexes, output);
  if (index) throw new NuthatchError('FailedPrecondition', `field '${output}' of '${rec.name}' has index '${index.indexName}': drop the index first, then ${what}`, { field: output, index: index.indexName });
}
