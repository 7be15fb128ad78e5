import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { alteredFieldProblem, changesNothing, parseFieldParams, withAlteredField } from '../../messages/alteredField.js';
import type { CollectionSchema } from '../../messages/schema.js';

/** The pure rules of alter_collection_field: which params, on which fields, in which ranges. */
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'VarChar', maxLength: 32, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 4 },
    { name: 'title', dataType: 'VarChar', maxLength: 16 },
    { name: 'tenant', dataType: 'VarChar', maxLength: 16, isPartitionKey: true },
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 8 },
    { name: 'nums', dataType: 'Array', elementType: 'Int64', maxCapacity: 4 },
    { name: 'n', dataType: 'Int64' },
  ],
};

function throwsValidation(run: () => unknown, says: RegExp): void {
  try { run(); } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, says);
    return;
  }
  assert.unreachable(`not refused (${says})`);
}

test('field params by Milvus names, integers or strings of one (the Java SDK sends strings)', () => {
  assert.equal(parseFieldParams({ max_length: 1024 }), { maxLength: 1024 });
  assert.equal(parseFieldParams({ max_capacity: '64' }), { maxCapacity: 64 });
  assert.equal(parseFieldParams({ max_length: 1, max_capacity: 4096 }), { maxLength: 1, maxCapacity: 4096 });
  assert.equal(parseFieldParams({ max_length: 65535 }), { maxLength: 65535 });
});

test('bad field params are refused with the key named', () => {
  throwsValidation(() => parseFieldParams({}), /names no param/);
  throwsValidation(() => parseFieldParams(null), /must be an object/);
  throwsValidation(() => parseFieldParams([1]), /must be an object/);
  throwsValidation(() => parseFieldParams({ max_length: 0 }), /max_length must be an integer in 1\.\.65535, got 0/);
  throwsValidation(() => parseFieldParams({ max_length: 65536 }), /1\.\.65535/);
  throwsValidation(() => parseFieldParams({ max_length: 10.5 }), /max_length/);
  throwsValidation(() => parseFieldParams({ max_length: '12abc' }), /max_length/);
  throwsValidation(() => parseFieldParams({ max_length: true }), /max_length/);
  throwsValidation(() => parseFieldParams({ max_capacity: 4097 }), /max_capacity must be an integer in 1\.\.4096/);
  throwsValidation(() => parseFieldParams({ 'mmap.enabled': true }), /'mmap\.enabled' is refused: nuthatch keeps no memory-mapped/);
  throwsValidation(() => parseFieldParams({ mmap_enabled: 'true' }), /mmap_enabled/);
  throwsValidation(() => parseFieldParams({ description: 'x' }), /unknown field param 'description'/);
  try { parseFieldParams({ max_length: 0 }); } catch (e) { assert.equal((e as ValidationError).info, { field: 'fieldParams.max_length' }); }
});

test('max_length on VarChar and Arrays of VarChar, max_capacity on Arrays; the rest kept', () => {
  const s1 = withAlteredField(schema, 'title', { maxLength: 1024 });
  assert.equal(s1.fields.find((f) => f.name === 'title'), { name: 'title', dataType: 'VarChar', maxLength: 1024 });
  const s2 = withAlteredField(schema, 'tags', { maxLength: 100, maxCapacity: 10 });
  assert.equal(s2.fields.find((f) => f.name === 'tags'), { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 10, maxLength: 100 });
  // Lowering is a change like another: stored rows are not the schema's concern.
  assert.is(withAlteredField(schema, 'nums', { maxCapacity: 1 }).fields.find((f) => f.name === 'nums')?.maxCapacity, 1);
  // The input schema is untouched; other fields are the same objects.
  assert.is(schema.fields[2]!.maxLength, 16);
  assert.is(s1.fields[4], schema.fields[4]);
});

test('the primary key, the partition key, unknown fields and fields the param does not fit are refused', () => {
  assert.match(alteredFieldProblem(schema, 'id', { maxLength: 64 })!, /primary key/);
  assert.match(alteredFieldProblem(schema, 'tenant', { maxLength: 64 })!, /partition key/);
  assert.match(alteredFieldProblem(schema, 'nope', { maxLength: 64 })!, /no field 'nope' \(its fields: id, vec, title/);
  assert.match(alteredFieldProblem(schema, 'n', { maxLength: 64 })!, /max_length is for VarChar fields and Arrays of VarChar, and 'n' is Int64/);
  assert.match(alteredFieldProblem(schema, 'nums', { maxLength: 64 })!, /'nums' is an Array of Int64/);
  assert.match(alteredFieldProblem(schema, 'title', { maxCapacity: 8 })!, /max_capacity is for Array fields, and 'title' is VarChar/);
  assert.match(alteredFieldProblem(schema, 'vec', { maxCapacity: 8 })!, /FloatVector/);
  assert.match(alteredFieldProblem(schema, 'title', {})!, /no field param/);
  assert.match(alteredFieldProblem(schema, 'title', { maxLength: 0 })!, /1\.\.65535/);
  assert.match(alteredFieldProblem(schema, 'title', { dim: 8 } as never)!, /unknown field param 'dim'/);
  assert.is(alteredFieldProblem(schema, 'title', { maxLength: 65535 }), null);
  throwsValidation(() => withAlteredField(schema, 'id', { maxLength: 64 }), /primary key/);
});

test('changesNothing: the same limits again are no change', () => {
  assert.ok(changesNothing(schema, 'title', { maxLength: 16 }));
  assert.ok(changesNothing(schema, 'tags', { maxLength: 8, maxCapacity: 4 }));
  assert.not.ok(changesNothing(schema, 'tags', { maxLength: 8, maxCapacity: 5 }));
  assert.not.ok(changesNothing(schema, 'title', { maxLength: 17 }));
});

test.run();
