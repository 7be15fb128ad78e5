import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, validateSchema } from '../../messages/index.js';
import { parseSchema } from '../../runtime/http/parseSchema.js';
import { parseSearch } from '../../runtime/http/parseEntities.js';
import { checkRows, checkSearch } from '../../runtime/http/schemaChecks.js';

/** REST shapes of full-text search: schema functions, enable_analyzer, sparse rows, text queries. */

const body = {
  fields: [
    { fieldName: 'id', dataType: 'Int64', isPrimary: true },
    { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true } },
    { fieldName: 'sparse', dataType: 'SparseFloatVector' },
    { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
  ],
  functions: [{ name: 'bm', type: 'bm25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};

function refused(f: () => unknown, says: RegExp): void {
  try { f(); } catch (e) { assert.instance(e, NuthatchError); assert.match((e as Error).message, says); return; }
  assert.unreachable(`accepted (${says})`);
}

test('a schema with a BM25 function parses and validates; rows leave its output out; searches take texts', () => {
  const schema = validateSchema(parseSchema(body, 'schema'));
  assert.equal(schema.functions, [{ name: 'bm', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }]);
  assert.is(schema.fields[1]!.enableAnalyzer, true);
  assert.equal(checkRows(schema, [{ id: 1, text: 'hello', vec: [1, 2] }], 'insert'), [{ id: 1, vec: [1, 2], text: 'hello' }]);
  refused(() => checkRows(schema, [{ id: 1, text: 'hello', vec: [1, 2], sparse: { '1': 1 } }], 'insert'), /output of a BM25 function/);
  const { request } = parseSearch({ collectionName: 'c', annsField: 'sparse', data: ['who loves milvus'], limit: 3 });
  assert.equal(request.data, ['who loves milvus']);
  checkSearch(schema, request);
  refused(() => checkSearch(schema, { annsField: 'vec', data: request.data }), /must be a list of numbers/);
  refused(() => parseSchema({ ...body, fields: body.fields.map((f) => (f.fieldName === 'vec' ? { ...f, elementTypeParams: { dim: 2, enable_analyzer: true } } : f)) }, 'schema'), /only for VarChar/);
  refused(() => validateSchema(parseSchema({ ...body, functions: [{ ...body.functions[0]!, inputFieldNames: ['vec'] }] }, 'schema')), /enableAnalyzer/);
});

test.run();
