/**
 * The partition key field, by Milvus's rules (proxy validatePartitionKey): at
 * most one, Int64 or VarChar, never the primary key, never nullable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { partitionKeyField, validateSchema, type CollectionSchema, type FieldSchema } from '../../messages/schema.js';

const base: FieldSchema[] = [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }];
const withFields = (...more: FieldSchema[]): CollectionSchema => ({ fields: [...base, ...more] });

const refused = (s: CollectionSchema): ValidationError => {
  try { validateSchema(s); } catch (e) { assert.instance(e, ValidationError); assert.is((e as ValidationError).code, 'InvalidArgument'); return e as ValidationError; }
  return assert.unreachable('expected the schema to be refused') as never;
};

test('an Int64 or VarChar field may be the partition key', () => {
  const a = withFields({ name: 'tenant', dataType: 'Int64', isPartitionKey: true });
  validateSchema(a);
  assert.is(partitionKeyField(a)?.name, 'tenant');
  validateSchema(withFields({ name: 'tenant', dataType: 'VarChar', maxLength: 64, isPartitionKey: true }));
  assert.is(partitionKeyField(withFields({ name: 'tenant', dataType: 'Int64', isPartitionKey: false })), undefined);
});

test('two partition keys are refused, naming both', () => {
  const e = refused(withFields({ name: 'a', dataType: 'Int64', isPartitionKey: true }, { name: 'b', dataType: 'VarChar', maxLength: 8, isPartitionKey: true }));
  assert.match(e.message, /at most one partition key.*'a' and 'b'/);
  assert.is(e.info.field, 'b');
});

test('a partition key of another type, the primary key, or a nullable one is refused', () => {
  for (const dataType of ['Int32', 'Int8', 'Bool', 'Double', 'Float', 'JSON'] as const) {
    assert.match(refused(withFields({ name: 'k', dataType, isPartitionKey: true })).message, /must be Int64 or VarChar/, dataType);
  }
  assert.match(refused({ fields: [{ name: 'id', dataType: 'Int64', isPrimary: true, isPartitionKey: true }, base[1]!] }).message, /cannot be the primary key/);
  assert.match(refused(withFields({ name: 'k', dataType: 'Int64', nullable: true, isPartitionKey: true })).message, /cannot be nullable/);
  assert.match(refused(withFields({ name: 'k', dataType: 'Int64', isPartitionKey: 'yes' as unknown as boolean })).message, /must be a boolean/);
});

test.run();
