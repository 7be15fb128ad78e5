import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * An upsert is a transaction (delete, insert) whose rows go into a segment
 * created after its BeginTxn. Recovery and flushes fold a segment's messages
 * from where its rows start, so they must start at that BeginTxn, not at the
 * segment's creation: else the commit finds no transaction and the rows are
 * dropped (they were, after a restart or a flush, before `readFrom`).
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'tag', dataType: 'Int64' as const }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const vecs = vectors(50, DIM, 3);

type S = Awaited<ReturnType<typeof tempStandalone>>;
const tags = async (s: S) => (await s.client.query('c', { filter: 'id >= 0', outputFields: ['tag'], consistencyLevel: 'Strong' }))
  .map((r) => [Number(r.id), Number(r.tag)]).sort((a, b) => a[0]! - b[0]!);
const expected = Array.from({ length: 50 }, (_, i) => [i, i < 20 ? 100 + i : i]);

async function seeded(): Promise<S> {
  const s = await tempStandalone();
  await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', load: true });
  await s.client.insert('c', vecs.map((vec, id) => ({ id, tag: id, vec })));
  await s.client.flush('c');
  await s.client.upsert('c', Array.from({ length: 20 }, (_, i) => ({ id: i, tag: 100 + i, vec: vecs[i]! })));
  assert.equal(await tags(s), expected, 'before');
  return s;
}

test('upserted rows survive a restart (recovery re-reads from their transaction)', async () => {
  let s = await seeded();
  try {
    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir });
    assert.equal(await tags(s), expected);
  } finally { await s.cleanup(); }
});

test('upserted rows survive a flush (the data node folds from their transaction)', async () => {
  let s = await seeded();
  try {
    await s.client.flush('c');
    // Once a query node serves the flushed segment, the growing copy is dropped and
    // a restart does not rebuild it: the rows then come from the data node's file.
    await until(async () => (await s.client.getLoadState('c')).loadProgress === 100, 'the flushed segment to be served', 30_000);
    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir });
    assert.equal(await tags(s), expected);
  } finally { await s.cleanup(); }
});

test.run();
