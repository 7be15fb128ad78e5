import { PartitionStatus, type VchannelContext } from './context.js';
import { isType, tsoText, type Check } from './check.js';
import { partitionKeyField } from '../../../../messages/schema.js';
import { keyPartitionName } from '../../../shared/partitionKey/keyPartitions.js';

/** The name of the partition every collection starts with; it is never dropped. */
export const DEFAULT_PARTITION = '_default';

/** Why `id` is not a live partition, or null if it is. */
export function partitionProblem(ctx: VchannelContext, id: number): string | null {
  const p = ctx.partitions[String(id)];
  if (!p) return `partition ${id} does not exist in collection ${ctx.collection?.id}`;
  if (p.status === PartitionStatus.Dropped) return `partition ${id} ('${p.name}') was dropped at tso ${tsoText(p.droppedTso ?? 0n)}`;
  return null;
}

/**
 * DML and CreateSegment name a live partition (Delete with partitionId -1 means
 * every partition); CreateCollection lists `_default` first (`_default_0`
 * with a partition key, whose partitions are `_default_<i>`).
 */
export const partitionMustExist: Check = (ctx, m) => {
  if (isType(m, 'CreateCollection')) {
    const first = m.body.partitions[0];
    const want = partitionKeyField(m.body.schema) ? keyPartitionName(0) : DEFAULT_PARTITION;
    return first?.name === want ? null : `CreateCollection must list the '${want}' partition first, got ${first ? `'${first.name}'` : 'no partitions'}`;
  }
  if (isType(m, 'Delete')) return m.body.partitionId === -1 ? null : partitionProblem(ctx, m.body.partitionId);
  if (isType(m, 'Insert') || isType(m, 'CreateSegment') || isType(m, 'DropPartition')) return partitionProblem(ctx, m.body.partitionId);
  return null;
};

/** Partition ids are never reused; names are unique among live partitions. */
export const partitionAlreadyExists: Check = (ctx, m) => {
  if (isType(m, 'CreateCollection')) {
    const ids = new Set<number>(), names = new Set<string>();
    for (const p of m.body.partitions) {
      if (ids.has(p.id)) return `CreateCollection lists partition id ${p.id} twice`;
      if (names.has(p.name)) return `CreateCollection lists partition name '${p.name}' twice`;
      ids.add(p.id); names.add(p.name);
    }
    return null;
  }
  if (!isType(m, 'CreatePartition')) return null;
  const { id, name } = m.body.partition;
  const taken = ctx.partitions[String(id)];
  if (taken) return `partition id ${id} is already used by '${taken.name}'${taken.status === PartitionStatus.Dropped ? ' (dropped)' : ''}`;
  const same = Object.values(ctx.partitions).find((p) => p.name === name && p.status === PartitionStatus.Live);
  return same ? `a partition named '${name}' already exists (id ${same.id})` : null;
};

export const defaultPartitionIsPermanent: Check = (ctx, m) =>
  isType(m, 'DropPartition') && ctx.collection !== null && m.body.partitionId === ctx.collection.defaultPartitionId
    ? `the '${DEFAULT_PARTITION}' partition (id ${m.body.partitionId}) cannot be dropped`
    : null;
