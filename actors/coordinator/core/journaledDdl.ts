import { withAddedField } from '../../../messages/addedField.js';
import { withAlteredField } from '../../../messages/alteredField.js';
import { withAddedFunction, withAlteredFunction, withDroppedFunction } from '../../../messages/collectionFunctions.js';
import { applyAlter } from './alteredProperties.js';
import { withDroppedField } from '../../../messages/droppedField.js';
import { Invariant, type InvariantName } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { DdlStep } from '../../../messages/pendingDdl.js';
import type { Tso } from '../../../messages/types.js';

/**
 * Journaled DDL. A DDL that changes a collection is a message broadcast to
 * every shard, then the record saved. A coordinator that dies between the two
 * leaves the shards ahead of the record: a field the shards took that no
 * client may write (every write refused as shaped against an older schema),
 * a truncate whose cut no segment discard knows of (its old sealed rows come
 * back), a partition or an index the shards hold that the record never
 * lists (and a create refused as existing, a drop as missing). So the
 * record first takes the step as `pendingDdl`, with the id its broadcast
 * will carry; a coordinator that finds one (at start) broadcasts it again
 * under that id, which the shards answer from their append dedup (or, past
 * its window, with the invariant that says it is done), and saves the record
 * with the step applied and the pending step gone, in one write.
 */

/**
 * The invariant a shard refuses a step with when it already took it (a
 * broadcast again after a crash, past the dedup window). Alters have none: a
 * shard takes the same alter twice as once.
 */
export function alreadyDoneBy(step: DdlStep): InvariantName | undefined {
  switch (step.type) {
    case 'AddCollectionField': return Invariant.FieldAlreadyAdded;
    case 'DropCollectionField': return Invariant.FieldAlreadyDropped;
    case 'AddCollectionFunction': return Invariant.FunctionAlreadyAdded;
    case 'DropCollectionFunction': return Invariant.FunctionAlreadyDropped;
    case 'CreatePartition': return Invariant.PartitionAlreadyExists;
    case 'DropPartition': return Invariant.PartitionMustExist;
    case 'CreateIndex': return Invariant.IndexAlreadyExists;
    case 'DropIndex': return Invariant.IndexMustExist;
    default: return undefined;
  }
}

/** Whether the step changes the schema (the record then takes a new schema version). */
export function changesSchema(step: DdlStep): boolean {
  return step.type !== 'CreatePartition' && step.type !== 'DropPartition' && step.type !== 'TruncateCollection' && step.type !== 'CreateIndex' && step.type !== 'DropIndex' && step.type !== 'AlterCollection';
}

/** Whether the step is a message to every shard (an alter of properties only the record reads is not). */
export function broadcasts(step: DdlStep): boolean {
  return step.body !== null;
}

/**
 * The record with the step applied, given each shard's TSO of it (in
 * `rec.vchannels` order; 0 where a shard had taken it before, by invariant).
 * Mutates and returns `rec`. Applying a step the record already shows is a
 * no-op, so a resume after the record was saved changes nothing.
 */
export function applyStep(rec: CollectionRecord, step: DdlStep, tsos: readonly Tso[]): CollectionRecord {
  switch (step.type) {
    case 'AddCollectionField':
      if (!rec.schema.fields.some((f) => f.name === step.body.field.name)) rec.schema = withAddedField(rec.schema, step.body.field);
      break;
    case 'AlterCollectionField':
      rec.schema = withAlteredField(rec.schema, step.body.fieldName, step.body.params);
      break;
    case 'DropCollectionField':
      if (rec.schema.fields.some((f) => f.name === step.body.fieldName)) rec.schema = withDroppedField(rec.schema, rec.indexes, step.body.fieldName);
      if (rec.loadFields) rec.loadFields = rec.loadFields.filter((f) => f !== step.body.fieldName);
      break;
    case 'AddCollectionFunction':
      if (!rec.schema.functions?.some((f) => f.name === step.body.function.name)) rec.schema = withAddedFunction(rec.schema, rec.indexes, step.body.function);
      break;
    case 'AlterCollectionFunction':
      rec.schema = withAlteredFunction(rec.schema, step.body.function);
      break;
    case 'DropCollectionFunction':
      if (rec.schema.functions?.some((f) => f.name === step.body.functionName)) rec.schema = withDroppedFunction(rec.schema, rec.indexes, step.body.functionName);
      break;
    case 'CreatePartition':
      if (!rec.partitions.some((p) => p.id === step.body.partition.id)) rec.partitions.push(step.body.partition);
      break;
    case 'DropPartition':
      rec.partitions = rec.partitions.filter((p) => p.id !== step.body.partitionId);
      if (rec.loadedPartitions) rec.loadedPartitions = rec.loadedPartitions.filter((id) => id !== step.body.partitionId);
      break;
    case 'CreateIndex':
      if (!rec.indexes.some((i) => i.indexName === step.body.index.indexName)) rec.indexes.push(step.body.index);
      break;
    case 'DropIndex':
      rec.indexes = rec.indexes.filter((i) => i.indexName !== step.body.indexName);
      break;
    case 'AlterCollection':
      applyAlter(rec, step, tsos);
      break;
    case 'TruncateCollection': {
      // A shard that had taken it (0: refused as done) keeps the cut it has.
      const cut: Record<string, Tso> = { ...rec.truncatedTso };
      rec.vchannels.forEach((v, i) => { if ((tsos[i] ?? 0n) > 0n) cut[v] = tsos[i]!; });
      rec.truncatedTso = cut;
      break;
    }
  }
  return rec;
}
