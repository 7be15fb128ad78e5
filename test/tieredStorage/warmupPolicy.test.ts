import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { warmupOf } from '../../actors/query-node/core/warmupPolicy.js';
import { checkProperties, parseProperties, propertyList } from '../../messages/collectionProperties.js';
import { TIERED_STORAGE_DEFAULTS } from '../../actors/query-node/core/tieredStorageConfig.js';

/**
 * Warm-up levels (Milvus 2.6.11), pure: an index's own `warmup` param over the
 * collection's `warmup.*` property over the node's setting; a segment's data
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
