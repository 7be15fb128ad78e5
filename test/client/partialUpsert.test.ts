/** The merge of a partial upsert (runtime/client/partialUpsert.ts), with no servers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergePartialRows, partialKeys } from '../../runtime/client/partialUpsert.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';

const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'text', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'color', dataType: 'VarChar', maxLength: 8, nullable: true },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};

test('given fields lie over the stored row; the rest, dynamic keys included, are kept; computed fields are dropped', () => {
  const stored = [{ id: 1, vec: [1, 2], text: 'old words', sparse: { 3: 0.5 }, color: 'red', extra: 'kept' }];
  const merged = mergePartialRows(schema, [{ id: 1, color: 'blue' }, { id: 2, vec: [0, 0], text: 't' }], stored);
  assert.equal(merged[0], { id: 1, vec: [1, 2], text: 'old words', color: 'blue', extra: 'kept' });
  assert.equal(merged[1], { id: 2, vec: [0, 0], text: 't' }, 'a key not stored is written as given (an insert)');
  assert.equal(mergePartialRows(schema, [{ id: 1, color: null }], stored)[0]!.color, null, 'null clears a value');
  assert.equal(mergePartialRows(schema, [{ id: 1, color: undefined }], stored)[0]!.color, 'red', 'undefined is no change');
});

test('every row names a key of the right type, once', () => {
  assert.equal(partialKeys(schema, [{ id: 1 }, { id: 7 }]), [1, 7]);
  assert.throws(() => partialKeys(schema, [{ color: 'x' }]), (e: unknown) => e instanceof ValidationError && /needs its primary key 'id'/.test((e as Error).message));
  assert.throws(() => partialKeys(schema, [{ id: 'a' }]), (e: unknown) => e instanceof ValidationError && /an integer/.test((e as Error).message));
  assert.throws(() => partialKeys(schema, [{ id: 1 }, { id: 1 }]), (e: unknown) => e instanceof ValidationError && /twice/.test((e as Error).message));
  const auto = { ...schema, fields: schema.fields.map((f) => (f.isPrimary ? { ...f, autoId: true } : f)) };
  assert.throws(() => partialKeys(auto, [{ id: 1 }]), (e: unknown) => e instanceof ValidationError && /allow_insert_auto_id/.test((e as Error).message));
  assert.equal(partialKeys(auto, [{ id: 1 }], true), [1], 'with allow_insert_auto_id an autoID collection is named by key too');
});

test.run();
