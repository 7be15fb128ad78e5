/**
 * Bulk import on the distributed cluster (one process per actor on NATS, etcd
 * and S3): JSON files put in the cluster's bucket are imported through the
 * gateway's jobs/import; the data node that writes the batches is killed in
 * the middle of the job and another takes over, and every row lands once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import { collectionSpec, rows } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, NAME = 'imported', FILES = 4, PER_FILE = 20_000;

if (haveServices('cluster: bulk import')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('a job survives its data node dying: every row once, searchable', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      for (let f = 0; f < FILES; f++) await s3.put(`import/part-${f}.json`, new TextEncoder().encode(JSON.stringify(rows(3, f * PER_FILE, (f + 1) * PER_FILE, DIM))));
    } finally { await s3.close(); }
    const { jobId } = await c.http.ok('/jobs/import/create', { collectionName: NAME, files: Array.from({ length: FILES }, (_, f) => [`import/part-${f}.json`]) });
    const progress = () => c.http.ok('/jobs/import/get_progress', { jobId });
    await eventually('the first batches written', async () => (await progress()).importedRows > 0, 120_000, 50);
    const [dn] = c.byRole('data-node');
    await dn!.kill();
    const mid = await progress();
    await c.addNode('data-node', 'data-node-2');
    const done = await eventually('the job completes on the new data node', async () => { const p = await progress(); return (p.state === 'Completed' || p.state === 'Failed') && p; }, 240_000);
    assert.equal([done.state, done.importedRows, done.totalRows], ['Completed', FILES * PER_FILE, FILES * PER_FILE], JSON.stringify(done));
    console.log(`  ${mid.importedRows} of ${FILES * PER_FILE} rows written when the data node was killed`);
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: NAME, filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, FILES * PER_FILE, 'every row once');
    const hits = await c.http.ok('/entities/search', { collectionName: NAME, data: [rows(3, 12_345, 12_346, DIM)[0]!.vector], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0].id, 12_345);
  });

  test.run();
}
