import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { schemaVersionProblem } from '../../messages/schemaVersion.js';
import { vchannelView, persistVchannel, restoreVchannel } from '../../actors/streaming-node/core/vchannel/index.js';
import { newMessage, tsoOf, type AnyMessage, type Bodies, type MessageType } from '../../messages/types.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { encodeSparse, parseSparse, type SparseVector } from '../../messages/sparse.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { fold, given, ok } from './spec.js';
import { at, COLL, DEFAULT, m, rows, schema } from './fixtures.js';

/**
 * Schema versions in the vchannel machine (messages/schemaVersion.ts): every
 * schema DDL moves the shard's schema TSO to its own; an Insert or Delete
 * carrying a version below it was shaped against the schema before the DDL
 * and is refused (SchemaVersionCurrent, code CollectionSchemaMismatch),
 * writing nothing; one at or above it, or carrying none (WAL messages written
 * before versions), is taken.
 */
const texts: CollectionSchema = {
  ...schema,
  fields: [
    ...schema.fields,
    { name: 'body', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
  ],
};
const bm25: FunctionSchema = { name: 'bm', type: 'BM25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] };
const msg = <T extends MessageType>(ms: number, type: T, body: Bodies[T]) => at(ms, newMessage(type, 'dml_0_100v0', body));
const start = [m.createCollection(1, undefined, texts), m.createSegment(2, 1, DEFAULT)];
/** Rows a writer shaped against `texts` after the function was added: the output computed. */
const shaped = () => ({ ...rows(1), fields: { tag: ['t'], body: ['apple pie'], title: ['pie'], sparse: [encodeSparse(parseSparse({ 1: 0.5 }, 'sparse') as SparseVector)] } });
const insert = (ms: number, schemaVersion?: bigint): AnyMessage =>
  msg(ms, 'Insert', { collectionId: COLL, partitionId: DEFAULT, segmentId: 1, rows: shaped(), ...(schemaVersion === undefined ? {} : { schemaVersion }) });
const del = (ms: number, schemaVersion?: bigint): AnyMessage =>
  msg(ms, 'Delete', { collectionId: COLL, partitionId: DEFAULT, pks: [1], ...(schemaVersion === undefined ? {} : { schemaVersion }) });

const DDL: Array<[string, AnyMessage]> = [
  ['AddCollectionFunction', msg(10, 'AddCollectionFunction', { collectionId: COLL, function: bm25 })],
  ['AddCollectionField', m.addField(10, { name: 'extra', dataType: 'Int64', nullable: true })],
  ['AlterCollectionField', m.alterField(10, 'tag', { maxLength: 32 })],
  ['DropCollectionField', m.dropField(10, 'tag')],
];

test('after each schema DDL, a write shaped against a version before it is refused with CollectionSchemaMismatch, leaving the snapshot as it was', () => {
  for (const [name, ddl] of DDL) {
    const before = [...start, ddl];
    given(before).when(insert(11, tsoOf(5))).then(Invariant.SchemaVersionCurrent, 'CollectionSchemaMismatch');
    given(before).when(del(11, tsoOf(5))).then(Invariant.SchemaVersionCurrent, 'CollectionSchemaMismatch');
    // One TSO below the DDL is still before it.
    given(before).when(del(11, tsoOf(10) - 1n)).then(Invariant.SchemaVersionCurrent);
    assert.is(vchannelView(fold(before)).collection!.schemaTso, tsoOf(10), name);
  }
});

test('a version at or after the last schema DDL is taken, as is a write that carries none (WAL messages from before versions)', () => {
  const before = [...start, msg(10, 'AddCollectionFunction', { collectionId: COLL, function: bm25 })];
  given(before).when(insert(11, tsoOf(10))).then(ok);
  given(before).when(insert(11, tsoOf(12))).then(ok);
  given(before).when(insert(11)).then(ok);
  given(before).when(del(11, tsoOf(10))).then(ok);
  given(before).when(del(11)).then(ok);
});

test('without a schema DDL since creation every version passes: the creation is no schema change', () => {
  given(start).when(insert(11, 0n)).then(ok);
  given(start).when(del(11, 0n)).then(ok);
  assert.is(vchannelView(fold(start)).collection!.schemaTso, undefined);
});

test('every later schema DDL moves the version: a write shaped between two DDLs is refused after the second', () => {
  const twice = [...start, msg(10, 'AddCollectionFunction', { collectionId: COLL, function: bm25 }), msg(20, 'AlterCollectionFunction', { collectionId: COLL, function: { ...bm25, inputFieldNames: ['title'] } })];
  given(twice).when(insert(21, tsoOf(15))).then(Invariant.SchemaVersionCurrent);
  given(twice).when(insert(21, tsoOf(20))).then(ok);
  const dropped = [...twice, msg(30, 'DropCollectionFunction', { collectionId: COLL, functionName: 'bm' })];
  given(dropped).when(insert(31, tsoOf(25))).then(Invariant.SchemaVersionCurrent);
});

test('a DDL carrying its schema version sets the shard\'s to it, not to its stamp: a DDL stamped below the last saved version still refuses writes shaped before it', () => {
  // The coordinator gave the first DDL version 40 (saved in the record); the second, version 50, was stamped 30
  // by a streaming node drawing from a batch of TSOs taken earlier.
  const first = msg(20, 'AddCollectionFunction', { collectionId: COLL, function: bm25, schemaVersion: tsoOf(40) });
  const second = msg(30, 'AlterCollectionFunction', { collectionId: COLL, function: { ...bm25, inputFieldNames: ['title'] }, schemaVersion: tsoOf(50) });
  assert.is(vchannelView(fold([...start, first])).collection!.schemaTso, tsoOf(40));
  given([...start, first]).when(insert(31, tsoOf(40))).then(ok);
  given([...start, first, second]).when(insert(31, tsoOf(40))).then(Invariant.SchemaVersionCurrent, 'CollectionSchemaMismatch');
  given([...start, first, second]).when(insert(31, tsoOf(50))).then(ok);
});

test('an index or a TTL change is no schema change: writes shaped before it are taken', () => {
  const indexed = [...start, m.createIndex(10), m.alterCollection(11, 60)];
  given(indexed).when(insert(12, tsoOf(5))).then(ok);
});

test('a transaction body shaped against an older schema is refused like a plain write', () => {
  const before = [...start, msg(10, 'AddCollectionFunction', { collectionId: COLL, function: bm25 }), m.begin(11, 7)];
  const body = insert(12, tsoOf(5));
  body.header.txn = { id: 7 };
  given(before).when(body).then(Invariant.SchemaVersionCurrent);
});

test('the schema TSO survives persist and restore; a persisted state without it (saved before versions) restores and checks nothing', () => {
  const s = fold([...start, m.addField(10, { name: 'extra', dataType: 'Int64', nullable: true })]);
  const back = restoreVchannel(persistVchannel(s));
  assert.is(vchannelView(back).collection!.schemaTso, tsoOf(10));
  const old = persistVchannel(s) as { context: { collection: Record<string, unknown> } };
  delete old.context.collection.schemaTso;
  const restored = restoreVchannel(old);
  assert.is(vchannelView(restored).collection!.schemaTso, undefined);
  assert.is(fold([insert(11, tsoOf(5))], restored) !== undefined, true);
});

test('schemaVersionProblem: refuses only a given version below a known current one', () => {
  assert.is(schemaVersionProblem(undefined, 5n), null);
  assert.is(schemaVersionProblem(5n, undefined), null);
  assert.is(schemaVersionProblem(5n, 5n), null);
  assert.is(schemaVersionProblem(5n, 6n), null);
  assert.match(schemaVersionProblem(5n, 4n) ?? '', /schema version 4.*changed at 5/);
});

test.run();
