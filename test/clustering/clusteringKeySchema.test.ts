/** The clustering key's schema rules (messages/schema.ts): one scalar field of the types Milvus allows. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { clusteringKeyField, validateSchema, type FieldSchema } from '../../messages/schema.js';
import { addedFieldProblem } from '../../messages/addedField.js';

const base: FieldSchema[] = [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 4 }];
const refused = (fields: FieldSchema[]): ValidationError => {
  try { validateSchema({ fields: [...base, ...fields] }); } catch (e) { assert.instance(e, ValidationError); return e as ValidationError; }
  throw new Error(`accepted ${JSON.stringify(fields)}`);
};

test('each allowed type may be the clustering key, also beside a partition key', () => {
  for (const dataType of ['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'] as const) {
    const s = validateSchema({ fields: [...base, { name: 'k', dataType, isClusteringKey: true, ...(dataType === 'VarChar' ? { maxLength: 8 } : {}) }] });
    assert.is(clusteringKeyField(s)?.name, 'k', dataType);
  }
  validateSchema({ fields: [...base, { name: 'k', dataType: 'Int64', isClusteringKey: true }, { name: 'tenant', dataType: 'VarChar', maxLength: 8, isPartitionKey: true }] });
  assert.is(clusteringKeyField({ fields: base }), undefined);
});

test('typed refusals: two keys, a vector field, a wrong type, a non-boolean flag; an added field cannot be one', () => {
  const two = refused([{ name: 'a', dataType: 'Int64', isClusteringKey: true }, { name: 'b', dataType: 'Int32', isClusteringKey: true }]);
  assert.is(two.code, 'InvalidArgument'); assert.is(two.info.reason, 'clusteringKeyCount'); assert.match(two.message, /at most one clustering key/);
  const vec = refused([{ name: 'v2', dataType: 'FloatVector', dim: 4, isClusteringKey: true }]);
  assert.is(vec.info.reason, 'clusteringKeyVector'); assert.is(vec.info.field, 'v2');
  for (const dataType of ['Bool', 'JSON', 'Timestamptz'] as const) {
    const e = refused([{ name: 'x', dataType, isClusteringKey: true }]);
    assert.is(e.info.reason, 'clusteringKeyType', dataType);
  }
  const arr = refused([{ name: 'x', dataType: 'Array', elementType: 'Int64', maxCapacity: 4, isClusteringKey: true }]);
  assert.is(arr.info.reason, 'clusteringKeyType');
  assert.match(refused([{ name: 'x', dataType: 'Int64', isClusteringKey: 'yes' as unknown as boolean }]).message, /must be a boolean/);
  assert.match(addedFieldProblem({ fields: base }, { name: 'x', dataType: 'Int64', nullable: true, isClusteringKey: true }) ?? '', /cannot be the clustering key/);
});

test.run();
