/**
 * A shard's delete log can hold far more entries than one bus message carries.
 * Query nodes catch up on it page by page: after 600,000 deletes (more than the
 * test server's 8 MB max payload as one answer) reads of sealed rows on a query
 * node still see every delete. (Before paging, the read timed out.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, insertAll } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 4, SEED = 31, NAME = 'manydeletes', ROWS = 1000, DELETES = 600_000, PER_REQUEST = 100_000;

if (haveServices('cluster: large delete log')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('sealed rows on a query node see every one of 600,000 deletes', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 1));
    await insertAll(c.http, NAME, SEED, ROWS, DIM, 500, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('flushed segments loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    // Ids [0, 600000) step by step: the first 500 exist, the rest are deletes of nothing (still logged).
    let slowest = 0;
    for (let from = 0; from < DELETES; from += PER_REQUEST) {
      const ids = Array.from({ length: PER_REQUEST }, (_, i) => from + i);
      const t = Date.now();
      await c.client.delete(NAME, { ids: from === 0 ? ids.slice(0, 500).concat(ids.slice(ROWS)) : ids });
      slowest = Math.max(slowest, Date.now() - t);
    }
    const t = Date.now();
    const count = await c.client.query(NAME, { outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    console.log(`  ${DELETES} deletes in requests of ${PER_REQUEST}: slowest ${slowest} ms; first Strong read after them ${Date.now() - t} ms`);
    assert.is(Number(count[0]!['count(*)']), ROWS - 500);
    const left = await c.client.query(NAME, { filter: 'id < 1000', outputFields: ['id'], limit: 1000, consistencyLevel: 'Strong' });
    assert.equal(left.map((r) => Number(r.id)).sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => 500 + i));
  });
}

test.run();
