import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseIndex } from '../../actors/coordinator/core/catalog.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { mhElementBytesOfField } from '../../actors/shared/vector/minhashWidth.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { validateSchema, type CollectionSchema } from '../../messages/schema.js';
import type { IndexParams } from '../../messages/types.js';

/**
 * A MINHASH function and a MINHASH_LSH index as the coordinator takes them:
 * the function's output is a BinaryVector of dim 32 * num_hashes from an
 * analyzed VarChar; its field's metric is MHJACCARD; MINHASH_LSH params are
 * normalised, and each bad one is a ValidationError naming it.
 */
const fields = [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'text', dataType: 'VarChar', maxLength: 1000, enableAnalyzer: true },
  { name: 'raw', dataType: 'VarChar', maxLength: 1000 },
  { name: 'sig', dataType: 'BinaryVector', dim: 512 },
  { name: 'bits', dataType: 'BinaryVector', dim: 256 },
  { name: 'vec', dataType: 'FloatVector', dim: 4 },
];
const fn = { name: 'mh', type: 'MINHASH', inputFieldNames: ['text'], outputFieldNames: ['sig'], params: { num_hashes: 16 } };
const schema = { fields, functions: [fn] } as unknown as CollectionSchema;
const rec = { metricType: 'L2', indexes: [], schema } as unknown as CollectionRecord;
const of = (p: Partial<IndexParams>) => normaliseIndex(rec, p);

function refused(run: () => unknown, re: RegExp, field?: string): void {
  try { run(); } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, re);
    if (field) assert.is((e as ValidationError).info.field, field);
    return;
  }
  assert.unreachable(`accepted (${re})`);
}

test('a MINHASH function: VarChar in, BinaryVector of 32 * num_hashes out', () => {
  validateSchema(schema);
  const with_ = (f: Record<string, unknown>, extra: Partial<typeof fn> = {}) => () => validateSchema({ fields, functions: [{ ...fn, ...extra, ...f }] } as unknown as CollectionSchema);
  refused(with_({ outputFieldNames: ['text'] }), /must be a BinaryVector field/);
  refused(with_({ params: { num_hashes: 8 } }), /dim 512 must equal 32 \* num_hashes/);
  refused(with_({ inputFieldNames: ['raw'] }), /with enableAnalyzer \(token_level "word"\)/);
  validateSchema({ fields, functions: [{ ...fn, inputFieldNames: ['raw'], params: { token_level: 'char' } }] } as unknown as CollectionSchema);
  refused(with_({ params: 'x' }), /params of function 'mh' must be an object/);
  refused(with_({ params: { num_hashes: 16, hash_function: 'sha1' } }), /sha1 is not supported/);
});

test('MINHASH_LSH params normalised, defaults filled; AUTOINDEX of a MINHASH output is MINHASH_LSH with MHJACCARD', () => {
  assert.equal(of({ fieldName: 'sig' }), {
    indexName: 'sig', fieldName: 'sig', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD',
    params: { mh_element_bit_width: 32, mh_lsh_band: 1, with_raw_data: 'true', mh_lsh_code_in_mem: 'true', mh_lsh_bloom_false_positive_prob: 0.01 },
  });
  assert.equal(of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_element_bit_width: '64', mh_lsh_band: '4', with_raw_data: false as unknown as string } }).params,
    { mh_element_bit_width: 64, mh_lsh_band: 4, with_raw_data: 'false', mh_lsh_code_in_mem: 'true', mh_lsh_bloom_false_positive_prob: 0.01 });
  assert.is(of({ fieldName: 'sig', indexType: 'BIN_FLAT' }).metricType, 'MHJACCARD');
});

test('bad MINHASH_LSH requests are refused with the param named', () => {
  refused(() => of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_lsh_band: 3 } }), /mh_lsh_band .* divides the 8 values/, 'mh_lsh_band');
  refused(() => of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_element_bit_width: 24 } }), /8, 16, 32 or 64/, 'mh_element_bit_width');
  refused(() => of({ fieldName: 'sig', params: { mh_element_bit_width: 64 } }), /takes mh_element_bit_width 32/, 'mh_element_bit_width');
  refused(() => of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'HAMMING' }), /MINHASH_LSH cannot index BinaryVector field 'bits' with metric HAMMING/, 'indexType');
  refused(() => of({ fieldName: 'bits', indexType: 'BIN_IVF_FLAT', metricType: 'MHJACCARD' }), /BIN_IVF_FLAT cannot index BinaryVector field 'bits' with metric MHJACCARD/, 'indexType');
  refused(() => of({ fieldName: 'sig', metricType: 'JACCARD' }), /MINHASH function output field 'sig' must be MHJACCARD/, 'metricType');
  refused(() => of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { with_raw_data: 'maybe' } }), /with_raw_data of MINHASH_LSH must be true or false/, 'with_raw_data');
  refused(() => of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_lsh_bloom_false_positive_prob: 0.5 } }), /0.001..0.1/, 'mh_lsh_bloom_false_positive_prob');
  refused(() => of({ fieldName: 'text', indexType: 'MINHASH_LSH' }), /MINHASH_LSH indexes vector fields/, 'fieldName');
  refused(() => of({ fieldName: 'vec', indexType: 'MINHASH_LSH', metricType: 'L2' }), /index type MINHASH_LSH cannot index FloatVector field 'vec'/, 'indexType');
  refused(() => of({ fieldName: 'vec', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD' }), /metric MHJACCARD is not for FloatVector field 'vec'/, 'metricType');
});

test("an exact MHJACCARD search reads the search's width, else the index's, else 32 bits", () => {
  assert.is(metricOfField(rec, 'sig'), 'MHJACCARD', "a MINHASH output's metric without an index");
  assert.is(metricOfField(rec, 'bits'), 'HAMMING');
  assert.is(mhElementBytesOfField(rec, 'bits'), 4);
  assert.is(mhElementBytesOfField(rec, 'bits', 16), 2);
  const indexed = { ...rec, indexes: [of({ fieldName: 'bits', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_element_bit_width: 64 } })] };
  assert.is(mhElementBytesOfField(indexed, 'bits'), 8);
  assert.is(mhElementBytesOfField(indexed, 'bits', 8), 1);
  refused(() => mhElementBytesOfField(rec, 'bits', 12), /mh_element_bit_width/);
});

test.run();
