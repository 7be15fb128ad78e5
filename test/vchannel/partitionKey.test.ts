/**
 * A partition-key collection's key owns its partitions: they are listed as
 * `_default_0 .. _default_{n-1}` at creation, never created or dropped later,
 * and every inserted row is in the partition its key routes to, whoever wrote
 * the message. Collections without a key are untouched by the rule.
 */
import { test } from 'uvu';
import { Invariant } from '../../messages/errors.js';
import type { CollectionSchema, Rows } from '../../messages/schema.js';
import { routeKey } from '../../actors/shared/partitionKey/keyPartitions.js';
import { given, ok } from './spec.js';
import { DEFAULT, DIM, m, schema } from './fixtures.js';

const keyed: CollectionSchema = { fields: [...schema.fields, { name: 'tenant', dataType: 'VarChar', maxLength: 16, isPartitionKey: true }] };
const IDS = [3000, 3001, 3002, 3003];
const keyPartitions = IDS.map((id, i) => ({ id, name: `_default_${i}` }));

/** Rows whose tenants are `tenants`, primary keys 1.. */
const tenantRows = (tenants: string[]): Rows => ({
  count: tenants.length,
  pks: tenants.map((_, i) => i + 1),
  vectors: new Float32Array(tenants.length * DIM),
  fields: { tag: tenants.map(() => 't'), tenant: tenants },
});
/** A tenant whose rows route to partition `id`. */
const tenantOf = (id: number): string => {
  for (let i = 0; ; i++) if (routeKey(`tenant-${i}`, IDS) === id) return `tenant-${i}`;
};
const live = () => [m.createCollection(1, keyPartitions, keyed), ...IDS.map((id, i) => m.createSegment(2 + i, 10 + i, id))];

test('CreateCollection of a partition-key schema lists _default_0.._default_{n-1} in order', () => {
  given([]).when(m.createCollection(1, keyPartitions, keyed)).then(ok);
  given([]).when(m.createCollection(1, [{ id: DEFAULT, name: '_default' }], keyed)).then(Invariant.PartitionMustExist);
  given([]).when(m.createCollection(1, [keyPartitions[0]!, keyPartitions[2]!], keyed)).then(Invariant.PartitionKeyOwnsPartitions);
  given([]).when(m.createCollection(1, [keyPartitions[0]!, { id: 3009, name: 'extra' }], keyed)).then(Invariant.PartitionKeyOwnsPartitions);
  given([]).when(m.createCollection(1, keyPartitions, schema)).then(Invariant.PartitionMustExist, 'PartitionNotFound');
});

test('partitions of a partition-key collection are never created or dropped', () => {
  given(live()).when(m.createPartition(10, 3100, 'extra')).then(Invariant.PartitionKeyOwnsPartitions);
  given(live()).when(m.dropPartition(10, IDS[2])).then(Invariant.PartitionKeyOwnsPartitions);
});

test('every row of an Insert is in the partition its key routes to', () => {
  const [a, b] = [tenantOf(IDS[1]!), tenantOf(IDS[3]!)];
  given(live()).when(m.insert(20, 11, { partition: IDS[1], rows: tenantRows([a, a]) })).then(ok);
  given(live()).when(m.insert(20, 13, { partition: IDS[3], rows: tenantRows([b]) })).then(ok);
  given(live()).when(m.insert(20, 11, { partition: IDS[1], rows: tenantRows([a, b]) })).then(Invariant.PartitionKeyOwnsPartitions);
  given(live()).when(m.insert(20, 13, { partition: IDS[3], rows: tenantRows([a]) })).then(Invariant.PartitionKeyOwnsPartitions);
});

test('inside a transaction too', () => {
  const a = tenantOf(IDS[0]!);
  const open = [...live(), m.begin(20, 7)];
  given(open).when(m.insert(21, 10, { partition: IDS[0], rows: tenantRows([a]), txn: 7 })).then(ok);
  given(open).when(m.insert(21, 11, { partition: IDS[1], rows: tenantRows([a]), txn: 7 })).then(Invariant.PartitionKeyOwnsPartitions);
});

test('a collection without a partition key keeps its partitions by hand', () => {
  const plain = [m.createCollection(1), m.createSegment(2, 1)];
  given(plain).when(m.createPartition(10, 3100, 'extra')).then(ok);
  given(plain).when(m.insert(10, 1)).then(ok);
});

test.run();
