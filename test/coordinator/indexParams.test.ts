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
  refused({ indexType: 'GPU_CAGRA' }, /'GPU_CAGRA' is not supported \(AUTOINDEX, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ, SCANN, IVF_RABITQ, FLAT, DISKANN\)/);
});

test('IVF_PQ takes nlist, m (required, dividing dim) and nbits (default 8; 1..16 built, 17..64 refused as unsupported)', () => {
  assert.equal(norm({ indexType: 'IVF_PQ', params: { m: 4 } }).params, { nlist: 128, m: 4, nbits: 8 });
  assert.equal(norm({ indexType: 'ivf_pq', params: { nlist: '64', m: '8', nbits: '4' } }).params, { nlist: 64, m: 8, nbits: 4 });
  refused({ indexType: 'IVF_PQ' }, /index param m of IVF_PQ is required: the sub-quantizers, a divisor of the field's dim 8/, 'm');
  for (const m of [3, 0, 16]) refused({ indexType: 'IVF_PQ', params: { m } }, /index param m of IVF_PQ must divide the field's dim 8/, 'm');
  refused({ indexType: 'IVF_PQ', params: { m: 2.5 } }, /m of IVF_PQ must be an integer/, 'm');
  for (const nbits of [0, 65, 'x']) refused({ indexType: 'IVF_PQ', params: { m: 2, nbits } }, /nbits of IVF_PQ must be an integer/, 'nbits');
  refused({ indexType: 'IVF_PQ', params: { m: 2, nbits: 24 } }, /nbits 24 of IVF_PQ is not supported: nuthatch builds codes of 1..16 bits/, 'nbits');
  refused({ indexType: 'IVF_PQ', params: { m: 2, nlist: 0 } }, /nlist of IVF_PQ/, 'nlist');
});

test('SCANN takes nlist and with_raw_data (default true) over an even dim', () => {
  assert.equal(norm({ indexType: 'SCANN' }).params, { nlist: 128, with_raw_data: 'true' });
  assert.equal(norm({ indexType: 'scann', params: { nlist: 16, with_raw_data: 'False' } }).params, { nlist: 16, with_raw_data: 'false' });
  refused({ indexType: 'SCANN', params: { with_raw_data: 'sometimes' } }, /with_raw_data of SCANN must be true or false/, 'with_raw_data');
  const odd = { ...rec, schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 7 }] } } as unknown as CollectionRecord;
  assert.throws(() => normaliseIndex(odd, { indexType: 'SCANN' }), /SCANN needs a field dim divisible by 2 \(sub-spaces of 2 dimensions\), got 7/);
});

test('IVF_RABITQ takes nlist, refine (default false) and refine_type (default SQ8 with refine)', () => {
  assert.equal(norm({ indexType: 'IVF_RABITQ' }).params, { nlist: 128, refine: 'false' });
  assert.equal(norm({ indexType: 'ivf_rabitq', params: { nlist: 64, refine: 'true' } }).params, { nlist: 64, refine: 'true', refine_type: 'SQ8' });
  assert.equal(norm({ indexType: 'IVF_RABITQ', params: { refine: 'True', refine_type: 'fp16' } }).params, { nlist: 128, refine: 'true', refine_type: 'FP16' });
  assert.equal(norm({ indexType: 'IVF_RABITQ', params: { refine: 'false', refine_type: 'FP32' } }).params, { nlist: 128, refine: 'false' }, 'a refine_type without refine builds no copy');
  refused({ indexType: 'IVF_RABITQ', params: { refine: 'yes' } }, /refine of IVF_RABITQ must be true or false/, 'refine');
  refused({ indexType: 'IVF_RABITQ', params: { refine: 'TRUE', refine_type: 'PQ' } }, /refine_type must be one of SQ6, SQ8, FP16, BF16, FP32/, 'refine_type');
  refused({ indexType: 'IVF_RABITQ', params: { nlist: 0 } }, /nlist of IVF_RABITQ/, 'nlist');
});

test('DISKANN takes no required params: max_degree (1..512, default 56), search_list_size (default 100), pq_code_budget_gb_ratio ((0, 0.25], default 0.125), search_cache_budget_gb_ratio ([0, 0.3), default 0.1), beamwidth_ratio ([1, 128], default 4)', () => {
  assert.equal(norm({ indexType: 'DISKANN' }), { indexName: 'vec', fieldName: 'vec', indexType: 'DISKANN', metricType: 'L2', params: { max_degree: 56, search_list_size: 100, pq_code_budget_gb_ratio: 0.125, search_cache_budget_gb_ratio: 0.1, beamwidth_ratio: 4 } });
  assert.equal(norm({ indexType: 'diskann', params: { max_degree: '512', search_list_size: 7, pq_code_budget_gb_ratio: '0.25', search_cache_budget_gb_ratio: '0', beamwidth_ratio: '1.5' } }).params,
    { max_degree: 512, search_list_size: 7, pq_code_budget_gb_ratio: 0.25, search_cache_budget_gb_ratio: 0, beamwidth_ratio: 1.5 });
  for (const ratio of [0.3, -0.01, 'big']) refused({ indexType: 'DISKANN', params: { search_cache_budget_gb_ratio: ratio } }, /search_cache_budget_gb_ratio of DISKANN must be a number in \[0, 0.3\)/, 'search_cache_budget_gb_ratio');
  for (const ratio of [0.5, 129, 'wide']) refused({ indexType: 'DISKANN', params: { beamwidth_ratio: ratio } }, /beamwidth_ratio of DISKANN must be a number in \[1, 128\]/, 'beamwidth_ratio');
  for (const max_degree of [0, 513, 1.5, 'wide']) refused({ indexType: 'DISKANN', params: { max_degree } }, /index param max_degree of DISKANN must be an integer in 1..512/, 'max_degree');
  refused({ indexType: 'DISKANN', params: { search_list_size: 0 } }, /search_list_size of DISKANN/, 'search_list_size');
  for (const ratio of [0, 0.3, -0.1, 'half']) refused({ indexType: 'DISKANN', params: { pq_code_budget_gb_ratio: ratio } }, /pq_code_budget_gb_ratio of DISKANN must be a number in \(0, 0.25\]/, 'pq_code_budget_gb_ratio');
  // The halves too (widened to float32 for the graph, its codes and its file), with any float metric.
  const halves = { ...rec, schema: { fields: [...rec.schema.fields, { name: 'h', dataType: 'Float16Vector', dim: 4 }, { name: 'b', dataType: 'BFloat16Vector', dim: 4 }] } } as unknown as CollectionRecord;
  assert.is(normaliseIndex(halves, { fieldName: 'h', indexType: 'DISKANN', metricType: 'IP' }).indexType, 'DISKANN');
  assert.is(normaliseIndex(halves, { fieldName: 'b', indexType: 'DISKANN', metricType: 'COSINE' }).params.beamwidth_ratio, 4);
  const bits = { ...rec, schema: { fields: [...rec.schema.fields, { name: 'x', dataType: 'BinaryVector', dim: 16 }, { name: 'i', dataType: 'Int8Vector', dim: 4 }] } } as unknown as CollectionRecord;
  for (const f of ['x', 'i']) assert.throws(() => normaliseIndex(bits, { fieldName: f, indexType: 'DISKANN' }), (e: unknown) => e instanceof ValidationError && /DISKANN cannot index/.test((e as Error).message));
});

test('packed vector fields: binary takes the BIN_ types with HAMMING (its default) or JACCARD, halves and int8 the float metrics; each refuses the other kind', () => {
  const packed = { ...rec, schema: { fields: [...rec.schema.fields, { name: 'x', dataType: 'BinaryVector', dim: 16 }, { name: 'h', dataType: 'Float16Vector', dim: 4 }, { name: 'i', dataType: 'Int8Vector', dim: 4 }] } } as unknown as CollectionRecord;
  const of = (p: Partial<IndexParams>) => normaliseIndex(packed, p);
  assert.equal(of({ fieldName: 'x' }), { indexName: 'x', fieldName: 'x', indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', params: { nlist: 128 } });
  assert.equal(of({ fieldName: 'x', indexType: 'BIN_FLAT', metricType: 'JACCARD' }).metricType, 'JACCARD');
  assert.equal(of({ fieldName: 'h', indexType: 'IVF_SQ8', metricType: 'IP' }).indexType, 'IVF_SQ8');
  assert.equal(of({ fieldName: 'h' }).metricType, 'L2', "a half field's metric defaults to the collection's");
  assert.equal(of({ fieldName: 'i' }).indexType, 'HNSW');
  const no = (p: Partial<IndexParams>, re: RegExp, field: string) => {
    try { of(p); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, re); assert.is((e as ValidationError).info.field, field); return; }
    assert.unreachable(`accepted ${JSON.stringify(p)}`);
  };
  no({ fieldName: 'x', indexType: 'HNSW' }, /index type HNSW cannot index BinaryVector field 'x' \(AUTOINDEX, BIN_FLAT, BIN_IVF_FLAT\)/, 'indexType');
  no({ fieldName: 'x', metricType: 'COSINE' }, /metric COSINE is not for BinaryVector field 'x' \(HAMMING, JACCARD, MHJACCARD\)/, 'metricType');
  no({ fieldName: 'h', indexType: 'BIN_FLAT' }, /index type BIN_FLAT cannot index Float16Vector field 'h'/, 'indexType');
  no({ fieldName: 'vec', metricType: 'HAMMING' }, /metric HAMMING is not for FloatVector field 'vec' \(L2, IP, COSINE\)/, 'metricType');
  no({ fieldName: 'i', indexType: 'IVF_FLAT' }, /index type IVF_FLAT cannot index Int8Vector field 'i' \(AUTOINDEX, HNSW\)/, 'indexType');
  no({ fieldName: 'x', indexType: 'BIN_IVF_FLAT', params: { nlist: 0 } }, /nlist of BIN_IVF_FLAT must be an integer in 1..65536/, 'nlist');
});

test('a build outlives its index when the index is dropped or created again with another type or params', () => {
  const ivf = norm({ indexType: 'IVF_FLAT', params: { nlist: 64 } });
  assert.ok(indexStands({ indexes: [ivf] }, { ...ivf, params: { nlist: 64 } }));
  assert.not.ok(indexStands({ indexes: [] }, ivf));
  assert.not.ok(indexStands({ indexes: [norm({ indexType: 'HNSW', indexName: 'vec' })] }, ivf));
  assert.not.ok(indexStands({ indexes: [norm({ indexType: 'IVF_FLAT', params: { nlist: 32 } })] }, ivf));
});

test.run();
