/**
 * A partition-key collection's partitions are `_default_0 .. _default_{n-1}`
 * (16 unless numbered, at most 1024); each row goes to `_default_<hash % n>`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { initialPartitionNames, keyPartitionIds, routeKey, routeRows } from '../../actors/shared/partitionKey/keyPartitions.js';
import { keyPartitionIndex } from '../../actors/shared/partitionKey/keyHash.js';

const plain: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }] };
const keyed: CollectionSchema = { fields: [...plain.fields, { name: 'tenant', dataType: 'VarChar', maxLength: 32, isPartitionKey: true }] };

const refusal = (f: () => unknown): string => {
  try { f(); } catch (e) { assert.instance(e, ValidationError); return (e as ValidationError).message; }
  return assert.unreachable('expected a ValidationError') as never;
};

test('a collection starts with _default, or with a partition key 16 key partitions or the number asked', () => {
  assert.equal(initialPartitionNames(plain, undefined), ['_default']);
  assert.equal(initialPartitionNames(keyed, undefined), Array.from({ length: 16 }, (_, i) => `_default_${i}`));
  assert.equal(initialPartitionNames(keyed, 3), ['_default_0', '_default_1', '_default_2']);
  assert.is(initialPartitionNames(keyed, 1024).length, 1024);
});

test('numPartitions out of range, or without a partition key, is refused', () => {
  for (const n of [0, -1, 1025, 2.5, Number.NaN]) assert.match(refusal(() => initialPartitionNames(keyed, n)), /numPartitions must be an integer in 1\.\.1024/);
  assert.match(refusal(() => initialPartitionNames(plain, 4)), /only for a collection with a partition key/);
});

test('key partition ids come back in index order, whatever order the partitions are listed in', () => {
  assert.equal(keyPartitionIds([{ id: 12, name: '_default_2' }, { id: 10, name: '_default_0' }, { id: 11, name: '_default_1' }]), [10, 11, 12]);
  assert.is(keyPartitionIds([{ id: 1, name: '_default' }]), null);
  assert.is(keyPartitionIds([{ id: 1, name: '_default_0' }, { id: 2, name: '_default_2' }]), null, 'a gap');
  assert.is(keyPartitionIds([{ id: 1, name: '_default_0' }, { id: 2, name: '_default_00' }]), null, 'a leading zero');
  assert.is(keyPartitionIds([{ id: 1, name: '_default_0' }, { id: 2, name: 'p' }]), null, 'a stranger');
  assert.is(keyPartitionIds([]), null);
});

test('rows route by the key hash: same key, same partition; each group lists its rows', () => {
  const ids = [100, 101, 102, 103, 104];
  const keys = ['acme', 'globex', 'acme', 'initech', 'globex', 'acme'];
  const groups = routeRows(keys, ids);
  const all = [...groups.values()].flat().sort((a, b) => a - b);
  assert.equal(all, [0, 1, 2, 3, 4, 5], 'every row exactly once');
  for (const [id, rows] of groups) for (const row of rows) {
    assert.is(id, ids[keyPartitionIndex(keys[row]!, ids.length)]);
    assert.is(id, routeKey(keys[row]!, ids));
  }
  assert.is(routeKey('acme', ids), routeKey('acme', ids));
});

test('many tenants spread over the partitions', () => {
  const ids = Array.from({ length: 16 }, (_, i) => 1000 + i);
  const used = new Set(Array.from({ length: 400 }, (_, t) => routeKey(t, ids)));
  assert.is(used.size, 16, 'Int64 keys reach every partition');
  const usedText = new Set(Array.from({ length: 400 }, (_, t) => routeKey(`tenant-${t}`, ids)));
  assert.is(usedText.size, 16, 'VarChar keys reach every partition');
});

test.run();
