import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { newMessage, type Bodies, type MessageType } from '../../messages/types.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { accepted, fold, given, ok } from './spec.js';
import { at, COLL, DEFAULT, m, schema } from './fixtures.js';

/**
 * AddCollectionFunction, AlterCollectionFunction and DropCollectionFunction in
 * the vchannel machine: the schema's functions change at the message's TSO (so
 * a replay folds the same schema at every position), a bad definition is
 * refused, and the retries a coordinator crash leaves are told apart by their
 * own invariants (FunctionAlreadyAdded, FunctionAlreadyDropped).
 */
const texts: CollectionSchema = {
  ...schema,
  fields: [
    ...schema.fields,
    { name: 'body', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'plain', dataType: 'VarChar', maxLength: 64 },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'kw', dataType: 'SparseFloatVector' },
    { name: 'sig', dataType: 'BinaryVector', dim: 64 },
  ],
};
const bm25: FunctionSchema = { name: 'bm', type: 'BM25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] };
const msg = <T extends MessageType>(ms: number, type: T, body: Bodies[T]) => at(ms, newMessage(type, 'dml_0_100v0', body));
const add = (ms: number, fn: FunctionSchema) => msg(ms, 'AddCollectionFunction', { collectionId: COLL, function: fn });
const alter = (ms: number, fn: FunctionSchema) => msg(ms, 'AlterCollectionFunction', { collectionId: COLL, function: fn });
const drop = (ms: number, functionName: string) => msg(ms, 'DropCollectionFunction', { collectionId: COLL, functionName });
const start = [m.createCollection(1, undefined, texts), m.createSegment(2, 1, DEFAULT)];
const functionsAt = (messages: Parameters<typeof fold>[0]) => vchannelView(fold(messages)).collection!.schema.functions;

test('an added function is in the schema from its TSO on; altered, it takes the new definition; dropped, it is gone', () => {
  assert.is(functionsAt(start), undefined);
  assert.equal(functionsAt([...start, add(3, bm25)]), [bm25]);
  const titled = { ...bm25, inputFieldNames: ['title'] };
  assert.equal(functionsAt([...start, add(3, bm25), alter(4, titled)]), [titled]);
  assert.is(functionsAt([...start, add(3, bm25), drop(4, 'bm')]), undefined);
  // The drop leaves the output field a plain field, and the add can come back.
  assert.equal(functionsAt([...start, add(3, bm25), drop(4, 'bm'), add(5, bm25)]), [bm25]);
});

test('a bad definition is refused by PayloadMatchesSchema (SchemaMismatch) and leaves the snapshot as it was', () => {
  const bad: Array<[string, FunctionSchema]> = [
    ['unknown type', { ...bm25, type: 'TextEmbedding' as never }],
    ['input without analyzer', { ...bm25, inputFieldNames: ['plain'] }],
    ['missing input field', { ...bm25, inputFieldNames: ['nope'] }],
    ['missing output field', { ...bm25, outputFieldNames: ['nope'] }],
    ['output of the wrong type', { ...bm25, outputFieldNames: ['tag'] }],
    ['two inputs', { ...bm25, inputFieldNames: ['body', 'title'] }],
    ['params BM25 does not take', { ...bm25, params: { k: 1 } }],
  ];
  for (const [, fn] of bad) given(start).when(add(3, fn)).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  // The name is taken, or the output is already another function's.
  given([...start, add(3, bm25)]).when(add(4, { ...bm25, inputFieldNames: ['title'] })).then(Invariant.PayloadMatchesSchema);
  given([...start, add(3, bm25)]).when(add(4, { ...bm25, name: 'other' })).then(Invariant.PayloadMatchesSchema);
});

test('an indexed output field refuses the add and the drop; without the index both are taken', () => {
  given([...start, m.createIndex(3, 'sp_idx', 'sparse')]).when(add(4, bm25)).then(Invariant.PayloadMatchesSchema);
  given([...start, m.createIndex(3, 'sp_idx', 'sparse'), m.dropIndex(4, 'sp_idx')]).when(add(5, bm25)).then(ok);
  given([...start, add(3, bm25), m.createIndex(4, 'sp_idx', 'sparse')]).when(drop(5, 'bm')).then(Invariant.PayloadMatchesSchema);
});

test('alter: an unknown function, a new type or a new output field are refused', () => {
  given(start).when(alter(3, bm25)).then(Invariant.PayloadMatchesSchema);
  given([...start, add(3, bm25)]).when(alter(4, { ...bm25, type: 'MINHASH' })).then(Invariant.PayloadMatchesSchema);
  given([...start, add(3, bm25)]).when(alter(4, { ...bm25, outputFieldNames: ['kw'] })).then(Invariant.PayloadMatchesSchema);
  given([...start, add(3, bm25)]).when(alter(4, { ...bm25, inputFieldNames: ['plain'] })).then(Invariant.PayloadMatchesSchema);
});

test('retries after a coordinator crash: the same add again is FunctionAlreadyAdded, a drop of what is gone FunctionAlreadyDropped, the same alter is taken', () => {
  // Keys in another order are the same definition.
  const reordered = { outputFieldNames: ['sparse'], inputFieldNames: ['body'], type: 'BM25', name: 'bm' } as FunctionSchema;
  given([...start, add(3, bm25)]).when(add(4, reordered)).then(Invariant.FunctionAlreadyAdded);
  given([...start, add(3, bm25), drop(4, 'bm')]).when(drop(5, 'bm')).then(Invariant.FunctionAlreadyDropped);
  const titled = { ...bm25, inputFieldNames: ['title'] };
  const s = accepted(given([...start, add(3, bm25), alter(4, titled)]).when(alter(5, titled)).then(ok));
  assert.equal(vchannelView(s).collection!.schema.functions, [titled]);
  given([]).when(add(1, bm25)).then(Invariant.CollectionMustExist);
});

test('MINHASH: added over a VarChar and a BinaryVector, its params altered (checked against the output\'s dim) for writes after it', () => {
  const mh: FunctionSchema = { name: 'mh', type: 'MINHASH', inputFieldNames: ['plain'], outputFieldNames: ['sig'], params: { token_level: 'char', shingle_size: 3 } };
  given(start).when(add(3, mh)).then(ok);
  given(start).when(add(3, { ...mh, params: { token_level: 'char', num_hashes: 4 } })).then(Invariant.PayloadMatchesSchema);
  const reseeded = { ...mh, params: { token_level: 'char', shingle_size: 5, seed: 7 } };
  assert.equal(functionsAt([...start, add(3, mh), alter(4, reseeded)]), [reseeded]);
  given([...start, add(3, mh)]).when(alter(4, { ...mh, params: { token_level: 'char', num_hashes: 3 } })).then(Invariant.PayloadMatchesSchema);
  given([...start, add(3, mh)]).when(alter(4, { ...mh, params: { token_level: 'word' } })).then(Invariant.PayloadMatchesSchema);
});

test('function DDL is exclusive: an open transaction is aborted by it, as by any DDL', () => {
  given([...start, m.begin(3, 7)]).when(add(4, bm25)).then(ok);
  given([...start, m.begin(3, 7), add(4, bm25)]).when(m.insert(5, 1, { txn: 7 })).then(Invariant.TxnAbortedByDdl);
});

test.run();
