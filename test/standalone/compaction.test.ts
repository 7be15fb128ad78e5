import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { decodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { NuthatchError } from '../../messages/errors.js';
import { DATA_NODE_SUBJECT, queryNodeSubject, type DataNodeProtocol, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Delete compaction: a sealed segment whose rows are a fifth or more deleted
 * is rewritten without them, with its index rebuilt, and reads give the same
 * answers before, during and after; the old files go. Fewer deletes, or
 * deletes younger than the grace, leave it as it is.
 */
const DIM = 8;
const N = 1000;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'tag', dataType: 'Int64' as const }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 64 } }];
const vecs = vectors(N, DIM, 7);

type S = Awaited<ReturnType<typeof tempStandalone>>;

async function seeded(s: S, name: string): Promise<number> {
  await s.client.createCollection({ collectionName: name, schema, metricType: 'L2', indexParams, load: true });
  await s.client.insert(name, vecs.map((vec, id) => ({ id, tag: id % 7, vec })));
  await s.client.flush(name);
  return (await s.client.describeCollection(name)).collectionId;
}

const count = async (s: S, name: string) => Number((await s.client.query(name, { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);

async function nearest(s: S, name: string, id: number): Promise<number> {
  const hits = await s.client.search(name, { data: [vecs[id]!], limit: 1, consistencyLevel: 'Strong' });
  return Number(hits[0]![0]!.id);
}

test('a segment a third deleted is rewritten without those rows; reads agree before and after, and after a restart', async () => {
  let s = await tempStandalone({ coordinator: { compaction: { intervalMs: 100, graceMs: 0 } } });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    const id = await seeded(s, 'c');
    const files = async () => (await objects.list(`segments/${id}/`)).map((o) => o.key).sort();
    await until(async () => (await files()).some((k) => k.endsWith('.hnsw')), 'the index of the sealed segment', 30_000);
    const before = await files();
    assert.ok(before.some((k) => k.endsWith('/data.seg')), `flushed data: ${before.join(', ')}`);

    // Ids 0..9 upserted (deleted from the sealed segment, a new row each in a growing one), then a third deleted.
    // In this order a compaction round that falls between the two sees 1% deleted, under its threshold, and waits for both.
    await s.client.upsert('c', Array.from({ length: 10 }, (_, i) => ({ id: i, tag: 100 + i, vec: vecs[i]! })));
    await s.client.delete('c', { ids: Array.from({ length: 333 }, (_, i) => i + 10) });
    assert.is(await count(s, 'c'), N - 333);

    // The old files go one after another once the switch is made: wait for both.
    const gone = async () => { const f = await files(); return f.some((k) => /\/data-\d+\.seg$/.test(k)) && !f.some((k) => k.endsWith('/data.seg') || k.endsWith('/index-vec_idx.hnsw')); };
    await until(gone, 'the compacted data and its index to replace the old', 30_000);
    const after = await files();
    const dataKey = after.find((k) => /\/data-\d+\.seg$/.test(k))!;
    assert.ok(after.some((k) => /\/index-vec_idx-\d+\.hnsw$/.test(k)), `the index built from the new data: ${after.join(', ')}`);
    assert.not.ok(after.some((k) => k.endsWith('/index-vec_idx.hnsw')), 'the old index is removed');
    const seg = decodeSegmentFile((await objects.get(dataKey))!);
    assert.is(seg.count, N - 343, 'the deleted and the upserted ids left the segment');
    assert.not.ok(seg.pks.some((pk) => Number(pk) < 343), 'no deleted id is in it');

    const check = async () => {
      assert.is(await count(s, 'c'), N - 333);
      assert.is(await nearest(s, 'c', 500), 500, 'a kept row is found by its vector, through the new index');
      assert.is.not(await nearest(s, 'c', 100), 100, 'a deleted row stays deleted');
      const upserted = await s.client.query('c', { filter: 'id < 10', outputFields: ['tag'], consistencyLevel: 'Strong' });
      assert.equal(upserted.map((r) => Number(r.tag)).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => 100 + i), 'the upserted rows are the new ones');
    };
    await check();
    // The query node serves the new files (reloaded in place, not only after a restart).
    const status = await client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
    assert.equal(status.files.map((f) => [f.dataKey, f.indexKeys[0]]), [[dataKey, after.find((k) => /\/index-vec_idx-\d+\.hnsw$/.test(k))]]);
    await s.stop();
    s = await tempStandalone({ dataDir, coordinator: { compaction: { intervalMs: 100, graceMs: 0 } } });
    await until(async () => (await s.client.getLoadState('c')).loadProgress === 100, 'the reload after the restart', 30_000).catch(() => {});
    await check();
    assert.equal(await files(), after, 'nothing compacted again after the restart');
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

async function untouched(grace: number, deleted: number): Promise<void> {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 100, graceMs: grace } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    const id = await seeded(s, 'c');
    const files = async () => (await objects.list(`segments/${id}/`)).map((o) => o.key).sort();
    await until(async () => (await files()).some((k) => k.endsWith('.hnsw')), 'the index', 30_000);
    const before = await files();
    await s.client.delete('c', { ids: Array.from({ length: deleted }, (_, i) => i) });
    await new Promise((r) => setTimeout(r, 1500)); // fifteen rounds
    assert.equal(await files(), before);
    assert.is(await count(s, 'c'), N - deleted);
  } finally {
    await objects.close();
    await s.cleanup();
  }
}

test('a segment 15% deleted is left as it is', () => untouched(0, 150));

test('deletes younger than the grace are not applied, however many', () => untouched(3_600_000, 500));

test('the data node removes only segment files: another key is an InvalidArgument and nothing is deleted', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0 } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    await objects.put('checkpoints/keep-me', new Uint8Array([1]));
    const dn = client<DataNodeProtocol>(s.bus, DATA_NODE_SUBJECT);
    for (const keys of [['checkpoints/keep-me'], [42], ['segments/1/x', '../checkpoints/keep-me'], ['segments/../checkpoints/keep-me']]) {
      const e = await dn('removeFiles', { keys: keys as string[] }).then(() => undefined, (x: unknown) => x);
      assert.instance(e, NuthatchError, `refused ${JSON.stringify(keys)}`);
      assert.is((e as NuthatchError).code, 'InvalidArgument');
    }
    assert.ok(await objects.get('checkpoints/keep-me'), 'still there');
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

test('the data node refuses malformed listing and merge requests with InvalidArgument', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const dn = client<DataNodeProtocol>(s.bus, DATA_NODE_SUBJECT);
    const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof NuthatchError ? e.code : String(e)));
    assert.is(await code(dn('listSegmentFiles', { after: null, limit: 0 })), 'InvalidArgument');
    assert.is(await code(dn('listSegmentFiles', { after: null, limit: 1e9 })), 'InvalidArgument');
    assert.is(await code(dn('listSegmentFiles', { after: 7 as unknown as string, limit: 10 })), 'InvalidArgument');
    assert.is(await code(dn('mergeSegments', { segments: [], segmentId: 5, untilTso: 1n })), 'InvalidArgument');
    const part = (partitionId: number) => ({ collectionId: 1, partitionId, segmentId: partitionId, vchannel: 'dml_0_1v0', pchannel: 'dml_0', rows: 1, dataKey: 'segments/1/1/data.seg', indexKeys: {}, from: 0, to: 1 });
    assert.is(await code(dn('mergeSegments', { segments: [part(1), part(2)], segmentId: 5, untilTso: 1n })), 'InvalidArgument', 'parts of two partitions');
    assert.equal((await dn('listSegmentFiles', { after: null, limit: 10 })).keys, []);
  } finally { await s.cleanup(); }
});

test.run();
