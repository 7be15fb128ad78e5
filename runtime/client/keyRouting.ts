import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { Expr } from '../../messages/filter/ast.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { partitionKeyField, type Rows } from '../../messages/schema.js';
import { keyPartitionIds, routeRows } from '../../actors/shared/partitionKey/keyPartitions.js';
import { prunedPartitionIds } from '../../actors/shared/partitionKey/keyPruning.js';
import { checkIsolatedFilter } from '../../actors/shared/partitionKey/keyIsolation.js';

/**
 * Where the client puts rows and which partitions it reads, as Milvus's proxy
 * decides them: by partition name, or in a partition-key collection by the
 * key (rows routed by hash, reads pruned by a filter that pins the key, and
 * partition names refused). The streaming node checks the routing again
 * (invariant partition-key-owns-partitions), so a wrong client cannot put a
 * row where a pruned read would miss it.
 */
type Coll = Pick<CollectionRecord, 'name' | 'schema' | 'partitions'>;

const MANUAL = 'not support manually specifying the partition names if partition key mode is used';

/** The partition id a name stands for; no name: the first partition (`_default`). */
export function partitionIdOf(r: Coll, name?: string): number {
  if (name === undefined || name === '') return r.partitions[0]!.id;
  const p = r.partitions.find((x) => x.name === name);
  if (!p) throw new NuthatchError('PartitionNotFound', `partition '${name}' does not exist in '${r.name}'`);
  return p.id;
}

/** Refuses partition names on a partition-key collection (Milvus: its key chooses the partitions). */
export function refuseNamedPartitions(r: Coll, names: readonly string[] | string | undefined): void {
  const named = typeof names === 'string' ? names !== '' : (names?.length ?? 0) > 0;
  const key = partitionKeyField(r.schema);
  if (key && named) throw new ValidationError(`${MANUAL}: '${r.name}' chooses partitions by its partition key '${key.name}'`, { field: 'partitionName', partitionKey: key.name });
}

/** The ids of a partition-key collection's partitions by index; they are _default_0.. by construction. */
function keyIds(r: Coll): number[] {
  const ids = keyPartitionIds(r.partitions);
  if (!ids) throw new NuthatchError('Internal', `collection '${r.name}' has a partition key but its partitions are not _default_0..n-1`);
  return ids;
}

/** A write's rows by partition: all in the named one (or `_default`), or each in its key's partition. */
export function writePartitions(r: Coll, rows: Rows, partitionName?: string): Array<[partitionId: number, rows: number[]]> {
  refuseNamedPartitions(r, partitionName);
  const key = partitionKeyField(r.schema);
  if (!key) return [[partitionIdOf(r, partitionName), Array.from({ length: rows.count }, (_, i) => i)]];
  return [...routeRows(rows.fields[key.name]!, keyIds(r))];
}

/**
 * The partitions a read covers (null: all): those named, or in a
 * partition-key collection those the checked filter's pinned key values route to.
 */
export function readPartitions(r: Coll, filter: Expr | null, partitionNames: readonly string[] | undefined): number[] | null {
  refuseNamedPartitions(r, partitionNames);
  const key = partitionKeyField(r.schema);
  if (key) return prunedPartitionIds(filter, key, keyIds(r));
  return partitionNames && partitionNames.length > 0 ? partitionNames.map((p) => partitionIdOf(r, p)) : null;
}

/**
 * Under partition key isolation (`partitionkey.isolation`), refuses a search
 * whose checked filter does not pin the key to one value with `==`, as
 * Milvus's proxy does (actors/shared/partitionKey/keyIsolation.ts).
 */
export function refuseUnisolated(r: Coll & Pick<CollectionRecord, 'partitionKeyIsolation'>, filter: Expr | null): void {
  const key = partitionKeyField(r.schema);
  if (r.partitionKeyIsolation && key) checkIsolatedFilter(filter, key);
}
