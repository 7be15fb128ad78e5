import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { BackupView, RestoreJobView, RowObject } from '../../runtime/client/api.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import type { MetricType } from '../../messages/schema.js';
import type { Tso } from '../../messages/types.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Backup and restore: a backup holds exactly the rows visible at its TSO
 * (sealed and growing, some deleted) while writes go on after it; the files
 * are bulk import files; a restore under another name (and into another
 * database) makes the collection again (schema, BM25 function, partitions,
 * indexes, properties, load) and answers as the original did at that TSO.
 */
const DIM = 4;
const WORDS = ['river', 'stone', 'maple', 'cloud', 'ember', 'harbor', 'thistle', 'lantern'];
const schema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'text', dataType: 'VarChar' as const, maxLength: 200, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' as const },
    { name: 'tag', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
  ],
  functions: [{ name: 'text_bm25', type: 'BM25' as const, inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};
const indexParams = [
  { indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} },
  { indexName: 'sp', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' as MetricType, params: {} },
];
const vecs = vectors(4000, DIM, 7);
const rowOf = (id: number): RowObject => ({
  id, vec: vecs[id % vecs.length]!, text: `${WORDS[id % 8]} ${WORDS[(id * 3) % 8]} ${WORDS[(id >> 3) % 8]}`,
  tag: id % 3 === 0 ? null : id % 3 === 1 ? 'a' : 'b', extra: id * 2, ...(id % 5 === 0 ? { note: `n${id}` } : {}),
});
const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => rowOf(from + i));

async function backupEnded(c: NuthatchClient, name: string): Promise<BackupView> {
  let v!: BackupView;
  await until(async () => { v = await c.describeBackup(name); return v.state === 'Completed' || v.state === 'Failed'; }, `backup ${name} ends`, 120_000);
  return v;
}
async function restoreEnded(c: NuthatchClient, jobId: number): Promise<RestoreJobView> {
  let v!: RestoreJobView;
  await until(async () => { v = await c.getRestoreProgress(jobId); return v.state === 'Completed' || v.state === 'Failed'; }, `restore ${jobId} ends`, 120_000);
  return v;
}

/** Every row of a collection (or a partition) at one TSO, in key order, as the pinned query iterator reads them. */
async function rowsAt(c: NuthatchClient, collection: string, tso: Tso, partitionNames?: string[]): Promise<RowObject[]> {
  const it = await c.queryIterator(collection, { batchSize: 1000, outputFields: ['*'], resume: { snapshotTso: tso, returned: 0 }, ...(partitionNames ? { partitionNames } : {}) });
  const out: RowObject[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
async function allRows(c: NuthatchClient, collection: string, partitionNames?: string[]): Promise<RowObject[]> {
  const it = await c.queryIterator(collection, { batchSize: 1000, outputFields: ['*'], consistencyLevel: 'Strong', ...(partitionNames ? { partitionNames } : {}) });
  const out: RowObject[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
/** A row compared field by field (vectors at float32, the sparse BM25 output left out: it is recomputed, checked by search). */
const comparable = (r: RowObject) => JSON.stringify(Object.keys(r).filter((k) => k !== 'sparse').sort().map((k) => [k, k === 'vec' ? (r[k] as number[]).map(Math.fround) : r[k]]));

test('a backup holds the rows at its TSO while writes go on; restores (here and in another database) answer alike', async () => {
  const s = await tempStandalone();
  const files = new LocalObjectStore(join(s.dataDir, 'objects'));
  const c = s.client;
  let writing = true;
  try {
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', shardsNum: 2, indexParams, properties: { 'collection.ttl.seconds': 864000 } });
    await c.createPartition('src', 'p1');
    await c.loadCollection('src');
    // Sealed rows in both partitions, then growing ones, some of each deleted.
    await c.insert('src', rows(0, 1200));
    await c.insert('src', rows(2000, 1200), 'p1');
    await c.flush('src');
    await c.insert('src', rows(1200, 300));
    await c.insert('src', rows(3200, 300), 'p1');
    await c.delete('src', { filter: 'id % 17 == 0' });

    await refused(c.createBackup('src', 'bad name'), /backup name/);
    await refused(c.createBackup('nope', 'b1'), /does not exist/);
    // Writes go on, before and after the backup's TSO: new rows inserted, old ones deleted.
    let next = 10_000;
    const writer = (async () => {
      while (writing) {
        await c.insert('src', rows(next, 50), next % 100 === 0 ? 'p1' : undefined);
        await c.delete('src', { ids: [next - 10_000 + 1, next - 10_000 + 2003] });
        next += 50;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const { tso } = await c.createBackup('src', 'b1');
    await refused(c.createBackup('src', 'b1'), /exists/);
    const b = await backupEnded(c, 'b1');
    await new Promise((r) => setTimeout(r, 200));
    writing = false;
    await writer;
    assert.is(b.state, 'Completed', b.reason);
    assert.is(b.tso, tso);
    assert.equal([b.collectionName, b.dbName, b.progress], ['src', 'default', 100]);

    const atTso = await rowsAt(c, 'src', tso);
    const now = await allRows(c, 'src');
    assert.ok(now.length !== atTso.length || now.some((r, i) => r.id !== atTso[i]!.id), 'writes after the TSO changed the collection');
    assert.is(b.rows, atTso.length, 'the backup holds exactly the rows at its TSO');
    const byPartition = Object.fromEntries(b.partitions.map((p) => [p.partitionName, p.rows]));
    assert.equal(byPartition, { _default: (await rowsAt(c, 'src', tso, ['_default'])).length, p1: (await rowsAt(c, 'src', tso, ['p1'])).length });

    // The files: meta.json and bulk import files of rows shaped as inserts take them (no BM25 output; dynamic fields flat).
    const meta = JSON.parse(new TextDecoder().decode((await files.get('backups/b1/meta.json'))!));
    assert.equal([meta.tso, meta.collection.collectionName, meta.collection.shardsNum, meta.collection.loaded, meta.collection.properties['collection.ttl.seconds']], [String(tso), 'src', 2, true, '864000']);
    assert.equal(meta.collection.schema.functions.map((f: { name: string }) => f.name), ['text_bm25']);
    assert.equal(meta.partitions.map((p: { partitionName: string }) => p.partitionName).sort(), ['_default', 'p1']);
    const part = JSON.parse(new TextDecoder().decode((await files.get(meta.partitions[0].files[0]))!)) as RowObject[];
    assert.match(meta.partitions[0].files[0], /^backups\/b1\/(_default|p1)\/part-00000\.json$/);
    assert.ok(part.length > 0 && part.every((r) => !('sparse' in r) && !('$meta' in r) && Array.isArray(r.vec)));
    assert.ok(part.some((r) => typeof r.note === 'string'), 'dynamic fields flat in the row');

    // Restore under a new name; and into another database.
    await refused(c.restoreBackup('b1', 'src'), /exists/);
    await refused(c.restoreBackup('nope', 'x'), /does not exist/);
    const r1 = await restoreEnded(c, (await c.restoreBackup('b1', 'copy')).jobId);
    assert.equal([r1.state, r1.progress, r1.importedRows, r1.totalRows], ['Completed', 100, b.rows, b.rows], r1.reason);
    await c.createDatabase('elsewhere');
    const other = c.database('elsewhere');
    const r2 = await restoreEnded(c, (await c.restoreBackup('b1', 'copy2', 'elsewhere')).jobId);
    assert.is(r2.state, 'Completed', r2.reason);
    assert.equal((await c.listRestoreJobs('b1')).map((j) => [j.jobId, j.collectionName, j.dbName]), [[r1.jobId, 'copy', 'default'], [r2.jobId, 'copy2', 'elsewhere']]);
    await refused(c.dropBackup('nope'), /does not exist/);

    for (const [api, name] of [[c, 'copy'], [other, 'copy2']] as const) {
      assert.is((await api.getLoadState(name)).loadState, 'LoadStateLoaded', `${name} loaded as the original was`);
      const d = await api.describeCollection(name);
      assert.equal(d.partitions.map((p) => p.name).sort(), ['_default', 'p1']);
      assert.equal(d.indexes.map((i) => i.indexName).sort(), ['sp', 'v']);
      assert.equal(d.properties, [{ key: 'collection.ttl.seconds', value: '864000' }]);
      assert.equal(JSON.parse(JSON.stringify(d.schema.functions)), schema.functions);
      const restored = await allRows(api, name);
      assert.equal(restored.map(comparable), atTso.map(comparable), `${name}: every row as at the TSO`);
      assert.is((await allRows(api, name, ['p1'])).length, byPartition.p1, `${name}: p1's rows in p1`);
      // Dense search: the exact nearest rows of those at the TSO (FLAT, L2).
      for (const q of [vecs[5]!, vecs[777]!, vecs[3001]!]) {
        const [hits] = await api.search(name, { data: [q], annsField: 'vec', limit: 10, consistencyLevel: 'Strong' });
        const dist = (v: number[]) => v.reduce((n, x, i) => n + (Math.fround(x) - q[i]!) ** 2, 0);
        const expected = [...atTso].sort((x, y) => dist(x.vec as number[]) - dist(y.vec as number[]) || (x.id as number) - (y.id as number)).slice(0, 10).map((r) => r.id);
        assert.equal(hits!.map((h) => h.id).sort(), expected.sort(), `${name}: dense top 10`);
      }
      // Full text: the BM25 output recomputed; every row holding the word, and only those, is found.
      const [fts] = await api.search(name, { data: ['lantern'], annsField: 'sparse', limit: 10_000, consistencyLevel: 'Strong' });
      const holding = atTso.filter((r) => (r.text as string).split(' ').includes('lantern')).map((r) => r.id as number).sort((x, y) => x - y);
      assert.ok(holding.length > 100);
      assert.equal(fts!.map((h) => h.id as number).sort((x, y) => x - y), holding, `${name}: BM25 finds the rows with the word`);
      const filtered = await api.query(name, { filter: 'tag == "a" and extra > 1000', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
      assert.is(filtered[0]!['count(*)'], atTso.filter((r) => r.tag === 'a' && (r.extra as number) > 1000).length);
    }

    // Files of a backup this cluster has no record of (another cluster's, same bucket) are not overwritten.
    await files.put('backups/stray/meta.json', new TextEncoder().encode('{}'));
    await c.createBackup('src', 'stray');
    const stray = await backupEnded(c, 'stray');
    assert.equal([stray.state, /holds files/.test(stray.reason ?? '')], ['Failed', true], stray.reason);
    await c.dropBackup('stray');
    assert.equal((await c.listBackups()).map((x) => x.backupName), ['b1']);
    assert.equal((await c.listBackups('src')).map((x) => x.backupName), ['b1']);
    assert.equal(await other.listBackups(), [], 'backups listed per database');
    await c.dropBackup('b1');
    assert.equal(await files.list('backups/b1/'), [], 'the files are gone');
    await refused(c.describeBackup('b1'), /does not exist/);
    assert.ok((await c.query('copy', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'] === atTso.length, 'a restore outlives its backup');
  } finally {
    writing = false;
    await files.close();
    await s.cleanup();
  }
});

test('a backup cut short by a restart resumes from its page: every row once', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'big', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const N = 40_000;
    for (let i = 0; i < N; i += 10_000) await s.client.insert('big', rows(i, 10_000));
    const { tso } = await s.client.createBackup('big', 'bb');
    await until(async () => (await s.client.describeBackup('bb')).rows > 0, 'the first pages written', 60_000);
    const before = await s.client.describeBackup('bb');
    await s.client.insert('big', rows(N, 100));
    await s.stop();
    assert.ok(before.rows < N, `stopped part way (${before.rows} of ${N})`);
    s = await tempStandalone({ dataDir });
    const done = await backupEnded(s.client, 'bb');
    assert.equal([done.state, done.rows, done.tso], ['Completed', N, tso], done.reason);
    const r = await restoreEnded(s.client, (await s.client.restoreBackup('bb', 'big2')).jobId);
    assert.is(r.state, 'Completed', r.reason);
    const ids = (await allRows(s.client, 'big2')).map((x) => x.id);
    assert.equal([ids.length, new Set(ids).size, ids[0], ids[ids.length - 1]], [N, N, 0, N - 1], 'no row lost, none twice, none written after the TSO');
  } finally { await s.cleanup(); }
});

test('a partition-key collection restores with its key partitions, rows routed by key; an autoID key is kept', async () => {
  const s = await tempStandalone();
  const c = s.client;
  try {
    const keyed = {
      fields: [
        { name: 'id', dataType: 'Int64' as const, isPrimary: true, autoId: true },
        { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
        { name: 'owner', dataType: 'VarChar' as const, maxLength: 16, isPartitionKey: true },
      ],
    };
    await c.createCollection({ collectionName: 'pk', schema: keyed, metricType: 'L2', numPartitions: 4, indexParams: [indexParams[0]!], load: true });
    await c.insert('pk', Array.from({ length: 497 }, (_, i) => ({ vec: vecs[i]!, owner: `o${i % 7}` })));
    // Keys far above the allocator's, given while allow_insert_auto_id was set: the restore must not generate them again.
    const HIGH = 50_000_000;
    await c.alterCollectionProperties('pk', { allow_insert_auto_id: 'true' });
    await c.insert('pk', [HIGH, HIGH + 7, HIGH + 9].map((id, i) => ({ id, vec: vecs[497 + i]!, owner: `o${i}` })));
    await c.dropCollectionProperties('pk', ['allow_insert_auto_id']);
    const b = await backupEnded(c, (await c.createBackup('pk', 'kb')).backupName);
    assert.equal([b.state, b.rows, b.partitions.map((p) => p.partitionName)], ['Completed', 500, ['_key_partitions']], b.reason);
    const r = await restoreEnded(c, (await c.restoreBackup('kb', 'pk2')).jobId);
    assert.is(r.state, 'Completed', r.reason);
    const d2 = await c.describeCollection('pk2');
    assert.equal([d2.schema.fields.find((f) => f.name === 'id')!.autoId, d2.properties], [true, []], 'autoID again, allow_insert_auto_id closed after the import');
    await refused(c.insert('pk2', [{ id: 1, vec: vecs[0]!, owner: 'o1' }]), /auto-generated|autoId/);
    const fresh = await c.insert('pk2', Array.from({ length: 5 }, (_, i) => ({ vec: vecs[i]!, owner: 'o2' })));
    assert.ok(fresh.ids.every((id) => (id as number) > HIGH + 9), `keys generated after the restore are above the backup's largest: ${fresh.ids}`);
    await c.delete('pk2', { ids: fresh.ids });
    assert.equal((await c.describeCollection('pk2')).partitions.map((p) => p.name), (await c.describeCollection('pk')).partitions.map((p) => p.name));
    const a = await allRows(c, 'pk'), z = await allRows(c, 'pk2');
    assert.equal(z.map((x) => [x.id, x.owner]), a.map((x) => [x.id, x.owner]), 'the same keys and rows');
    for (const owner of ['o1', 'o5']) {
      const count = async (name: string) => (await c.query(name, { filter: `owner == "${owner}"`, outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
      assert.is(await count('pk2'), await count('pk'));
    }
  } finally { await s.cleanup(); }
});

test('a collection not loaded is loaded for its backup and released after; its restore is not loaded either', async () => {
  const s = await tempStandalone();
  const c = s.client;
  try {
    const plain = { fields: schema.fields.slice(0, 2) };
    await c.createCollection({ collectionName: 'cold', schema: plain, metricType: 'L2', indexParams: [indexParams[0]!], load: true });
    await c.insert('cold', Array.from({ length: 300 }, (_, i) => ({ id: i, vec: vecs[i]! })));
    const before = await allRows(c, 'cold');
    await c.releaseCollection('cold');
    const b = await backupEnded(c, (await c.createBackup('cold', 'cb')).backupName);
    assert.equal([b.state, b.rows], ['Completed', 300], b.reason);
    assert.is((await c.getLoadState('cold')).loadState, 'LoadStateNotLoad', 'released again, as it was found');
    const r = await restoreEnded(c, (await c.restoreBackup('cb', 'cold2')).jobId);
    assert.is(r.state, 'Completed', r.reason);
    assert.is((await c.getLoadState('cold2')).loadState, 'LoadStateNotLoad', 'restored as it was: not loaded');
    await c.loadCollection('cold2');
    assert.equal((await allRows(c, 'cold2')).map(comparable), before.map(comparable));
  } finally { await s.cleanup(); }
});

test('the backup\'s snapshot hold keeps compaction from removing rows deleted after its TSO', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  const c = s.client;
  try {
    const plain = { fields: schema.fields.slice(0, 2) };
    await c.createCollection({ collectionName: 'held', schema: plain, metricType: 'L2', shardsNum: 1, indexParams: [indexParams[0]!], load: true });
    const N = 60_000;
    for (let i = 0; i < N; i += 10_000) await c.insert('held', Array.from({ length: 10_000 }, (_, j) => ({ id: i + j, vec: vecs[(i + j) % vecs.length]! })));
    await c.flush('held');
    await until(async () => (await c.getLoadState('held')).loadProgress === 100, 'served', 30_000);
    await c.createBackup('held', 'hb');
    // Every row deleted after the TSO, and compacted away at once (no grace) but for the hold.
    await c.delete('held', { filter: 'id >= 0' });
    const { compactionID } = await c.compact('held');
    await until(async () => (await c.getCompactionState(compactionID)).state === 'Completed', 'compacted', 60_000);
    const b = await backupEnded(c, 'hb');
    assert.ok((await c.describeBackup('hb')).rows > 0);
    assert.equal([b.state, b.rows], ['Completed', N], b.reason);
  } finally { await s.cleanup(); }
});

test('REST backups create, describe, list, get_progress, restore and drop', async () => {
  const s = await tempStandalone({ port: 0 });
  const post = async (path: string, body: unknown) => (await (await fetch(`${s.http!.url}/v2/vectordb${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { code: number; data?: any; message?: string };
  try {
    await s.client.createCollection({ collectionName: 'rs', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
    await s.client.insert('rs', rows(0, 300));
    const created = await post('/backups/create', { collectionName: 'rs', backupName: 'rb' });
    assert.is(created.code, 0, created.message);
    assert.match(created.data.tso, /^\d+$/);
    let p!: { data?: any };
    await until(async () => { p = await post('/backups/get_progress', { backupName: 'rb' }); return p.data?.state === 'Completed'; }, 'the REST backup completes', 60_000);
    assert.equal([p.data.progress, p.data.rows], [100, 300]);
    const d = await post('/backups/describe', { backupName: 'rb' });
    assert.equal([d.data.collectionName, d.data.tso, d.data.rows, d.data.reason], ['rs', created.data.tso, 300, '']);
    assert.equal((await post('/backups/list', {})).data.backups.map((x: any) => x.backupName), ['rb']);
    const restored = await post('/backups/restore', { backupName: 'rb', collectionName: 'rs2' });
    assert.is(restored.code, 0, restored.message);
    await until(async () => { p = await post('/backups/get_progress', { jobId: restored.data.jobId }); return p.data?.state === 'Completed'; }, 'the REST restore completes', 60_000);
    assert.equal([p.data.jobId, p.data.importedRows, p.data.collectionName], [restored.data.jobId, 300, 'rs2']);
    assert.is((await s.client.query('rs2', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 300);
    assert.ok((await post('/backups/get_progress', {})).code !== 0, 'get_progress needs a backupName or a jobId');
    assert.ok((await post('/backups/create', { collectionName: 'rs', backupName: 'rb' })).code !== 0, 'a name in use is refused');
    assert.is((await post('/backups/drop', { backupName: 'rb' })).code, 0);
    assert.ok((await post('/backups/describe', { backupName: 'rb' })).code !== 0);
  } finally { await s.cleanup(); }
});

test.run();
