import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import type { ImportJobView } from '../../runtime/client/api.js';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { refused } from '../support/rejects.js';
import { DATA_NODE_SUBJECT, type DataNodeProtocol } from '../../messages/rpc/workers.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Bulk import (Milvus's jobs/import): JSON row files in object storage are
 * checked whole, then written through the WAL in batches; the rows are
 * searchable and queryable like inserted ones; a bad row anywhere fails the
 * job before anything of it lands; progress reports files and rows.
 */
const CLI = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));
const DIM = 4;
const schema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
  ],
};
const vecs = vectors(6000, DIM, 21);
const rowsOf = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, vec: vecs[(from + i) % vecs.length]!, color: (from + i) % 3 === 0 ? 'red' : 'blue', extra: from + i }));
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function ended(s: { client: { getImportJobProgress(id: number): Promise<ImportJobView> } }, jobId: number): Promise<ImportJobView> {
  let v!: ImportJobView;
  await until(async () => { v = await s.client.getImportJobProgress(jobId); return v.state === 'Completed' || v.state === 'Failed'; }, `import job ${jobId} ends`, 60_000);
  return v;
}

test('JSON files import in batches; rows read like inserted ones; a bad row fails the job with nothing written', async () => {
  const s = await tempStandalone();
  const files = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'bi', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    // Two files, one a plain list of 4,500 rows (three batches), one Milvus's older {"rows": [...]} form.
    await files.put('import/a.json', json(rowsOf(0, 4500)));
    await files.put('import/b.json', json({ rows: rowsOf(4500, 1000) }));
    const { jobId } = await s.client.createImportJob({ collectionName: 'bi', files: [['import/a.json'], ['import/b.json']] });
    const done = await ended(s, jobId);
    assert.equal([done.state, done.importedRows, done.totalRows, done.progress], ['Completed', 5500, 5500, 100], JSON.stringify(done));
    assert.equal(done.details.map((d) => [d.fileName, d.state, d.importedRows]), [['import/a.json', 'Completed', 4500], ['import/b.json', 'Completed', 1000]]);
    assert.ok(done.fileSize > 0 && done.completeTime !== undefined);

    const count = async () => (await s.client.query('bi', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    assert.is(await count(), 5500, 'every row once');
    const got = await s.client.get('bi', [7, 4501], { outputFields: ['color', 'extra'] });
    assert.equal(got.map((r) => [r.id, r.color, r.extra]).sort(), [[4501, 'blue', 4501], [7, 'blue', 7]], 'scalars and dynamic fields imported');
    const [hits] = await s.client.search('bi', { data: [vecs[4321]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits![0]!.id, 4321, 'imported vectors are searchable');
    assert.ok((await s.client.listImportJobs('bi')).some((j) => j.jobId === jobId));
    // A batch sent again (its job's coordinator died before recording it) is not written twice; one of another job is.
    const dn = client<DataNodeProtocol>(s.bus, DATA_NODE_SUBJECT, 60_000);
    assert.is((await dn('importRows', { jobId, dbName: 'default', collection: 'bi', key: 'import/a.json', fromRow: 2000, maxRows: 2000 })).rows, 2000);
    assert.is(await count(), 5500, 'the same batch again changes nothing');
    await dn('importRows', { jobId: jobId + 1, dbName: 'default', collection: 'bi', key: 'import/a.json', fromRow: 4000, maxRows: 2000 });
    assert.is(await count(), 6000, 'the append ids, not chance, kept the retry out');
    await s.client.delete('bi', { filter: 'id >= 4000 and id < 4500' });
    await s.client.insert('bi', rowsOf(4000, 500));

    // Parquet, as Milvus's BulkWriter writes it: a column per field, 64-bit keys, vectors as lists, $meta as JSON text.
    const ids = Array.from({ length: 40 }, (_, i) => 7000 + i);
    await files.put('import/p.parquet', new Uint8Array(parquetWriteBuffer({ columnData: [
      { name: 'id', data: ids.map((i) => BigInt(i)), type: 'INT64' },
      { name: 'vec', data: ids.map((i) => vecs[i % vecs.length]!) },
      { name: 'color', data: ids.map((i) => (i % 2 ? 'green' : null)), type: 'STRING' },
      { name: '$meta', data: ids.map((i) => JSON.stringify({ extra: i })), type: 'STRING' },
    ] })));
    const pq = await ended(s, (await s.client.createImportJob({ collectionName: 'bi', files: [['import/p.parquet']] })).jobId);
    assert.equal([pq.state, pq.importedRows], ['Completed', 40], pq.reason);
    const fromPq = await s.client.get('bi', [7001, 7002], { outputFields: ['color', 'extra', 'vec'] });
    assert.equal(fromPq.map((r) => [r.id, r.color ?? null, r.extra]).sort(), [[7001, 'green', 7001], [7002, null, 7002]]);
    assert.equal((fromPq.find((r) => r.id === 7001)!.vec as number[]).map(Math.fround), vecs[7001 % vecs.length]!.map(Math.fround));
    await s.client.delete('bi', { ids });

    // A bad row deep in the second file: the job fails at its check; the first file's rows are not written either.
    await files.put('import/c.json', json(rowsOf(10_000, 10)));
    await files.put('import/d.json', json([...rowsOf(20_000, 50), { id: 30_000, vec: [1, 2], color: 'red' }]));
    const bad = await ended(s, (await s.client.createImportJob({ collectionName: 'bi', files: [['import/c.json'], ['import/d.json']] })).jobId);
    assert.is(bad.state, 'Failed');
    assert.match(bad.reason!, /import\/d\.json/, bad.reason);
    assert.match(bad.reason!, /data\[50\]/);
    assert.is(bad.importedRows, 0);
    assert.is(await count(), 5500, 'a failed job wrote nothing');
    const missing = await ended(s, (await s.client.createImportJob({ collectionName: 'bi', files: [['import/none.json']] })).jobId);
    assert.equal([missing.state, /does not exist/.test(missing.reason ?? '')], ['Failed', true]);

    await refused(s.client.createImportJob({ collectionName: 'bi', files: [] }), /non-empty/);
    await refused(s.client.createImportJob({ collectionName: 'bi', files: [['a.csv']] }), /only JSON .* and Parquet/);
    await refused(s.client.createImportJob({ collectionName: 'bi', files: [['../x.json']] }), /plain object key/);
    await refused(s.client.createImportJob({ collectionName: 'nope', files: [['import/a.json']] }), /does not exist/);
    await refused(s.client.createImportJob({ collectionName: 'bi', partitionName: 'p9', files: [['import/a.json']] }), /partition 'p9'/);
    await refused(s.client.getImportJobProgress(123456789), /does not exist/);

    // In another database: a collection of the same name there takes the rows; 'default''s is untouched.
    await s.client.createDatabase('imp');
    const other = s.client.database('imp');
    await other.createCollection({ collectionName: 'bi', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const there = await ended({ client: other }, (await other.createImportJob({ collectionName: 'bi', files: [['import/b.json']] })).jobId);
    assert.equal([there.state, there.importedRows], ['Completed', 1000], there.reason);
    assert.is((await other.query('bi', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 1000);
    assert.is(await count(), 5500, "'default''s collection of that name is untouched");
    assert.equal((await other.listImportJobs()).map((j) => j.jobId), [there.jobId], 'jobs listed per database');
  } finally {
    await files.close();
    await s.cleanup();
  }
});

test('a job cut short by a restart resumes where it was: every row once', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  const files = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'br', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const N = 60_000;
    await files.put('import/big.json', json(rowsOf(0, N)));
    const { jobId } = await s.client.createImportJob({ collectionName: 'br', files: [['import/big.json']] });
    await until(async () => (await s.client.getImportJobProgress(jobId)).importedRows > 0, 'the first batches written', 60_000);
    const before = await s.client.getImportJobProgress(jobId);
    await s.stop();
    assert.ok(before.importedRows < N, `stopped part way (${before.importedRows} of ${N})`);
    s = await tempStandalone({ dataDir });
    const done = await ended(s, jobId);
    assert.equal([done.state, done.importedRows], ['Completed', N]);
    const count = (await s.client.query('br', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    assert.is(count, N, 'no row lost, none twice');
  } finally {
    await files.close();
    await s.cleanup();
  }
});

test('REST jobs/import create, list, get_progress and describe; files put with nuthatch put-object', async () => {
  const s = await tempStandalone({ port: 0 });
  const post = async (path: string, body: unknown) => (await (await fetch(`${s.http!.url}/v2/vectordb${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { code: number; data?: any; message?: string };
  try {
    await s.client.createCollection({ collectionName: 'rj', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const local = join(s.dataDir, 'rows.json');
    writeFileSync(local, JSON.stringify(rowsOf(0, 300)));
    const put = spawnSync(process.execPath, [CLI, 'put-object', '--data-dir', s.dataDir, 'in/rows.json', local], { encoding: 'utf8', timeout: 20_000 });
    assert.is(put.status, 0, put.stderr);
    const created = await post('/jobs/import/create', { collectionName: 'rj', files: [['in/rows.json']] });
    assert.is(created.code, 0, created.message);
    const jobId = created.data.jobId as string;
    assert.type(jobId, 'string');
    let progress!: { code: number; data?: any };
    await until(async () => { progress = await post('/jobs/import/get_progress', { jobId }); return progress.data?.state === 'Completed'; }, 'the REST job completes', 60_000);
    assert.equal([progress.data.importedRows, progress.data.totalRows, progress.data.progress, progress.data.reason], [300, 300, 100, '']);
    assert.equal((await post('/jobs/import/describe', { jobId })).data.details[0].fileName, 'in/rows.json');
    const listed = await post('/jobs/import/list', { collectionName: 'rj' });
    assert.equal(listed.data.records.map((r: any) => [r.jobId, r.state]), [[jobId, 'Completed']]);
    assert.is((await s.client.query('rj', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 300);
    const bad = await post('/jobs/import/create', { collectionName: 'rj', files: [['in/rows.json']], options: { sep: ',' } });
    assert.ok(bad.code !== 0 && /not supported/.test(bad.message!), bad.message);
    assert.ok((await post('/jobs/import/get_progress', { jobId: 'x1' })).code !== 0);
  } finally { await s.cleanup(); }
});

test.run();
