import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize } from '../../messages/analyzer.js';
import { Invariant, InvariantError, type NuthatchError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { shardOf } from '../../runtime/client/rows.js';
import { bm25Reference } from '../support/bm25Reference.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Stale-schema writes end to end (messages/schemaVersion.ts): client A caches
 * a collection's record and hears no announcement (`followCatalog: false`),
 * client B changes the schema, and A writes rows shaped by the old one. The
 * shards, where the DDL and the write meet in TSO order, refuse them
 * (CollectionSchemaMismatch, writing nothing); A reads the record again,
 * shapes the rows again and resends them, so they land as the new schema
 * shapes them: a function's output computed by its new definition, a new
 * field's default filled in. With resending off, A gets the typed refusal.
 */
const DIM = 4;
const vecs = vectors(64, DIM, 11);
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'body', dataType: 'VarChar', maxLength: 200, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 200, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
  ],
  functions: [{ name: 'bm', type: 'BM25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] }],
};
const bm25 = schema.functions![0]! as FunctionSchema;
const BODY = ['apple', 'banana', 'cherry'], TITLE = ['xray', 'yankee', 'zulu'];
/** Each row's body holds only BODY words and its title only TITLE words, so a term says which field was read. */
const text = (words: string[], id: number) => Array.from({ length: 1 + (id % 4) }, (_, k) => words[(id * 7 + k * 5) % words.length]!).join(' ');
const row = (id: number) => ({ id, body: text(BODY, id), title: text(TITLE, id), vec: vecs[id]! });
const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return (e as NuthatchError).code; } };
const ids = async (c: NuthatchClient, name: string, filter: string) =>
  (await c.query(name, { filter, outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);

test('a stale client\'s insert and upsert after an altered function carry the output of the new definition, on every shard', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'sv', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    // Three clients that cache the record (BM25 over body) and will hear nothing of the alter.
    const [stale, staleUpsert, stalePartial] = [0, 1, 2].map(() => new NuthatchClient(s.bus, { followCatalog: false }));
    await stale.insert('sv', [row(0), row(31)]);
    await staleUpsert.describeCollection('sv');
    await stalePartial.describeCollection('sv');
    await s.client.alterCollectionFunction({ collectionName: 'sv', functionName: 'bm', function: { ...bm25, inputFieldNames: ['title'] } });
    // Rows on both shards: all shaped again.
    const batch = Array.from({ length: 30 }, (_, i) => row(1 + i));
    assert.ok(new Set(batch.map((r) => shardOf(r.id, 2))).size === 2);
    const res = await stale.insert('sv', batch);
    assert.equal(res.ids, batch.map((r) => r.id));
    // An upsert rewrites row 0, a partial upsert row 31 (its title given again): both computed from the title now.
    await staleUpsert.upsert('sv', [row(0)]);
    await stalePartial.upsert('sv', [{ id: 31, title: text(TITLE, 31) }], undefined, { partialUpdate: true });
    const docs = new Map<number, string[]>(Array.from({ length: 32 }, (_, id) => [id, tokenize(text(TITLE, id))]));
    // Full-text search over the title's words ranks every row as the reference BM25 over titles does.
    for (const q of ['xray', 'yankee zulu']) {
      const [hits] = await s.client.search('sv', { annsField: 'sparse', data: [q], limit: 40, consistencyLevel: 'Strong' });
      const want = [...bm25Reference(docs, q)].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      assert.equal(hits!.map((h) => h.id).sort(), want.map(([id]) => id).sort(), `rows matching '${q}'`);
      for (const h of hits!) assert.ok(Math.abs(h.distance - bm25Reference(docs, q).get(h.id as number)!) < 1e-5, `score of ${String(h.id)} for '${q}'`);
    }
    // No row was shaped by the old definition: the body's words match nothing.
    const [body] = await s.client.search('sv', { annsField: 'sparse', data: ['apple banana cherry'], limit: 40, consistencyLevel: 'Strong' });
    assert.equal(body, []);
    assert.equal(await ids(s.client, 'sv', 'id >= 0'), Array.from({ length: 32 }, (_, i) => i));
  } finally { await s.cleanup(); }
});

test('a stale client\'s key that became a field lands in the field, not the dynamic field; a delete by filter after a DDL is read again and applied', async () => {
  const s = await tempStandalone(opts);
  try {
    const plain: CollectionSchema = { fields: schema.fields.filter((f) => f.name === 'id' || f.name === 'vec'), enableDynamicField: true };
    await s.client.createCollection({ collectionName: 'sf', schema: plain, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    await stale.insert('sf', [{ id: 0, vec: vecs[0]!, tier: 'gold' }]); // a dynamic key for now
    await s.client.addCollectionField('sf', { name: 'tier', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'basic' });
    // Shaped by the old schema, 'tier' would go to $meta and the field would read its default.
    await stale.insert('sf', Array.from({ length: 10 }, (_, i) => ({ id: 1 + i, vec: vecs[1 + i]!, tier: i % 2 === 0 ? 'gold' : 'silver' })));
    const rows = await s.client.query('sf', { filter: 'id >= 1', outputFields: ['tier'], consistencyLevel: 'Strong' });
    assert.equal(rows.map((r) => [r.id, r.tier]).sort((a, b) => Number(a[0]) - Number(b[0])), Array.from({ length: 10 }, (_, i) => [1 + i, i % 2 === 0 ? 'gold' : 'silver']));
    assert.equal(await ids(s.client, 'sf', 'tier == "gold" and id >= 1'), [1, 3, 5, 7, 9]);

    await s.client.addCollectionField('sf', { name: 'n', dataType: 'Int64', nullable: true });
    const del = await stale.delete('sf', { filter: 'id in [2, 3, 4, 5]' });
    assert.is(del.count, 4);
    assert.equal(await ids(s.client, 'sf', 'id >= 0'), [0, 1, 6, 7, 8, 9, 10]);
  } finally { await s.cleanup(); }
});

test('with resending off, a stale write is refused with CollectionSchemaMismatch and writes nothing; a fresh record writes', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'sx', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const strict = new NuthatchClient(s.bus, { followCatalog: false, retryOnSchemaMismatch: false });
    await strict.insert('sx', [row(0), row(1)]);
    const created = await s.client.describeCollection('sx');
    assert.is(created.schemaVersion, created.createdTso, 'a new collection\'s version is its creation\'s TSO');
    await s.client.alterCollectionFunction({ collectionName: 'sx', functionName: 'bm', function: { ...bm25, inputFieldNames: ['title'] } });
    assert.ok((await s.client.describeCollection('sx')).schemaVersion > created.schemaVersion, 'the alter moved the version');
    try {
      await strict.insert('sx', [row(2)]);
      assert.unreachable('a write shaped before the alter was taken');
    } catch (e) {
      assert.instance(e, InvariantError);
      assert.is((e as InvariantError).code, 'CollectionSchemaMismatch');
      assert.is((e as InvariantError).invariant, Invariant.SchemaVersionCurrent);
      assert.is((e as InvariantError).wireCode, 1106);
    }
    assert.is(await code(strict.upsert('sx', [{ ...row(0), body: 'cherry' }])), 'CollectionSchemaMismatch');
    assert.is(await code(strict.delete('sx', { filter: 'id == 1' })), 'CollectionSchemaMismatch');
    // Nothing of them was written: no row 2, row 0 as it was, row 1 still there.
    assert.equal(await ids(s.client, 'sx', 'id >= 0'), [0, 1]);
    assert.equal((await s.client.get('sx', [0], { outputFields: ['body'], consistencyLevel: 'Strong' })).map((r) => r.body), [row(0).body]);
    // A delete by keys names no field: it carries no version and is taken.
    await strict.delete('sx', { ids: [1] });
    // Once the client reads the record again its writes are taken.
    await strict.describeCollection('sx');
    await strict.insert('sx', [row(2)]);
    assert.equal(await ids(s.client, 'sx', 'id >= 0'), [0, 2]);
  } finally { await s.cleanup(); }
});

/** A client that, each of the first `races` times it reads a record anew after a stale refusal, has another client change the schema again. */
class RacedClient extends NuthatchClient {
  reads = 0;
  constructor(bus: ConstructorParameters<typeof NuthatchClient>[0], private readonly races: number, private readonly ddl: (k: number) => Promise<unknown>) { super(bus, { followCatalog: false }); }
  protected override async recordAfter(name: string, stale: bigint | undefined): Promise<CollectionRecord> {
    const r = await super.recordAfter(name, stale);
    if (this.reads++ < this.races) await this.ddl(this.reads);
    return r;
  }
}

test('a schema changed again between a refusal and its resend: the rows are shaped and sent again; a stream of changes outlasts the resends and nothing is written', async () => {
  const s = await tempStandalone(opts);
  try {
    const plain: CollectionSchema = { fields: schema.fields.filter((f) => f.name === 'id' || f.name === 'vec'), enableDynamicField: true };
    await s.client.createCollection({ collectionName: 'sr', schema: plain, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    let added = 0;
    const addField = () => s.client.addCollectionField('sr', { name: `f${added++}`, dataType: 'Int64', nullable: true, defaultValue: 7 });
    const first = new RacedClient(s.bus, 3, addField);
    await first.describeCollection('sr');
    await addField();
    // Refused four times (one DDL before, three between each re-read and its resend), taken the fifth: each field's default is filled in.
    const res = await first.insert('sr', Array.from({ length: 8 }, (_, i) => ({ id: i, vec: vecs[i]! })));
    assert.equal(res.ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.is(first.reads, 4, 'the record was read again after each refusal');
    const got = await s.client.query('sr', { filter: 'id >= 0', outputFields: ['f0', 'f3'], consistencyLevel: 'Strong' });
    assert.equal(got.map((r) => [r.f0, r.f3]), Array.from({ length: 8 }, () => [7, 7]));

    const deleter = new RacedClient(s.bus, 2, addField);
    await deleter.describeCollection('sr');
    await addField();
    assert.is((await deleter.delete('sr', { filter: 'id < 3' })).count, 3);
    assert.equal(await ids(s.client, 'sr', 'id >= 0'), [3, 4, 5, 6, 7]);

    const endless = new RacedClient(s.bus, 100, addField);
    await endless.describeCollection('sr');
    await addField();
    assert.is(await code(endless.insert('sr', [{ id: 50, vec: vecs[50]! }])), 'CollectionSchemaMismatch');
    assert.is(endless.reads, 4, 'five sendings in all');
    assert.equal(await ids(s.client, 'sr', 'id >= 0'), [3, 4, 5, 6, 7], 'the refused row wrote nothing');
  } finally { await s.cleanup(); }
});

test('a record saved before schema versions gets one when the coordinator loads it, above the shards\' DDL: writes pass, and a later DDL is enforced', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const plain: CollectionSchema = { fields: schema.fields.filter((f) => f.name === 'id' || f.name === 'vec'), enableDynamicField: true };
    await s.client.createCollection({ collectionName: 'old', schema: plain, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.addCollectionField('old', { name: 'a', dataType: 'Int64', nullable: true });
    // The record as a coordinator before versions saved it.
    const key = Keys.collection('default', 'old');
    const rec = (await getRecord<CollectionRecord>(s.meta, key))!;
    delete rec.schemaVersion;
    await putRecord(s.meta, key, rec);
    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    const d = await s.client.describeCollection('old');
    assert.ok(d.schemaVersion > d.createdTso, 'a version from the load');
    const strict = new NuthatchClient(s.bus, { followCatalog: false, retryOnSchemaMismatch: false });
    await strict.insert('old', Array.from({ length: 6 }, (_, id) => ({ id, vec: vecs[id]!, a: id })));
    await s.client.addCollectionField('old', { name: 'b', dataType: 'Int64', nullable: true });
    assert.is(await code(strict.insert('old', [{ id: 10, vec: vecs[10]!, b: 1 }])), 'CollectionSchemaMismatch');
    assert.equal(await ids(s.client, 'old', 'id >= 0'), [0, 1, 2, 3, 4, 5]);
  } finally { await s.cleanup(); }
});

test.run();
