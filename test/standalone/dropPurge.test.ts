import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Dropping a collection frees its files: once the drop is `dropToleranceMs`
 * old, a data node purges its segment data and indexes. Other collections keep
 * theirs, and nothing is purged before the tolerance has passed.
 */
const DIM = 8;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];

test('a dropped collection\'s segment data and indexes are purged after the tolerance; the others stay', async () => {
  const s = await tempStandalone({ coordinator: { dropToleranceMs: 1500, purgeIntervalMs: 100 } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    const ids: Record<string, number> = {};
    for (const name of ['gone', 'kept']) {
      await s.client.createCollection({ collectionName: name, schema, metricType: 'L2', indexParams, load: true });
      await s.client.insert(name, vectors(300, DIM, 1).map((vec, id) => ({ id, vec })));
      await s.client.flush(name);
      ids[name] = (await s.client.describeCollection(name)).collectionId;
    }
    const files = async (name: string) => (await objects.list(`segments/${ids[name]}/`)).map((o) => o.key);
    await until(async () => (await files('gone')).some((k) => k.endsWith('.hnsw')) && (await files('kept')).some((k) => k.endsWith('.hnsw')), 'index files of both collections', 30_000);
    const kept = await files('kept');
    await s.client.dropCollection('gone');
    const droppedAt = Date.now();
    assert.ok((await files('gone')).length >= 2, 'still there right after the drop');
    await until(async () => (await files('gone')).length === 0, 'the dropped collection\'s files to be purged', 30_000);
    assert.ok(Date.now() - droppedAt >= 1000, `purged ${Date.now() - droppedAt} ms after the drop, before the tolerance`);
    assert.equal(await files('kept'), kept);
    const hits = await s.client.search('kept', { data: [vectors(300, DIM, 1)[42]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0]![0]!.id, 42);
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

/** A collection of 100 rows whose segment is in object storage; its id. */
async function flushed(s: Awaited<ReturnType<typeof tempStandalone>>, objects: LocalObjectStore, name: string): Promise<number> {
  await s.client.createCollection({ collectionName: name, schema, metricType: 'L2', load: true });
  await s.client.insert(name, vectors(100, DIM, 2).map((vec, id) => ({ id, vec })));
  await s.client.flush(name);
  const id = (await s.client.describeCollection(name)).collectionId;
  await until(async () => (await objects.list(`segments/${id}/`)).length > 0, `the segment data of ${name}`, 30_000);
  return id;
}

test('a purge not yet run survives a restart, and the restarted coordinator runs it', async () => {
  let s = await tempStandalone({ coordinator: { dropToleranceMs: 3_600_000, purgeIntervalMs: 100 } });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    const id = await flushed(s, objects, 'gone');
    const files = async () => (await objects.list(`segments/${id}/`)).length;
    await s.client.dropCollection('gone');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await files()) > 0, 'an hour of tolerance: nothing purged yet');
    await s.stop();
    s = await tempStandalone({ dataDir, coordinator: { dropToleranceMs: 0, purgeIntervalMs: 100 } });
    await until(async () => (await files()) === 0, 'the purge recorded before the restart to run', 30_000);
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

test('a drop cut off by a coordinator crash is finished at the next start: the name is free again and the files go', async () => {
  let s = await tempStandalone({ coordinator: { dropToleranceMs: 0, purgeIntervalMs: 100 } });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    const id = await flushed(s, objects, 'half');
    await s.stop();
    // As if the coordinator had died right after marking the drop.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    const rec = (await getRecord<CollectionRecord>(meta, Keys.collection('default', 'half')))!;
    await putRecord(meta, Keys.collection('default', 'half'), { ...rec, state: 'dropping' });
    await meta.close();

    s = await tempStandalone({ dataDir, coordinator: { dropToleranceMs: 0, purgeIntervalMs: 100 } });
    assert.equal(await s.client.listCollections(), []);
    await until(async () => (await objects.list(`segments/${id}/`)).length === 0, 'the dropped collection\'s files purged', 30_000);
    await s.client.createCollection({ collectionName: 'half', schema, metricType: 'L2' });
    assert.is(await s.client.hasCollection('half'), true, 'the name is free again');
    assert.is((await s.client.getCollectionStats('half')).rowCount, 0);
  } finally { await objects.close(); await s.cleanup(); }
});

test.run();
