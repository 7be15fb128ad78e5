import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { loadedColumns, loadFieldsOf, refuseUnloaded, sameColumns } from '../../messages/loadFields.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { keepColumns, segmentBytes } from '../../actors/query-node/core/segmentColumns.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';

/** Partial load (load_fields, skip_load_dynamic_field): which columns a load keeps, which reads are refused. */
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'color', dataType: 'VarChar', maxLength: 16 },
    { name: 'tenant', dataType: 'Int64', isPartitionKey: true },
    { name: 'body', dataType: 'VarChar', maxLength: 100 },
  ],
};
const refused = (f: () => unknown): string => { try { f(); return 'ok'; } catch (e) { return e instanceof ValidationError ? `invalid: ${e.info.field}` : (e as NuthatchError).code; } };

test('no loadFields and no skip: every column (undefined)', () => {
  assert.is(loadedColumns(schema, {}), undefined);
  assert.is(loadedColumns(schema, { loadFields: [] }), undefined);
  assert.is(loadedColumns({ ...schema, enableDynamicField: false }, { skipLoadDynamicField: true }), undefined, 'nothing to skip without dynamic fields');
});

test('a subset keeps its columns in schema order, $meta unless skipped', () => {
  assert.equal(loadedColumns(schema, { loadFields: ['color', 'vec', 'tenant', 'id'] }), ['id', 'vec', 'color', 'tenant', '$meta']);
  assert.equal(loadedColumns(schema, { loadFields: ['color', 'vec', 'tenant', 'id'], skipLoadDynamicField: true }), ['id', 'vec', 'color', 'tenant']);
  assert.equal(loadedColumns(schema, { skipLoadDynamicField: true }), ['id', 'vec', 'sparse', 'color', 'tenant', 'body'], 'skip alone: every schema field');
  assert.equal(loadedColumns(schema, { loadFields: ['id', 'sparse', 'tenant'] }), ['id', 'sparse', 'tenant', '$meta'], 'a sparse vector field is a vector field');
});

test('as Milvus: the primary key, the partition key and one vector field cannot be skipped; unknown names refused', () => {
  assert.is(refused(() => loadedColumns(schema, { loadFields: ['vec', 'tenant'] })), 'invalid: id');
  assert.is(refused(() => loadedColumns(schema, { loadFields: ['id', 'vec'] })), 'invalid: tenant');
  assert.is(refused(() => loadedColumns(schema, { loadFields: ['id', 'tenant', 'color'] })), 'invalid: loadFields');
  assert.is(refused(() => loadedColumns(schema, { loadFields: ['id', 'vec', 'tenant', 'nope'] })), 'invalid: nope');
  assert.is(refused(() => loadedColumns(schema, { loadFields: ['id', 'vec', 'tenant', '$meta'] })), 'invalid: $meta');
  assert.is(refused(() => loadedColumns(schema, { loadFields: 'id' as unknown as string[] })), 'invalid: loadFields');
  assert.is(refused(() => loadedColumns(schema, { skipLoadDynamicField: 'yes' as unknown as boolean })), 'invalid: skipLoadDynamicField');
});

test('reads naming a column left out are refused with FieldNotLoaded naming it', () => {
  const cols = loadedColumns(schema, { loadFields: ['id', 'vec', 'color', 'tenant'], skipLoadDynamicField: true });
  assert.is(refused(() => refuseUnloaded(cols, ['color', 'id'], 'c')), 'ok');
  assert.is(refused(() => refuseUnloaded(cols, ['color', 'body'], 'c')), 'FieldNotLoaded');
  assert.is(refused(() => refuseUnloaded(cols, ['$meta'], 'c')), 'FieldNotLoaded');
  assert.is(refused(() => refuseUnloaded(undefined, ['body', '$meta'], 'c')), 'ok', 'a full load refuses nothing');
  try { refuseUnloaded(cols, ['body'], 'c'); } catch (e) { assert.is((e as NuthatchError).info.field, 'body'); assert.match((e as Error).message, /field 'body'/); }
  try { refuseUnloaded(cols, ['$meta'], 'c'); } catch (e) { assert.match((e as Error).message, /dynamic field/); }
});

test('sameColumns: order aside; a full load differs from any subset', () => {
  assert.ok(sameColumns(undefined, undefined));
  assert.ok(sameColumns(['id', 'vec'], ['vec', 'id']));
  assert.not.ok(sameColumns(undefined, ['id', 'vec']));
  assert.not.ok(sameColumns(['id', 'vec', '$meta'], ['id', 'vec']));
});

test('loadFieldsOf: what describeCollection shows', () => {
  assert.equal(loadFieldsOf(schema, ['id', 'vec', 'tenant']), { loadFields: ['id', 'vec', 'tenant'], skipLoadDynamicField: true });
  assert.equal(loadFieldsOf(schema, ['id', 'vec', 'tenant', '$meta']), { loadFields: ['id', 'vec', 'tenant'], skipLoadDynamicField: false });
  assert.is(loadFieldsOf(schema, undefined), undefined);
});

test('keepColumns: a partially loaded segment holds only its columns, and fewer bytes', () => {
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: 2, dim: 2, pks: [1, 2], tsos: [1n, 2n],
    vectors: new Float32Array([1, 2, 3, 4]),
    fields: { color: ['red', 'blue'], body: ['a long text body', 'another long body'], tenant: [1, 2], $meta: [{ a: 1 }, { a: 2 }] },
  };
  assert.is(keepColumns(seg, undefined, 'vec'), seg, 'a full load keeps the segment whole');
  const part = keepColumns(seg, ['id', 'vec', 'color', 'tenant'], 'vec');
  assert.equal(Object.keys(part.fields).sort(), ['color', 'tenant']);
  assert.is(part.vectors.length, 4, 'the float block stays when its field is loaded');
  assert.equal(part.pks, seg.pks);
  assert.ok(segmentBytes(part) < segmentBytes(seg));
  const noBlock = keepColumns(seg, ['id', 'sparse', 'tenant'], 'vec');
  assert.is(noBlock.vectors.length, 0, 'the float block goes with its field');
  assert.is(noBlock.dim, 0);
  assert.equal(Object.keys(seg.fields).length, 4, 'the decoded segment is not changed');
});

test.run();
