import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { indexStands, normaliseIndex } from '../../actors/coordinator/core/catalog.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import type { IndexParams } from '../../messages/types.js';

/** What an index request becomes, or why it is refused (normaliseIndex). */
const rec = {
  metricType: 'L2', indexes: [],
  schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 8 }] },
} as unknown as CollectionRecord;
const norm = (p: Partial<IndexParams>) => normaliseIndex(rec, p);
function refused(p: Partial<IndexParams>, re: RegExp, field?: string): void {
  try { norm(p); } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, re);
    if (field) assert.is((e as ValidationError).info.field, field);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(p)}`);
}

test('IVF_FLAT and IVF_SQ8 take nlist (default 128), in any case of the type name', () => {
  assert.equal(norm({ indexType: 'IVF_FLAT' }), { indexName: 'vec', fieldName: 'vec', indexType: 'IVF_FLAT', metricType: 'L2', params: { nlist: 128 } });
  assert.equal(norm({ indexType: 'ivf_sq8', indexName: 'q', params: { nlist: 1024 } }).params, { nlist: 1024 });
  assert.equal(norm({ indexType: 'IVF_FLAT', params: { nlist: 1 } }).params, { nlist: 1 });
  assert.equal(norm({ indexType: 'IVF_FLAT', params: { nlist: 65536 } }).params, { nlist: 65536 });
  // Another type's params are kept as given and ignored, as Milvus ignores them.
  assert.equal(norm({ indexType: 'IVF_FLAT', params: { nlist: 64, M: 16 } }).params, { nlist: 64, M: 16 });
});

test('nlist outside 1..65536, or not an integer, is refused naming the param', () => {
  for (const nlist of [0, 65537, 2.5, -1, 'many']) refused({ indexType: 'IVF_FLAT', params: { nlist } }, /index param nlist of IVF_FLAT must be an integer in 1..65536/, 'nlist');
  refused({ indexType: 'IVF_SQ8', params: { nlist: 0 } }, /nlist of IVF_SQ8/, 'nlist');
});

test('HNSW keeps its params and AUTOINDEX stands for it; FLAT takes none; other types are refused naming those there are', () => {
  assert.equal(norm({ indexType: 'AUTOINDEX' }).indexType, 'HNSW');
  assert.equal(norm({}).params, { M: 16, efConstruction: 200 });
  refused({ indexType: 'HNSW', params: { M: 1 } }, /M of HNSW must be an integer in 2..2048/, 'M');
  assert.equal(norm({ indexType: 'FLAT' }).params, {});
  refused({ indexType: 'IVF_PQ' }, /'IVF_PQ' is not supported \(AUTOINDEX, HNSW, IVF_FLAT, IVF_SQ8, FLAT\)/);
});

test('a build outlives its index when the index is dropped or created again with another type or params', () => {
  const ivf = norm({ indexType: 'IVF_FLAT', params: { nlist: 64 } });
  assert.ok(indexStands({ indexes: [ivf] }, { ...ivf, params: { nlist: 64 } }));
  assert.not.ok(indexStands({ indexes: [] }, ivf));
  assert.not.ok(indexStands({ indexes: [norm({ indexType: 'HNSW', indexName: 'vec' })] }, ivf));
  assert.not.ok(indexStands({ indexes: [norm({ indexType: 'IVF_FLAT', params: { nlist: 32 } })] }, ivf));
});

test.run();
