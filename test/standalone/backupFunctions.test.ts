import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize } from '../../messages/analyzer.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { bm25Reference } from '../support/bm25Reference.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Backup and restore of a collection whose BM25 function was added by DDL
 * (addCollectionFunction) after rows were written: the backup's schema holds
 * the function, its files leave the output out, and the restore computes it
 * again for every row, so the restored collection's full-text search finds
 * the rows written before the add too (a back-fill), scored as a reference
 * BM25 over every row's text; the source still finds only the later rows.
 */
const DIM = 4, N = 120, ADDED_AT = 60;
const WORDS = ['river', 'stone', 'maple', 'cloud', 'ember', 'harbor'];
const vecs = vectors(N + 1, DIM, 5);
const textOf = (id: number) => [WORDS[id % 6], WORDS[(id * 5 + 1) % 6], WORDS[(id >> 2) % 6]].join(' ');
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'text', dataType: 'VarChar', maxLength: 200, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
  ],
};
const bm25: FunctionSchema = { name: 'text_bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] };
const indexParams = [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }];

async function ended<T extends { state: string }>(read: () => Promise<T>, what: string): Promise<T> {
  let v!: T;
  await until(async () => { v = await read(); return v.state === 'Completed' || v.state === 'Failed'; }, what, 120_000);
  return v;
}
const fullText = async (c: NuthatchClient, name: string, q: string) =>
  (await c.search(name, { data: [q], annsField: 'sparse', limit: 1000, consistencyLevel: 'Strong' }))[0]!;

test('a function added by DDL survives backup and restore, and the restore computes its output for every row', async () => {
  const s = await tempStandalone();
  const c = s.client;
  try {
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    // Before the function the users give `sparse` themselves: vectors of made-up dimensions, no term of the text.
    await c.insert('src', Array.from({ length: ADDED_AT }, (_, id) => ({ id, vec: vecs[id]!, text: textOf(id), sparse: { [9000 + id]: 1 } })));
    await c.flush('src');
    await c.addCollectionFunction({ collectionName: 'src', function: bm25 });
    await c.insert('src', Array.from({ length: N - ADDED_AT }, (_, j) => ({ id: ADDED_AT + j, vec: vecs[ADDED_AT + j]!, text: textOf(ADDED_AT + j) })));
    // The source computes only the rows written after the add.
    assert.ok((await fullText(c, 'src', 'maple')).every((h) => (h.id as number) >= ADDED_AT));

    await c.createBackup('src', 'fb');
    const b = await ended(() => c.describeBackup('fb'), 'backup ends');
    assert.is(b.state, 'Completed', b.reason);
    assert.is(b.rows, N);
    const { jobId } = await c.restoreBackup('fb', 'copy');
    const r = await ended(() => c.getRestoreProgress(jobId), 'restore ends');
    assert.is(r.state, 'Completed', r.reason);

    const d = await c.describeCollection('copy');
    assert.equal(JSON.parse(JSON.stringify(d.schema.functions)), [bm25], 'the restored schema holds the added function');
    assert.is((await c.getLoadState('copy')).loadState, 'LoadStateLoaded');
    const docs = new Map(Array.from({ length: N }, (_, id) => [id, tokenize(textOf(id))] as const));
    for (const q of ['maple', 'river ember', 'harbor stone cloud']) {
      const hits = await fullText(c, 'copy', q);
      const want = bm25Reference(docs, q);
      assert.equal(hits.map((h) => h.id as number).sort((x, y) => x - y), [...want.keys()].sort((x, y) => x - y), `every row holding '${q}', those before the add too`);
      for (const h of hits) assert.ok(Math.abs(h.distance - want.get(h.id as number)!) < 1e-5, `'${q}': ${String(h.id)} scored ${h.distance}, reference ${want.get(h.id as number)}`);
      assert.ok(hits.some((h) => (h.id as number) < ADDED_AT), `'${q}' finds rows written before the add`);
    }
    // The user-given vectors are gone: no row holds the made-up dimensions.
    assert.equal(await c.search('copy', { data: [{ 9003: 1 }], annsField: 'sparse', limit: 5, consistencyLevel: 'Strong' }).catch(() => [[]]), [[]]);
    // The restored collection computes the output of new writes, and refuses a given one.
    await refused(c.insert('copy', [{ id: N, vec: vecs[N]!, text: 'maple', sparse: { 1: 1 } }]), /sparse/);
    await c.insert('copy', [{ id: N, vec: vecs[N]!, text: 'maple maple' }]);
    assert.ok((await fullText(c, 'copy', 'maple')).some((h) => h.id === N));
  } finally { await s.cleanup(); }
});

test.run();
