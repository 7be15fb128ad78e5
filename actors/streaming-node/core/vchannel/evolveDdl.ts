import { withAlteredField } from '../../../../messages/alteredField.js';
import { withDroppedField } from '../../../../messages/droppedField.js';
import { withAddedFunction, withAlteredFunction, withDroppedFunction } from '../../../../messages/collectionFunctions.js';
import { PartitionStatus, type PartitionState } from './context.js';
import { sealWhere, type Evolve } from './evolve.js';

export const createCollection: Evolve<'CreateCollection'> = (_ctx, m) => {
  const b = m.body, tso = m.header.tso;
  const partitions: Record<string, PartitionState> = {};
  for (const p of b.partitions) partitions[String(p.id)] = { id: p.id, name: p.name, status: PartitionStatus.Live, createdTso: tso, droppedTso: null, allocationFence: tso };
  return {
    collection: {
      id: b.collectionId, name: b.name, schema: structuredClone(b.schema), metricType: b.metricType, shards: b.shards, shardIndex: b.shardIndex,
      consistencyLevel: b.consistencyLevel, defaultPartitionId: b.partitions[0]!.id, createdTso: tso, droppedTso: null,
      ...(b.ttlSeconds ? { ttlSeconds: b.ttlSeconds } : {}),
      ...(b.ttlField ? { ttlField: b.ttlField } : {}),
    },
    partitions,
  };
};

export const dropCollection: Evolve<'DropCollection'> = (ctx, m) => ({ collection: { ...ctx.collection!, droppedTso: m.header.tso } });

export const createPartition: Evolve<'CreatePartition'> = (ctx, m) => {
  const { id, name } = m.body.partition, tso = m.header.tso;
  return { partitions: { ...ctx.partitions, [String(id)]: { id, name, status: PartitionStatus.Live, createdTso: tso, droppedTso: null, allocationFence: tso } } };
};

/** The partition takes no more inserts (infinite fence) and its growing segments are sealed. */
export const dropPartition: Evolve<'DropPartition'> = (ctx, m) => {
  const id = m.body.partitionId, tso = m.header.tso, p = ctx.partitions[String(id)]!;
  return {
    partitions: { ...ctx.partitions, [String(id)]: { ...p, status: PartitionStatus.Dropped, droppedTso: tso, allocationFence: 'infinite' } },
    segments: sealWhere(ctx, tso, 'DropPartition', (s) => s.partitionId === id),
  };
};

/** Raises every live partition's allocation fence to this TSO and seals every growing segment. */
export const manualFlush: Evolve<'ManualFlush'> = (ctx, m) => {
  const tso = m.header.tso, partitions = { ...ctx.partitions };
  for (const p of Object.values(ctx.partitions)) if (p.allocationFence !== 'infinite') partitions[String(p.id)] = { ...p, allocationFence: tso };
  return { partitions, segments: sealWhere(ctx, tso, 'ManualFlush', () => true) };
};

/** As ManualFlush: fences raised, every growing segment sealed (the shard's data drops their rows: shardData.ts). */
export const truncateCollection: Evolve<'TruncateCollection'> = (ctx, m) => {
  const tso = m.header.tso, partitions = { ...ctx.partitions };
  for (const p of Object.values(ctx.partitions)) if (p.allocationFence !== 'infinite') partitions[String(p.id)] = { ...p, allocationFence: tso };
  return { partitions, segments: sealWhere(ctx, tso, 'TruncateCollection', () => true) };
};

export const createIndex: Evolve<'CreateIndex'> = (ctx, m) => {
  const index = structuredClone(m.body.index);
  return { indexes: { ...ctx.indexes, [index.indexName]: { ...index, createdTso: m.header.tso } } };
};

export const dropIndex: Evolve<'DropIndex'> = (ctx, m) => {
  const indexes = { ...ctx.indexes };
  delete indexes[m.body.indexName];
  return { indexes };
};

/** A ttl_field dropped or replaced is remembered with this TSO: rows it had expired by then stay hidden (messages/entityTtl.ts). */
export const alterCollection: Evolve<'AlterCollection'> = (ctx, m) => {
  const { ttlField: was, ...rest } = ctx.collection!;
  const now = m.body.ttlField;
  const dropped = was !== undefined && was !== now ? { droppedTtlField: was, droppedTtlFieldTso: m.header.tso } : {};
  return { collection: { ...rest, ttlSeconds: m.body.ttlSeconds, ...(now ? { ttlField: now } : {}), ...dropped } };
};

export const addCollectionField: Evolve<'AddCollectionField'> = (ctx, m) => {
  const schema = ctx.collection!.schema;
  return { collection: { ...ctx.collection!, schema: { ...schema, fields: [...schema.fields, structuredClone(m.body.field)] }, schemaTso: m.body.schemaVersion ?? m.header.tso } };
};

/** The field's new limits hold for every message after this one (PayloadMatchesSchema checked them). */
export const alterCollectionField: Evolve<'AlterCollectionField'> = (ctx, m) =>
  ({ collection: { ...ctx.collection!, schema: withAlteredField(ctx.collection!.schema, m.body.fieldName, m.body.params), schemaTso: m.body.schemaVersion ?? m.header.tso } });

/** The field is gone for every message after this one (PayloadMatchesSchema checked it may go). */
export const dropCollectionField: Evolve<'DropCollectionField'> = (ctx, m) =>
  ({ collection: { ...ctx.collection!, schema: withDroppedField(ctx.collection!.schema, Object.values(ctx.indexes), m.body.fieldName), schemaTso: m.body.schemaVersion ?? m.header.tso } });

/** Writes after this one carry the function's output (PayloadMatchesSchema checked it may be added). */
export const addCollectionFunction: Evolve<'AddCollectionFunction'> = (ctx, m) =>
  ({ collection: { ...ctx.collection!, schema: withAddedFunction(ctx.collection!.schema, Object.values(ctx.indexes), m.body.function), schemaTso: m.body.schemaVersion ?? m.header.tso } });

/** Writes after this one compute the output by the new definition. */
export const alterCollectionFunction: Evolve<'AlterCollectionFunction'> = (ctx, m) =>
  ({ collection: { ...ctx.collection!, schema: withAlteredFunction(ctx.collection!.schema, m.body.function), schemaTso: m.body.schemaVersion ?? m.header.tso } });

/** Writes after this one give the former output field themselves. */
export const dropCollectionFunction: Evolve<'DropCollectionFunction'> = (ctx, m) =>
  ({ collection: { ...ctx.collection!, schema: withDroppedFunction(ctx.collection!.schema, Object.values(ctx.indexes), m.body.functionName), schemaTso: m.body.schemaVersion ?? m.header.tso } });

export const renameCollection: Evolve<'RenameCollection'> = (ctx, m) => ({ collection: { ...ctx.collection!, name: m.body.name } });
