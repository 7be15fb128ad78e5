import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone, vectors } from './harness.js';

/**
 * A DDL that waited across a drop of its collection answers CollectionNotFound
 * (not the invariant its shards refused it with) and writes nothing: it does
 * not bring the dropped record back (in the catalogue or the meta store), and
 * does not write over the record of a collection made again under the name.
 * Each round queues a field add behind a truncate (the collection's DDL runs
 * one at a time), drops the collection while they run, and makes it again.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const vecs = vectors(20, DIM, 3);
const rows = Array.from({ length: 20 }, (_, i) => ({ id: i, vec: vecs[i]! }));
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

test('a field add queued behind a truncate, with the collection dropped and made again meanwhile, leaves the new collection as made', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 2, load: true });
      await s.client.insert('c', rows);
      await s.client.flush('c');
      const truncate = codeOf(s.client.truncateCollection('c'));
      const add = codeOf(s.client.addCollectionField('c', { name: `f${round}`, dataType: 'Int32', nullable: true }));
      await s.client.dropCollection('c');
      await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 2 });
      outcomes.add(`${await truncate}/${await add}`);
      const made = await s.client.describeCollection('c');
      assert.equal(made.schema.fields.map((f) => f.name), ['id', 'vec'], `round ${round}: the collection made again has its own schema`);
      await s.client.dropCollection('c');
    }
    // Each either ran before the drop or is told the collection is gone: never a shard's invariant refusal.
    for (const o of outcomes) assert.match(o, /^(ok|CollectionNotFound)\/(ok|CollectionNotFound)$/, `truncate/add answered ${o}`);
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 2 });
    await s.stop();
    s = await tempStandalone({ dataDir });
    assert.equal((await s.client.describeCollection('c')).schema.fields.map((f) => f.name), ['id', 'vec'], 'and so after a restart');
    assert.equal(await s.client.listCollections(), ['c'], 'no dropped record came back');
  } finally { await s.cleanup(); }
});

test.run();
