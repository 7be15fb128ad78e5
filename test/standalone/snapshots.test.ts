import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { RestoreSnapshotJobView, RowObject } from '../../runtime/client/api.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import type { SnapshotRestoreJob } from '../../actors/coordinator/core/snapshotRestore.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Collection snapshots end to end (Milvus 3.0's create_snapshot and kin): a
 * snapshot names the source's files and copies none; after the source goes on
 * (inserts, deletes, compaction) and is dropped, a restore answers search and
 * query exactly as the source did when the snapshot was taken, over the same
 * files; once the snapshot and the restored collection are dropped, the files go.
 */
const DIM = 8;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'n', dataType: 'Int64' as const }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 64 } }];
const vecs = vectors(1000, DIM, 11);
const rows = (from: number, n: number): RowObject[] => Array.from({ length: n }, (_, i) => ({ id: from + i, n: (from + i) % 7, vec: vecs[from + i]! }));
const queries = [vecs[3]!, vecs[120]!, vecs[333]!, vecs[777]!];

/** What a collection answers: top 10 of each query (ids and distances), its rows' ids, a filtered count. */
async function answers(c: NuthatchClient, name: string) {
  const search = [];
  for (const q of queries) {
    const [hits] = await c.search(name, { data: [q], limit: 10, consistencyLevel: 'Strong' });
    search.push(hits!.map((h) => [Number(h.id), h.distance]));
  }
  const ids = (await c.query(name, { filter: 'id >= 0', outputFields: ['id'], limit: 16_384, consistencyLevel: 'Strong' })).map((r) => Number(r.id)).sort((a, b) => a - b);
  const count = (await c.query(name, { filter: 'n == 3', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
  return { search, ids, count };
}

async function restoreEnded(c: NuthatchClient, jobId: number): Promise<RestoreSnapshotJobView> {
  let j = await c.getRestoreSnapshotState(jobId);
  await until(async () => { j = await c.getRestoreSnapshotState(jobId); return j.state === 'Completed' || j.state === 'Failed'; }, 'the restore to end', 60_000);
  return j;
}

const opts = {
  coordinator: {
    compaction: { intervalMs: 0, graceMs: 0, minRatio: 0.01, mergeSegments: 0 },
    dropToleranceMs: 500, purgeIntervalMs: 100,
    orphans: { intervalMs: 200, toleranceMs: 500 },
  },
};

test('a restored snapshot answers as the source did at the snapshot, over the same files; dropping both frees them', async () => {
  const s = await tempStandalone(opts);
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  const c = s.client;
  const keys = async (prefix = 'segments/') => (await objects.list(prefix)).map((o) => o.key).sort();
  try {
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', shardsNum: 2, indexParams });
    await c.createPartition('src', 'p1');
    await c.loadCollection('src');
    await c.insert('src', rows(0, 200));
    await c.insert('src', rows(200, 200), 'p1');
    await c.flush('src');
    await c.insert('src', rows(400, 100));
    // Deletes before the snapshot: of sealed rows (kept in the shards' delete logs) and of rows not yet flushed.
    await c.delete('src', { filter: 'id < 40 or (id >= 400 and id < 410)' });
    await c.flush('src');
    await untilIndexedAndLoaded(s, 'src', 500);
    const srcId = (await c.describeCollection('src')).collectionId;

    await refused(c.createSnapshot({ collectionName: 'nope', snapshotName: 'snap' }), /does not exist/);
    await refused(c.createSnapshot({ collectionName: 'src', snapshotName: 'bad-name' }), /snapshot name/);
    const before = await answers(c, 'src');
    assert.is(before.ids.length, 450);
    const filesBefore = await keys();
    const snap = await c.createSnapshot({ collectionName: 'src', snapshotName: 'snap', description: 'before the cleanup' });
    assert.equal(await keys(), filesBefore, 'a snapshot copies no file');
    assert.equal([snap.snapshotName, snap.collectionName, snap.description, snap.partitionNames, snap.rows, snap.files > 0], ['snap', 'src', 'before the cleanup', ['_default', 'p1'], 500, true]);
    await refused(c.createSnapshot({ collectionName: 'src', snapshotName: 'snap' }), /already exists/);
    assert.equal((await c.listSnapshots({ collectionName: 'src' })).map((x) => x.snapshotName), ['snap']);
    assert.equal(await c.describeSnapshot('snap'), snap);

    // The source goes on: rows inserted and deleted after the snapshot, compacted away, then the collection dropped.
    await c.insert('src', rows(500, 100));
    await c.delete('src', { filter: 'id >= 40 and id < 140' });
    await c.flush('src');
    const { compactionID } = await c.compact('src');
    await until(async () => (await c.getCompactionState(compactionID)).state === 'Completed', 'the compaction', 60_000);
    const replaced = filesBefore.filter((k) => k.startsWith(`segments/${srcId}/`));
    assert.ok((await keys(`segments/${srcId}/`)).some((k) => /data-\d+\.seg$/.test(k)), 'compaction rewrote segments of the snapshot');
    assert.is((await answers(c, 'src')).ids.length, 450 - 100 + 100);
    await c.dropCollection('src');
    // Past the drop tolerance, purges and sweeps: the snapshot's files stay.
    await new Promise((r) => setTimeout(r, 2000));
    const left = await keys();
    for (const k of replaced) assert.ok(left.includes(k), `${k} is kept for the snapshot`);

    await refused(c.restoreSnapshot({ snapshotName: 'nope', targetCollectionName: 'dst' }), /does not exist/);
    await c.createCollection({ collectionName: 'taken', schema, metricType: 'L2' });
    await refused(c.restoreSnapshot({ snapshotName: 'snap', targetCollectionName: 'taken' }), /exists/);
    const filesBeforeRestore = await keys();
    const job = await restoreEnded(c, (await c.restoreSnapshot({ snapshotName: 'snap', targetCollectionName: 'dst' })).jobId);
    assert.equal([job.state, job.progress, job.collectionName, job.dbName], ['Completed', 100, 'dst', 'default'], job.reason);
    const dst = await c.describeCollection('dst');
    assert.ok(dst.collectionId !== srcId);
    assert.equal(dst.partitions.map((p) => p.name), ['_default', 'p1']);
    await untilIndexedAndLoaded(s, 'dst', 500);
    assert.equal(await keys(), filesBeforeRestore, 'a restore copies no file and builds no index');
    assert.equal(await keys(`segments/${dst.collectionId}/`), []);
    assert.equal(await answers(c, 'dst'), before, 'the restored collection answers as the source did at the snapshot');
    await refused(c.dropSnapshot('nope'), /does not exist/);

    // Into another database too; each restored collection takes writes of its own.
    await c.createDatabase('other');
    const j2 = await restoreEnded(c, (await c.restoreSnapshot({ snapshotName: 'snap', targetCollectionName: 'dst', targetDbName: 'other' })).jobId);
    assert.is(j2.state, 'Completed', j2.reason);
    const other = c.database('other');
    await untilIndexedAndLoaded({ client: other }, 'dst', 500);
    await c.insert('dst', rows(900, 10));
    await c.delete('dst', { ids: [100, 101] });
    assert.is((await answers(c, 'dst')).ids.length, 450 + 10 - 2);
    assert.equal(await answers(other, 'dst'), before, 'the other restore is untouched by writes to the first');
    // Compacting a restored collection writes files of its own and removes none the other still names.
    const { compactionID: dstCompaction } = await c.compact('dst');
    await until(async () => (await c.getCompactionState(dstCompaction)).state === 'Completed', 'the restored collection\'s compaction', 60_000);
    assert.ok((await keys(`segments/${dst.collectionId}/`)).some((k) => /data-\d+\.seg$/.test(k)), 'its rewrites lie under its own prefix');
    assert.is((await answers(c, 'dst')).ids.length, 450 + 10 - 2);
    for (const k of replaced) assert.ok((await keys()).includes(k), `${k} is kept for the other restore`);
    assert.equal(await answers(other, 'dst'), before);

    // Nothing frees the files while the other restore names them; once all are dropped, they go.
    await c.dropSnapshot('snap');
    await c.dropCollection('dst');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await answers(other, 'dst'), before, 'a restored collection outlives its snapshot and its source');
    await other.dropCollection('dst');
    await until(async () => (await keys(`segments/${srcId}/`)).length === 0, 'the source\'s files to be freed', 30_000);
    assert.equal(await keys(`segments/${dst.collectionId}/`), []);
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

test('snapshots and restore jobs survive a restart; a restored autoID collection never generates a key of the snapshot', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const autoSchema = { fields: [{ ...schema.fields[0]!, autoId: true }, ...schema.fields.slice(1)] };
    await s.client.createCollection({ collectionName: 'auto', schema: autoSchema, metricType: 'L2', indexParams, load: true });
    const ins = await s.client.insert('auto', rows(0, 300).map(({ id: _id, ...r }) => r));
    const keysAtSnapshot = new Set(ins.ids.map(Number));
    await s.client.flush('auto');
    // Deleted before the snapshot, from sealed segments: these deletes must outlive the restart with the snapshot.
    const gone = ins.ids.slice(0, 10).map(Number);
    await s.client.delete('auto', { ids: gone });
    const live = [...keysAtSnapshot].filter((k) => !gone.includes(k)).sort((a, b) => a - b);
    await s.client.createSnapshot({ collectionName: 'auto', snapshotName: 'a1' });
    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    assert.is((await s.client.describeSnapshot('a1')).rows, 300, 'the snapshot record outlives the coordinator');
    const job = await restoreEnded(s.client, (await s.client.restoreSnapshot({ snapshotName: 'a1', targetCollectionName: 'auto2' })).jobId);
    assert.is(job.state, 'Completed', job.reason);
    await s.stop();
    // A restore cut off before its first step, as a coordinator that died right after taking the job leaves it.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    const pending: SnapshotRestoreJob = {
      jobId: 9_000_000, snapshotName: 'a1', dbName: 'default', collectionName: 'auto3', collectionId: 9_000_001, createdMs: Date.now(),
      created: false, deletesWritten: false, segmentsRecorded: false, load: true, loaded: false, state: 'Pending',
    };
    await putRecord(meta, Keys.snapshotRestore(pending.jobId), pending);
    await meta.close();
    s = await tempStandalone({ ...opts, dataDir });
    assert.is((await s.client.getRestoreSnapshotState(job.jobId)).state, 'Completed', 'the job record outlives the coordinator');
    const resumed = await restoreEnded(s.client, pending.jobId);
    assert.is(resumed.state, 'Completed', resumed.reason);
    await untilIndexedAndLoaded(s, 'auto3', 300);
    const ids3 = (await s.client.query('auto3', { filter: 'n >= 0', outputFields: ['id'], limit: 16_384, consistencyLevel: 'Strong' })).map((r) => Number(r.id)).sort((a, b) => a - b);
    assert.equal(ids3, live, 'the resumed restore made the collection, its deletes read back after the restart');
    await untilIndexedAndLoaded(s, 'auto2', 300);
    const more = await s.client.insert('auto2', rows(300, 100).map(({ id: _id, ...r }) => r));
    assert.ok(more.ids.every((k) => !keysAtSnapshot.has(Number(k))), 'new keys repeat none of the snapshot');
    const all = await s.client.query('auto2', { filter: 'n >= 0', outputFields: ['id'], limit: 16_384, consistencyLevel: 'Strong' });
    assert.is(new Set(all.map((r) => Number(r.id))).size, 290 + 100);
    assert.equal(all.map((r) => Number(r.id)).filter((k) => keysAtSnapshot.has(k)).sort((a, b) => a - b), live, 'the snapshot\'s rows, less those deleted before it');
  } finally { await s.cleanup(); }
});

test('REST snapshots create, list, describe, restore, get_restore_state and drop', async () => {
  const s = await tempStandalone({ ...opts, port: 0 });
  const post = async (path: string, body: unknown) => (await (await fetch(`${s.http!.url}/v2/vectordb${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { code: number; data?: any; message?: string };
  try {
    await s.client.createCollection({ collectionName: 'rs', schema, metricType: 'L2', indexParams, load: true });
    await s.client.insert('rs', rows(0, 100));
    const created = await post('/snapshots/create', { collectionName: 'rs', snapshotName: 'rsnap', description: 'd' });
    assert.is(created.code, 0, created.message);
    assert.equal([created.data.snapshotName, created.data.collectionName, created.data.rows, typeof created.data.createTs], ['rsnap', 'rs', 100, 'string']);
    assert.ok((await post('/snapshots/create', { collectionName: 'rs', snapshotName: 'rsnap' })).code !== 0, 'a name in use is refused');
    assert.equal((await post('/snapshots/list', {})).data.snapshots.map((x: any) => x.snapshotName), ['rsnap']);
    assert.equal((await post('/snapshots/describe', { snapshotName: 'rsnap' })).data, created.data);
    const missing = await post('/snapshots/describe', { snapshotName: 'nope' });
    assert.equal([missing.code, /does not exist/.test(missing.message ?? '')], [2110, true]);
    const restored = await post('/snapshots/restore', { snapshotName: 'rsnap', targetCollectionName: 'rs2' });
    assert.is(restored.code, 0, restored.message);
    let st: any;
    await until(async () => { st = await post('/snapshots/get_restore_state', { jobId: restored.data.jobId }); return st.data?.state === 'Completed'; }, 'the REST restore', 60_000);
    assert.equal([st.data.jobId, st.data.collectionName, st.data.progress], [restored.data.jobId, 'rs2', 100]);
    assert.is((await post('/snapshots/get_restore_state', { jobId: 'x' })).code !== 0, true);
    await untilIndexedAndLoaded(s, 'rs2', 100);
    assert.is(Number((await s.client.query('rs2', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), 100);
    assert.is((await post('/snapshots/drop', { snapshotName: 'rsnap' })).code, 0);
    assert.equal((await post('/snapshots/list', {})).data.snapshots, []);
  } finally { await s.cleanup(); }
});

test.run();
