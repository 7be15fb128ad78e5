import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Hit } from '../../runtime/client/api.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Reads that pin one TSO for all their parts (hybrid searches, iterators,
 * sparse searches) see what a plain search of the same consistency level
 * sees: a Bounded read pins the newest TSO every shard already serves, not a
 * TSO five seconds back, so rows every shard serves are never left out.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};

async function drain<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

test('Bounded hybrid searches and iterators see rows every shard already serves', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'fresh', schema, metricType: 'L2', shardsNum: 2, consistencyLevel: 'Bounded', load: true });
    const rows = vectors(12, DIM, 3).map((vec, i) => ({ id: i + 1, vec }));
    await c.insert('fresh', rows);
    // A Strong read makes every shard serve past the insert; Bounded reads after it need not wait for anything.
    assert.equal(await c.query('fresh', { filter: 'id > 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }), [{ 'count(*)': 12 }]);
    const ids = rows.map((r) => r.id);
    const q = rows[0]!.vec;

    const plain = (await c.search('fresh', { data: [q], limit: 12 }))[0]!;
    assert.equal(plain.map((h: Hit) => h.id).sort((a, b) => Number(a) - Number(b)), ids, 'a plain Bounded search sees them');
    const hybrid = (await c.hybridSearch('fresh', { searches: [{ data: [q], limit: 12 }, { data: [rows[5]!.vec], limit: 12 }], limit: 12 }))[0]!;
    assert.equal(hybrid.map((h) => h.id).sort((a, b) => Number(a) - Number(b)), ids, 'a Bounded hybrid search sees them too');
    const walked = await drain(await c.queryIterator('fresh', { batchSize: 5 }));
    assert.equal(walked.map((row) => row.id), ids, 'a Bounded query iterator walks them');
    const searched = await drain(await c.searchIterator('fresh', { vector: q, batchSize: 5, limit: 12 }));
    assert.equal(searched.map((h) => h.id).sort((a, b) => Number(a) - Number(b)), ids, 'a Bounded search iterator walks them');
    const eventually = (await c.hybridSearch('fresh', { searches: [{ data: [q], limit: 12 }], limit: 12, consistencyLevel: 'Eventually' }))[0]!;
    assert.is(eventually.length, 12, 'an Eventually hybrid search reads what the shards serve');
  } finally {
    await s.cleanup();
  }
});

test.run();
