/**
 * A data node killed while it holds a task (processes on real NATS, etcd and
 * S3, two data nodes live at a time): data nodes hold leased sessions as
 * streaming and query nodes do; the coordinator (compactions, backup steps,
 * import batches) and the streaming nodes (segment flushes) send each task to
 * one of them, and when that one's session ends hand the task to another, so
 * it completes there instead of waiting out its 10-minute timeout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import { collectionSpec, insertAll, rows } from './support/data.js';
import { eventually, haveServices, startTestCluster, within, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 11, NAME = 'held', ROWS = 1000, DELETED = 400;

if (haveServices('cluster: data node failover')) {
  let cluster: TestCluster | undefined;
  test.before(async () => {
    cluster = await startTestCluster({
      topology: { 'data-node': 2 },
      // Manual compaction only, every delete applied at once.
      roleArgs: { coordinator: ['--compaction-interval-ms', '0', '--compaction-grace-ms', '0'] },
    });
  });
  test.after(async () => { await cluster?.stop(); });

  test('a compaction held by a data node that is killed completes on the other data node', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 1));
    await insertAll(c.http, NAME, SEED, ROWS, DIM, 500, 1);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    const { collectionId } = await c.client.describeCollection(NAME);
    const [seg] = await eventually('the segment persisted', async () => { const s = await c.coordinator('segments', { collectionId }); return s.length === 1 && s[0]!.dataKey ? s : undefined; }, 120_000);
    await c.client.delete(NAME, { ids: Array.from({ length: DELETED }, (_, i) => i) });
    await eventually('both data nodes hold sessions', async () => (await c.meta.list('sessions/data-node/')).length === 2, 60_000);

    const [dn1, dn2] = c.byRole('data-node');
    const coordinator = c.byRole('coordinator')[0]!;
    // Frozen, data-node-1 takes the compaction (the coordinator picks the idle node first by id) and holds it unanswered.
    dn1!.signal('SIGSTOP');
    const { compactionID } = await c.client.compact(NAME);
    const sent = `compactSegment of segment ${seg!.segmentId} -> data-node ${dn1!.id}`;
    await eventually('the compaction sent to data-node-1', async () => coordinator.log().includes(sent), 60_000);
    await dn1!.kill();

    // A guard only: before the change this waited out the 10-minute request timeout.
    const state = await within(eventually('the compaction completes', async () => {
      const s = await c.coordinator('compactionState', { compactionID });
      return s.state === 'Completed' && s;
    }, 150_000), 150_000, () => `compaction ${compactionID} did not complete:\n${coordinator.tail(40)}`);
    assert.equal([state.state, state.error ?? undefined], ['Completed', undefined], `completed without an error: ${JSON.stringify(state)}`);
    assert.ok(coordinator.log().includes(`compactSegment of segment ${seg!.segmentId} lost on data-node ${dn1!.id}`), coordinator.tail(40));
    assert.ok(dn2!.log().includes(`segment ${seg!.segmentId}: compacted to`), `data-node-2 did it:\n${dn2!.tail(20)}`);
    const [after] = await c.coordinator('segments', { collectionId });
    assert.equal([after!.segmentId, after!.rows], [seg!.segmentId, ROWS - DELETED]);
    assert.ok(/\/data-\d+\.seg$/.test(after!.dataKey), after!.dataKey);
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: NAME, filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, ROWS - DELETED);
  });

  /** Log lines a node wrote after `mark` (its log's length then). */
  const since = (log: string, mark: number) => log.slice(mark);

  test('a segment flush held by a data node that is killed completes on another data node', async () => {
    const c = cluster!;
    const name = 'flushed';
    // data-node-1 is gone (killed above): data-node-2 and a new data-node-3.
    await c.addNode('data-node', 'data-node-3');
    await eventually('data-node-2 and data-node-3 hold sessions', async () => (await c.meta.list('sessions/data-node/')).map((e) => e.key).sort().join() === 'sessions/data-node/data-node-2,sessions/data-node/data-node-3', 60_000);
    await c.http.ok('/collections/create', collectionSpec(name, DIM, 1));
    await insertAll(c.http, name, SEED + 1, ROWS, DIM, 500, 1);
    const [, dn2, dn3] = c.byRole('data-node');
    const streaming = c.byRole('streaming-node');
    const marks = streaming.map((n) => n.log().length);
    // Frozen, data-node-2 takes the flush (the streaming node picks the idle node first by id) and holds it unanswered.
    dn2!.signal('SIGSTOP');
    const flushed = c.http.ok('/collections/flush', { collectionName: name });
    const sent = new RegExp(`flushSegment of segment (\\d+) -> data-node ${dn2!.id}`);
    const { segmentId, sn } = await eventually('the flush sent to data-node-2', async () => {
      for (const [i, n] of streaming.entries()) { const m = sent.exec(since(n.log(), marks[i]!)); if (m) return { segmentId: Number(m[1]), sn: n }; }
      return undefined;
    }, 60_000);
    await dn2!.kill();

    // A guard only: before the change the flush waited out the data node request's 10-minute timeout.
    await within(flushed, 150_000, () => `the flush did not complete:\n${sn.tail(40)}`);
    assert.ok(sn.log().includes(`flushSegment of segment ${segmentId} lost on data-node ${dn2!.id}`), sn.tail(40));
    assert.ok(dn3!.log().includes(`segment ${segmentId}: ${ROWS} rows persisted`), `data-node-3 did it:\n${dn3!.tail(20)}`);
    const { collectionId } = await c.client.describeCollection(name);
    const segs = await c.coordinator('segments', { collectionId });
    assert.equal(segs.map((s) => [s.segmentId, s.rows]), [[segmentId, ROWS]]);
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, ROWS);
  });

  test('a backup step held by a data node that is killed completes on another, and the backup restores', async () => {
    const c = cluster!;
    await c.addNode('data-node', 'data-node-4');
    await eventually('data-node-3 and data-node-4 hold sessions', async () => (await c.meta.list('sessions/data-node/')).map((e) => e.key).sort().join() === 'sessions/data-node/data-node-3,sessions/data-node/data-node-4', 60_000);
    const [, , dn3, dn4] = c.byRole('data-node');
    const coordinator = c.byRole('coordinator')[0]!;
    const mark = coordinator.log().length;
    // Frozen, data-node-3 takes the backup's first step and holds it unanswered.
    dn3!.signal('SIGSTOP');
    await c.client.createBackup('flushed', 'kept');
    const sent = new RegExp(`(\\w+) of backup 'kept' -> data-node ${dn3!.id}`);
    const op = await eventually('a backup step sent to data-node-3', async () => sent.exec(since(coordinator.log(), mark))?.[1], 60_000);
    await dn3!.kill();

    // A guard only: before the change the step waited out its 10-minute timeout.
    const backup = await within(eventually('the backup ends', async () => {
      const v = await c.client.describeBackup('kept');
      return (v.state === 'Completed' || v.state === 'Failed') && v;
    }, 150_000), 150_000, () => `backup did not complete:\n${coordinator.tail(40)}`);
    assert.equal([backup.state, backup.reason, backup.rows], ['Completed', undefined, ROWS], JSON.stringify(backup, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    assert.ok(coordinator.log().includes(`${op} of backup 'kept' lost on data-node ${dn3!.id}`), coordinator.tail(40));
    assert.ok(since(coordinator.log(), mark).includes(`of backup 'kept' -> data-node ${dn4!.id}`), coordinator.tail(40));

    const { jobId } = await c.client.restoreBackup('kept', 'restored');
    const restore = await eventually('the restore ends', async () => {
      const v = await c.client.getRestoreProgress(jobId);
      return (v.state === 'Completed' || v.state === 'Failed') && v;
    }, 150_000);
    assert.is(restore.state, 'Completed', JSON.stringify(restore, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    const read = async (collectionName: string) => (await c.http.ok('/entities/query', { collectionName, filter: 'id in [0, 1, 499, 999]', outputFields: ['id', 'vector'], consistencyLevel: 'Strong' }) as Array<{ id: number }>).sort((a, b) => a.id - b.id);
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: 'restored', filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, ROWS);
    assert.equal(await read('restored'), await read('flushed'));
  });

  test('an import batch held by a data node that is killed is written once, by another data node', async () => {
    const c = cluster!;
    const name = 'imported', total = 40_000; // 20 batches: the job is still writing when the node is frozen
    await c.addNode('data-node', 'data-node-5');
    await eventually('data-node-4 and data-node-5 hold sessions', async () => (await c.meta.list('sessions/data-node/')).map((e) => e.key).sort().join() === 'sessions/data-node/data-node-4,sessions/data-node/data-node-5', 60_000);
    const [, , , dn4, dn5] = c.byRole('data-node');
    const coordinator = c.byRole('coordinator')[0]!;
    await c.http.ok('/collections/create', collectionSpec(name, DIM, 2));
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try { await s3.put('import/failover.json', new TextEncoder().encode(JSON.stringify(rows(SEED + 2, 0, total, DIM)))); } finally { await s3.close(); }
    const mark = coordinator.log().length;
    const { jobId } = await c.http.ok('/jobs/import/create', { collectionName: name, files: [['import/failover.json']] });
    // data-node-4 (idle, first by id) writes the batches; frozen then killed, the batch it holds (or the next) is lost there.
    await eventually('a batch sent to data-node-4', async () => since(coordinator.log(), mark).includes(`importRows of import job ${jobId} -> data-node ${dn4!.id}`), 120_000, 20);
    dn4!.signal('SIGSTOP');
    await dn4!.kill();

    const done = await within(eventually('the import ends', async () => {
      const p = await c.http.ok('/jobs/import/get_progress', { jobId });
      return (p.state === 'Completed' || p.state === 'Failed') && p;
    }, 150_000), 150_000, () => `import did not complete:\n${coordinator.tail(40)}`);
    assert.equal([done.state, done.importedRows], ['Completed', total], JSON.stringify(done));
    const log = since(coordinator.log(), mark);
    assert.ok(log.includes(`importRows of import job ${jobId} lost on data-node ${dn4!.id}`), coordinator.tail(40));
    assert.ok(log.includes(`importRows of import job ${jobId} -> data-node ${dn5!.id}`), coordinator.tail(40));
    // Every row once: a batch the killed node wrote before its answer was lost is not written again.
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, total);
    const ids = [0, 1, 19_999, 20_000, total - 1];
    const read = (await c.http.ok('/entities/query', { collectionName: name, filter: `id in [${ids.join(', ')}]`, outputFields: ['id', 'vector'], consistencyLevel: 'Strong' }) as Array<{ id: number; vector: number[] }>).sort((a, b) => a.id - b.id);
    assert.equal(read.map((r) => r.id), ids);
    for (const r of read) assert.equal(r.vector.map((x) => Math.round(x * 1e4) / 1e4), rows(SEED + 2, r.id, r.id + 1, DIM)[0]!.vector, `row ${r.id}`);
  });

  test.run();
}
