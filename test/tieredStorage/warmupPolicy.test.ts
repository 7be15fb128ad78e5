import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { warmupOf } from '../../actors/query-node/core/warmupPolicy.js';
import { checkProperties, parseProperties, propertyList } from '../../messages/collectionProperties.js';
import { TIERED_STORAGE_DEFAULTS } from '../../actors/query-node/core/tieredStorageConfig.js';
import { changesNothing, parseFieldParams, withAlteredField } from '../../messages/alteredField.js';
import { validateSchema } from '../../messages/schema.js';
import { parseField } from '../../runtime/http/parseSchema.js';
import { refuseWarmupWhileLoaded } from '../../actors/coordinator/core/warmupRefusal.js';

/**
 * Warm-up levels (Milvus 2.6.11), pure: an index's own `warmup` param over its
 * field's `warmup` over the collection's `warmup.*` property over the node's setting; a segment's data
 * file is fetched when any column it holds resolves to sync. Bad values are refused.
 */
const schema = { fields: [
  { name: 'id', dataType: 'Int64' as const, isPrimary: true },
  { name: 'vec', dataType: 'FloatVector' as const, dim: 4 },
  { name: 'color', dataType: 'VarChar' as const, maxLength: 8 },
] };
const node = TIERED_STORAGE_DEFAULTS.warmup; // scalar field and index sync, vector field disable, vector index sync
const vecIx = { fieldName: 'vec', scalar: false, params: {} };
const colorIx = { fieldName: 'color', scalar: true, params: {} };

test('the node\'s settings apply when nothing overrides them', () => {
  assert.equal(warmupOf(node, { schema }, [vecIx, colorIx]), { data: true, indexes: [true, true] });
  const off = { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' } as const;
  assert.equal(warmupOf(off, { schema }, [vecIx, colorIx]), { data: false, indexes: [false, false] });
});

test('collection properties override the node; an index\'s own warmup overrides both', () => {
  const coll = { schema, warmupScalarField: 'disable', warmupVectorIndex: 'disable' } as const;
  assert.equal(warmupOf(node, coll, [vecIx, colorIx]), { data: false, indexes: [false, true] });
  assert.equal(warmupOf(node, coll, [{ ...vecIx, params: { warmup: 'sync' } }, { ...colorIx, params: { warmup: 'disable' } }]), { data: false, indexes: [true, false] });
  assert.equal(warmupOf(node, { schema, warmupScalarField: 'disable', warmupVectorField: 'sync' }, []).data, true, 'a vector column sync fetches the file');
  assert.equal(warmupOf({ ...node, vectorField: 'sync' }, { schema, warmupScalarField: 'disable' }, [], ['id', 'color']).data, false, 'a partial load without the vector column');
});

test('a field\'s own warmup overrides the collection and node for its data and its indexes; an index\'s own param still wins', () => {
  const fields = (w: Record<string, 'sync' | 'disable'>) => ({ fields: schema.fields.map((f) => (w[f.name] ? { ...f, warmup: w[f.name] } : f)) });
  const coll = { warmupScalarField: 'disable', warmupVectorField: 'disable', warmupScalarIndex: 'sync', warmupVectorIndex: 'sync' } as const;
  // Every column off but one field turned on: the segment file (one body of every column) is warmed.
  assert.equal(warmupOf(node, { ...coll, schema: fields({ color: 'sync' }) }, []).data, true);
  assert.equal(warmupOf(node, { ...coll, schema: fields({}) }, []).data, false);
  // A field turned off is cold only when every other column loaded is too.
  assert.equal(warmupOf(node, { schema: fields({ color: 'disable' }) }, []).data, true, 'id still says sync (node scalarField)');
  assert.equal(warmupOf(node, { schema: fields({ color: 'disable', id: 'disable' }) }, []).data, false, 'vec is disable by the node');
  assert.equal(warmupOf(node, { schema: fields({ color: 'disable', id: 'disable' }) }, [], ['id', 'color']).data, false);
  // The field's warmup reaches its indexes, over the collection's index properties.
  assert.equal(warmupOf(node, { ...coll, schema: fields({ vec: 'disable', color: 'disable' }) }, [vecIx, colorIx]).indexes, [false, false]);
  assert.equal(warmupOf(node, { schema: fields({ vec: 'sync' }), warmupVectorIndex: 'disable' }, [vecIx]).indexes, [true]);
  assert.equal(warmupOf(node, { ...coll, schema: fields({ vec: 'disable' }) }, [{ ...vecIx, params: { warmup: 'sync' } }]).indexes, [true], 'the index\'s own param wins');
});

test('alter_collection_field takes warmup sync or disable, on any field, and nothing else', () => {
  assert.equal(parseFieldParams({ warmup: 'disable' }), { warmup: 'disable' });
  assert.equal(parseFieldParams({ warmup: 'sync', max_length: '20' }), { warmup: 'sync', maxLength: 20 });
  for (const bad of ['eager', 'SYNC', '', 0, null]) assert.throws(() => parseFieldParams({ warmup: bad }), (e: Error & { code?: string }) => e.code === 'InvalidArgument' && /warmup/.test(e.message));
  const s = { fields: [...schema.fields, { name: 'tenant', dataType: 'Int64' as const, isPartitionKey: true }] };
  assert.is(withAlteredField(s, 'id', { warmup: 'disable' }).fields[0]!.warmup, 'disable', 'the primary key\'s warm-up may change');
  assert.is(withAlteredField(s, 'tenant', { warmup: 'sync' }).fields[3]!.warmup, 'sync');
  assert.throws(() => withAlteredField(s, 'id', { warmup: 'sync', maxLength: 3 }), /primary key/, 'its limits may not');
  assert.throws(() => withAlteredField(s, 'color', { warmup: 'later' as 'sync' }), /warmup must be sync or disable/);
  assert.ok(changesNothing(withAlteredField(s, 'vec', { warmup: 'sync' }), 'vec', { warmup: 'sync' }));
  assert.not.ok(changesNothing(s, 'vec', { warmup: 'sync' }));
  assert.throws(() => validateSchema({ fields: [{ ...schema.fields[0]!, warmup: 'eager' as 'sync' }, schema.fields[1]!] }), /warmup of field 'id' must be sync or disable/);
});

test('REST takes a field\'s warmup in elementTypeParams', () => {
  assert.is(parseField({ fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4, warmup: 'disable' } }, 'schema.fields[1]').warmup, 'disable');
  assert.is(parseField({ fieldName: 'n', dataType: 'Int64' }, 'schema.fields[2]').warmup, undefined);
  assert.throws(() => parseField({ fieldName: 'n', dataType: 'Int64', elementTypeParams: { warmup: 'soon' } }, 'schema.fields[2]'), (e: Error & { code?: string }) => e.code === 'InvalidArgument' && /schema.fields\[2\].elementTypeParams.warmup/.test(e.message));
});

test('warm-up changes are refused while the collection is loaded, with CollectionLoaded', () => {
  assert.throws(() => refuseWarmupWhileLoaded({ name: 'c', loaded: true }, 'can not alter warmup'), (e: Error & { code?: string; wireCode?: number }) => e.code === 'CollectionLoaded' && e.wireCode === 104 && /release collection 'c' first/.test(e.message));
  refuseWarmupWhileLoaded({ name: 'c', loaded: false }, 'x');
});

test('the properties take Milvus\'s keys and refuse anything but sync or disable', () => {
  const p = parseProperties({ 'warmup.scalarField': 'disable', 'warmup.vectorIndex': 'sync' });
  assert.equal(p, { warmupScalarField: 'disable', warmupVectorIndex: 'sync' });
  assert.equal(propertyList(p), [{ key: 'warmup.scalarField', value: 'disable' }, { key: 'warmup.vectorIndex', value: 'sync' }]);
  for (const bad of ['async', 'SYNC', '', 1, true]) {
    assert.throws(() => parseProperties({ 'warmup.vectorField': bad }), (e: Error & { code?: string }) => e.code === 'InvalidArgument' && /warmup.vectorField must be sync or disable/.test(e.message));
  }
  assert.throws(() => checkProperties({ warmupScalarIndex: 'lazy' }), /warmup.scalarIndex/);
  assert.throws(() => parseProperties({ warmup: 'sync' }), /unknown collection property 'warmup'/, 'the bare key is field- and index-level only');
});

test.run();
