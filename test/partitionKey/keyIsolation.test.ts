/**
 * Partition key isolation's search rule, as Milvus's proxy states it
 * (exprutil.ValidatePartitionKeyIsolation): a search filter must pin the
 * key to one value with `==`, alone or under `and`; every other use of the
 * key is refused by name, and a filter without the key is refused as "not
 * found". The value pinned is what a keyed index searches; and the DDL
 * rules: isolation needs a key, and changes only while no vector index exists.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, parseFilter, type Expr } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { checkIsolatedFilter, checkIsolationChange, checkIsolationSchema, isolatedKey } from '../../actors/shared/partitionKey/keyIsolation.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'tenant', dataType: 'VarChar', maxLength: 16, isPartitionKey: true }, { name: 'x', dataType: 'Int64' }, { name: 'name', dataType: 'VarChar', maxLength: 16 },
  ],
};
const key = schema.fields.find((f) => f.name === 'tenant')!;
const intSchema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'k', dataType: 'Int64', isPartitionKey: true }] };
const intKey = intSchema.fields.find((f) => f.name === 'k')!;

const checked = (text: string, s: CollectionSchema = schema): Expr => checkFilter(parseFilter(text), s).expr;

/** The refusal's message, or 'ok' when the filter passes the rule. */
function verdict(text: string | null): string {
  try {
    checkIsolatedFilter(text === null ? null : checked(text), key);
    return 'ok';
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.equal((e as ValidationError).info.rule, 'partitionkey.isolation');
    return (e as Error).message;
  }
}

test('filters that pin the key to one value with == pass', () => {
  for (const f of ['tenant == "a"', '"a" == tenant', 'tenant == "a" and x > 3', 'x > 3 and (name != "b" and tenant == "a")',
    'tenant == "a" and (x == 1 or x == 2)', 'tenant == "a" and x in [1, 2]', 'tenant == "a" and tenant == "a"']) {
    assert.is(verdict(f), 'ok', f);
  }
});

test('every other use of the key is refused by name, with Milvus\'s words', () => {
  assert.match(verdict('tenant in ["a", "b"]'), 'partition key isolation does not support IN');
  // Even one value: Milvus refuses IN as such.
  assert.match(verdict('tenant in ["a"]'), 'partition key isolation does not support IN');
  assert.match(verdict('tenant not in ["a"]'), 'partition key isolation does not support IN');
  assert.match(verdict('tenant != "a"'), 'partition key isolation does not support NotEqual');
  assert.match(verdict('tenant > "a"'), 'partition key isolation does not support GreaterThan');
  assert.match(verdict('tenant <= "a" and x > 1'), 'partition key isolation does not support LessEqual');
  assert.match(verdict('tenant == "a" or x > 1'), 'partition key isolation does not support OR');
  assert.match(verdict('x > 1 or tenant == "a"'), 'partition key isolation does not support OR');
  assert.match(verdict('tenant == "a" or tenant == "b"'), 'partition key isolation does not support OR');
  assert.match(verdict('not (tenant == "a")'), 'partition key isolation does not support NOT');
  assert.match(verdict('tenant == "a" and tenant in ["a"]'), 'partition key isolation does not support IN');
  assert.match(verdict('tenant like "a%"'), 'partition key isolation does not support like');
});

test('a filter that never pins the key is refused as not found', () => {
  const notFound = 'partition key not found in expr or the expr is invalid when validating partition key isolation';
  assert.match(verdict(null), notFound);
  assert.match(verdict('x > 3'), notFound);
  assert.match(verdict('name == "a" and x == 1'), notFound);
  assert.match(verdict('x == 1 or x == 2'), notFound);
});

test('the one value a filter pins is the sub-index a keyed index searches', () => {
  assert.is(isolatedKey(checked('tenant == "a" and x > 3'), key), 'a');
  assert.is(isolatedKey(checked('k == 7', intSchema), intKey), 7);
  // Several, none, or contradictory values: no single sub-index.
  assert.is(isolatedKey(checked('tenant in ["a", "b"]'), key), null);
  assert.is(isolatedKey(checked('x > 3'), key), null);
  assert.is(isolatedKey(checked('tenant == "a" and tenant == "b"'), key), null);
  assert.is(isolatedKey(null, key), null);
});

test('isolation needs a partition key field, and changes only while no vector index exists', () => {
  const noKey: CollectionSchema = { fields: schema.fields.filter((f) => f.name !== 'tenant') };
  assert.throws(() => checkIsolationSchema('c', noKey, true), /partition key isolation mode is enabled but no partition key field is set/);
  checkIsolationSchema('c', noKey, false);
  checkIsolationSchema('c', schema, true);
  // A scalar index is no obstacle; a vector index is, either way, until dropped.
  checkIsolationChange('c', [{ indexType: 'INVERTED' }], false, true);
  checkIsolationChange('c', [{ indexType: 'HNSW' }], true, true);
  for (const [from, to] of [[false, true], [true, false]] as const) {
    try {
      checkIsolationChange('c', [{ indexType: 'INVERTED' }, { indexType: 'HNSW' }], from, to);
      assert.unreachable('refused');
    } catch (e) {
      assert.instance(e, NuthatchError);
      assert.is((e as NuthatchError).code, 'FailedPrecondition');
      assert.match((e as Error).message, 'can not alter partition key isolation mode if the collection already has a vector index');
    }
  }
});

test.run();
