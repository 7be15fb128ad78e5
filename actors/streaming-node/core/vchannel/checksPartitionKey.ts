import { partitionKeyField } from '../../../../messages/schema.js';
import { keyPartitionIds, keyPartitionName, routeKey } from '../../../shared/partitionKey/keyPartitions.js';
import { isType, type Check } from './check.js';

/**
 * A partition-key collection's key owns its partitions: CreateCollection lists
 * exactly `_default_0 .. _default_{n-1}`, none is created or dropped later, and
 * every row of an Insert is in the partition its key routes to. The last is
 * what makes pruning a read by a pinned key exact whatever client wrote the
 * rows (the client routes them; see runtime/client/keyRouting.ts).
 */
export const partitionKeyOwnsPartitions: Check = (ctx, m) => {
  if (isType(m, 'CreateCollection')) {
    if (!partitionKeyField(m.body.schema)) return null;
    const bad = m.body.partitions.findIndex((p, i) => p.name !== keyPartitionName(i));
    return bad < 0 ? null : `a partition-key collection lists its partitions as _default_0.._default_${m.body.partitions.length - 1} in order; partition ${bad} is '${m.body.partitions[bad]!.name}'`;
  }
  const coll = ctx.collection;
  const key = coll ? partitionKeyField(coll.schema) : undefined;
  if (!key) return null;
  if (isType(m, 'CreatePartition') || isType(m, 'DropPartition')) return `collection ${coll!.id} spreads its rows over its partitions by partition key '${key.name}': partitions are not created or dropped by hand`;
  if (!isType(m, 'Insert')) return null;
  const ids = keyPartitionIds(Object.values(ctx.partitions));
  const keys = m.body.rows.fields[key.name];
  if (!ids || !Array.isArray(keys)) return `the Insert's rows carry no partition key '${key.name}' column, or the collection's key partitions are not _default_0..n-1`;
  for (let row = 0; row < keys.length; row++) {
    const v = keys[row];
    if (typeof v !== 'number' && typeof v !== 'string') return `row ${row} has no partition key value`;
    const home = routeKey(v, ids);
    if (home !== m.body.partitionId) return `row ${row} (partition key ${JSON.stringify(v)}) belongs in partition ${home}, not ${m.body.partitionId}`;
  }
  return null;
};
