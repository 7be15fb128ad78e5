import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize } from '../../messages/analyzer.js';
import { bm25Reference } from '../support/bm25Reference.js';
import type { NuthatchError } from '../../messages/errors.js';
import { newMessage } from '../../messages/types.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { rng, tempStandalone, vectors } from './harness.js';

/**
 * add/alter/drop_collection_function end to end (Milvus 2.6): a BM25 function
 * added over an existing analyzed VarChar and SparseFloatVector computes the
 * output of every write after it, so full-text search ranks those rows exactly
 * as a reference BM25 (rows written before keep the vector they were given, and
 * count in the collection-wide counts as the documents those vectors are);
 * altered, it reads another input field; dropped, writes give the field
 * themselves again and text queries are refused; each refusal writes nothing;
 * describeCollection shows the functions; a restart and a retried add after a
 * coordinator crash keep it all.
 */
const DIM = 4, K = 8;
const WORDS = ['apple', 'banana', 'cherry', 'delta', 'echo', 'fox', 'golf', 'hotel', 'india', 'juliet'];
const r = rng(7);
const textOf = () => Array.from({ length: 2 + Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * r() * WORDS.length)]!).join(' ');
const bodies = Array.from({ length: 80 }, textOf), titles = Array.from({ length: 80 }, textOf);
const dense = vectors(80, DIM, 3);
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'body', dataType: 'VarChar', maxLength: 500, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 500, enableAnalyzer: true },
    { name: 'plain', dataType: 'VarChar', maxLength: 50 },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
  ],
};
const bm25: FunctionSchema = { name: 'body_bm25', type: 'BM25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] };
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
/** Rows written before the function give `sparse` themselves: an empty vector, a document of no term. */
const given = (id: number) => ({ id, body: bodies[id]!, title: titles[id]!, plain: 'p', sparse: {}, vec: dense[id]! });
const computed = (id: number) => ({ id, body: bodies[id]!, title: titles[id]!, plain: 'p', vec: dense[id]! });
const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return (e as NuthatchError).code; } };

function sameRanking(hits: Array<{ id: unknown; distance: number }>, scores: Map<number, number>, what: string): void {
  const want = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, K);
  assert.is(hits.length, want.length, `${what}: hit count`);
  hits.forEach((h, i) => {
    assert.ok(Math.abs(h.distance - (scores.get(h.id as number) ?? NaN)) < 1e-5, `${what}: hit ${String(h.id)} scored ${h.distance}, reference ${scores.get(h.id as number)}`);
    assert.ok(Math.abs(h.distance - want[i]![1]) < 1e-5, `${what}: position ${i}`);
  });
}

/** The value as plain objects (decoded records hold prototype-free wire objects: messages/valueCodec.ts). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('a BM25 function added to an existing field computes writes after it; altered, it reads another field; dropped, writes give the field again', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    await s.client.createCollection({ collectionName: 'fn', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('fn', Array.from({ length: 20 }, (_, i) => given(i)));
    await s.client.flush('fn');
    await until(async () => (await s.client.getLoadState('fn')).loadProgress === 100, 'sealed rows served', 30_000);
    await refused(s.client.search('fn', { annsField: 'sparse', data: ['apple'], limit: K }), /BM25|text/);
    // A plain sparse search reads the sealed rows: query nodes cache the record as it is before the add.
    assert.equal(await s.client.search('fn', { annsField: 'sparse', data: [{ 1: 1 }], limit: K, consistencyLevel: 'Strong' }), [[]]);

    await s.client.addCollectionFunction({ collectionName: 'fn', function: bm25 });
    assert.equal(plain((await s.client.describeCollection('fn')).schema.functions), [bm25]);
    // Users may not give a function's output any more; the client computes it.
    await refused(s.client.insert('fn', [{ ...computed(20), sparse: { 1: 1 } }]), /sparse/);
    await s.client.insert('fn', Array.from({ length: 30 }, (_, j) => computed(20 + j)));
    await s.client.flush('fn');
    // Served by query nodes too (whose cached record must learn of the function).
    await until(async () => (await s.client.getLoadState('fn')).loadProgress === 100, 'sealed rows served', 30_000);
    const docs = new Map<number, string[]>(Array.from({ length: 50 }, (_, i) => [i, i < 20 ? [] : tokenize(bodies[i]!)]));
    for (const q of ['apple cherry', 'echo fox', 'juliet']) {
      const [hits] = await s.client.search('fn', { annsField: 'sparse', data: [q], limit: K, consistencyLevel: 'Strong' });
      sameRanking(hits!, bm25Reference(docs, q), `BM25 over body '${q}'`);
      assert.ok(hits!.every((h) => (h.id as number) >= 20), 'rows written before the function match no term');
    }

    // Altered: writes after it take the title's terms; rows written before keep the body's.
    await s.client.alterCollectionFunction({ collectionName: 'fn', functionName: 'body_bm25', function: { ...bm25, inputFieldNames: ['title'] } });
    assert.equal((await s.client.describeCollection('fn')).schema.functions![0]!.inputFieldNames, ['title']);
    await s.client.insert('fn', Array.from({ length: 20 }, (_, j) => computed(50 + j)));
    for (let i = 50; i < 70; i++) docs.set(i, tokenize(titles[i]!));
    for (const q of ['apple cherry', 'golf hotel india']) {
      const [hits] = await s.client.search('fn', { annsField: 'sparse', data: [q], limit: K, consistencyLevel: 'Strong' });
      sameRanking(hits!, bm25Reference(docs, q), `BM25 after the alter '${q}'`);
    }

    // Refusals write nothing: the schema's functions stay as they were.
    await refused(s.client.addCollectionFunction({ collectionName: 'fn', function: bm25 }), /function 'body_bm25' already exists/);
    await refused(s.client.addCollectionFunction({ collectionName: 'fn', function: { ...bm25, name: 'again' } }), /already the output of function 'body_bm25'/);
    await refused(s.client.addCollectionFunction({ collectionName: 'fn', function: { ...bm25, name: 'emb', type: 'TextEmbedding' as never } }), /supports BM25 and MINHASH/);
    await refused(s.client.addCollectionFunction({ collectionName: 'fn', function: { ...bm25, name: 'x', inputFieldNames: ['plain'], outputFieldNames: ['vec'] } }), /enableAnalyzer/);
    await refused(s.client.addCollectionFunction({ collectionName: 'fn', function: { ...bm25, name: 'x', inputFieldNames: ['nope'], outputFieldNames: ['vec'] } }), /input field 'nope'/);
    await refused(s.client.alterCollectionFunction({ collectionName: 'fn', function: { ...bm25, name: 'nope' } }), /no function 'nope'/);
    await refused(s.client.alterCollectionFunction({ collectionName: 'fn', function: { ...bm25, type: 'MINHASH' } }), /type cannot change/);
    await refused(s.client.alterCollectionFunction({ collectionName: 'fn', functionName: 'other', function: bm25 }), /name cannot change/);
    await refused(s.client.dropCollectionFunction({ collectionName: 'fn', functionName: 'nope' }), /no function 'nope'/);
    await refused(s.client.dropCollectionField({ collectionName: 'fn', fieldName: 'title' }), /input of function 'body_bm25'/);
    assert.is(await code(s.client.addCollectionFunction({ collectionName: 'nope', function: bm25 })), 'CollectionNotFound');
    assert.equal(plain((await s.client.describeCollection('fn')).schema.functions), [{ ...bm25, inputFieldNames: ['title'] }]);

    // Indexed with BM25, the function cannot go until the index does.
    await s.client.releaseCollection('fn');
    await s.client.createIndex('fn', { indexName: 'sparse_idx', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25', params: {} });
    assert.is(await code(s.client.dropCollectionFunction({ collectionName: 'fn', functionName: 'body_bm25' })), 'FailedPrecondition');
    await refused(s.client.dropCollectionFunction({ collectionName: 'fn', functionName: 'body_bm25' }), /has index 'sparse_idx': drop the index first/);
    await s.client.dropIndex('fn', 'sparse_idx');

    // A restart keeps the altered function (the record and every shard's fold).
    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    assert.equal(plain((await s.client.describeCollection('fn')).schema.functions), [{ ...bm25, inputFieldNames: ['title'] }]);
    await s.client.loadCollection('fn');
    const [again] = await s.client.search('fn', { annsField: 'sparse', data: ['apple cherry'], limit: K, consistencyLevel: 'Strong' });
    sameRanking(again!, bm25Reference(docs, 'apple cherry'), 'BM25 after a restart');

    await s.client.dropCollectionFunction({ collectionName: 'fn', functionName: 'body_bm25' });
    assert.is((await s.client.describeCollection('fn')).schema.functions, undefined);
    await refused(s.client.search('fn', { annsField: 'sparse', data: ['apple'], limit: K, consistencyLevel: 'Strong' }), /BM25|text/);
    await refused(s.client.insert('fn', [computed(70)]), /sparse/);
    await s.client.insert('fn', [{ ...computed(70), sparse: { 7: 2 } }]);
    const [ip] = await s.client.search('fn', { annsField: 'sparse', data: [{ 7: 1 }], limit: 3, consistencyLevel: 'Strong' });
    assert.equal(ip!.map((h) => [h.id, h.distance]), [[70, 2]], 'a plain sparse field again: IP over the vectors given');
  } finally { await s.cleanup(); }
});

test('an add some shards applied before the coordinator stopped (its record not yet written) completes when asked again', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'half', schema, metricType: 'L2', shardsNum: 2 });
    const d = await s.client.describeCollection('half');
    const v0 = d.vchannels[0]!;
    await s.client.appendWal(v0, [newMessage('AddCollectionFunction', v0, { collectionId: d.collectionId, function: bm25 })], 'partial-add');
    assert.is((await s.client.describeCollection('half')).schema.functions, undefined, 'the record does not have it yet');
    await s.client.addCollectionFunction({ collectionName: 'half', function: bm25 });
    assert.equal(plain((await s.client.describeCollection('half')).schema.functions), [bm25]);
    // Every shard computes it now: rows on both shards index their body's terms.
    await s.client.insert('half', Array.from({ length: 20 }, (_, i) => computed(i)));
    await s.client.createIndex('half', { indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} });
    await s.client.loadCollection('half');
    const docs = new Map<number, string[]>(Array.from({ length: 20 }, (_, i) => [i, tokenize(bodies[i]!)]));
    const [hits] = await s.client.search('half', { annsField: 'sparse', data: ['apple cherry'], limit: K, consistencyLevel: 'Strong' });
    sameRanking(hits!, bm25Reference(docs, 'apple cherry'), 'BM25 after the retried add');
    // And the same drop twice: the second finds nothing to drop.
    const v1 = d.vchannels[1]!;
    await s.client.appendWal(v1, [newMessage('DropCollectionFunction', v1, { collectionId: d.collectionId, functionName: 'body_bm25' })], 'partial-drop');
    await s.client.releaseCollection('half');
    await s.client.dropCollectionFunction({ collectionName: 'half', functionName: 'body_bm25' });
    assert.is((await s.client.describeCollection('half')).schema.functions, undefined);
  } finally { await s.cleanup(); }
});

test.run();
