import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { Distribution, SegmentRecord } from '../../messages/rpc/records.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Merge compaction: five small sealed segments of a partition (a flush after
 * each small batch) become one, without their deleted rows; its index is
 * built, it takes their place in the distribution in one version, and their
 * files go. Reads agree before, after, and after a restart; a restart after a
 * merge left half done (a part still recorded) finishes it without serving a
 * row twice.
 */
const DIM = 4, BATCH = 100, BATCHES = 5;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'tag', dataType: 'Int64' as const }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const merging = { coordinator: { compaction: { intervalMs: 150, graceMs: 0, mergeSegments: 4 } } };
const quiet = { coordinator: { compaction: { intervalMs: 0 } } };

type S = Awaited<ReturnType<typeof tempStandalone>>;
const count = async (s: S) => Number((await s.client.query('m', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);

test('five small segments merge into one; reads agree before, after and across a restart, also after a half-done merge', async () => {
  let s = await tempStandalone(quiet);
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  const vecs = vectors(BATCH * BATCHES, DIM, 21);
  try {
    await s.client.createCollection({ collectionName: 'm', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    for (let b = 0; b < BATCHES; b++) {
      await s.client.insert('m', Array.from({ length: BATCH }, (_, i) => ({ id: b * BATCH + i, tag: b, vec: vecs[b * BATCH + i]! })));
      await s.client.flush('m');
    }
    const collectionId = (await s.client.describeCollection('m')).collectionId;
    const coord = () => client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const segments = () => coord()('segments', { collectionId });
    await until(async () => (await segments()).length === BATCHES && (await segments()).every((x) => Object.keys(x.indexKeys).length > 0), 'five indexed segments', 30_000);
    const parts = await segments();
    await s.client.delete('m', { ids: [0, 150, 499] });
    const expected = BATCH * BATCHES - 3;
    assert.is(await count(s), expected);
    await s.stop();

    s = await tempStandalone({ ...merging, dataDir });
    await until(async () => (await segments()).length === 1, 'the five segments merged into one', 30_000);
    const [merged] = await segments();
    assert.equal([...merged!.mergedFrom!].sort(), parts.map((p) => p.segmentId).sort());
    assert.is(merged!.rows, expected, 'the deleted rows are left out');
    assert.ok(Object.keys(merged!.indexKeys).length === 1, 'indexed');
    await until(async () => {
      const d = await coord()('distribution', { vchannel: merged!.vchannel });
      return d.segments.length === 1 && d.segments[0]!.segmentId === merged!.segmentId && d.segments[0]!.indexName === 'vec_idx';
    }, 'the merged segment served in its parts\' place', 30_000);
    const served = await coord()('distribution', { vchannel: merged!.vchannel });
    assert.equal(served.retired, parts.map((p) => p.segmentId).sort((a, b) => a - b), 'the parts are retired in the same version');
    await until(async () => (await objects.list(`segments/${collectionId}/`)).every((o) => o.key.startsWith(`segments/${collectionId}/${merged!.segmentId}/`)), "the parts' files removed", 30_000);
    const check = async (label: string) => {
      assert.is(await count(s), expected, label);
      assert.equal((await s.client.get('m', [0, 1, 150, 151, 499, 498])).map((r) => r.id), [1, 151, 498], label);
      for (const id of [1, 151, 298, 420]) {
        const hits = await s.client.search('m', { data: [vecs[id]!], limit: 1, consistencyLevel: 'Strong', outputFields: ['tag'] });
        assert.equal([Number(hits[0]![0]!.id), Number(hits[0]![0]!.fields.tag)], [id, Math.floor(id / BATCH)], `${label}: nearest of ${id}`);
      }
    };
    await check('after the merge');
    await s.stop();

    // As if the coordinator died between writing the merged record and forgetting its parts.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    await putRecord(meta, Keys.segment(collectionId, parts[2]!.segmentId), parts[2]!);
    const dist = (await getRecord<Distribution>(meta, Keys.distribution(merged!.vchannel)))!;
    await meta.close();
    assert.is(dist.segments.length, 1);
    s = await tempStandalone({ ...quiet, dataDir });
    assert.equal((await segments()).map((x) => x.segmentId), [merged!.segmentId], 'the part is forgotten again');
    await until(async () => (await s.client.getLoadState('m')).loadProgress === 100, 'loaded', 30_000);
    await check('after a restart over a half-done merge');
  } finally { await objects.close(); await s.cleanup(); }
});

test('a manual compaction merges fewer segments than the rounds would and removes even a few deleted rows', async () => {
  // No rounds: only the manual compaction runs (deletes of any age applied: no grace).
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  try {
    const vecs = vectors(300, DIM, 5);
    await s.client.createCollection({ collectionName: 'm', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    for (let b = 0; b < 3; b++) {
      await s.client.insert('m', Array.from({ length: BATCH }, (_, i) => ({ id: b * BATCH + i, tag: b, vec: vecs[b * BATCH + i]! })));
      await s.client.flush('m');
    }
    const collectionId = (await s.client.describeCollection('m')).collectionId;
    const segments = () => client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    await until(async () => (await segments()).length === 3 && (await segments()).every((x) => Object.keys(x.indexKeys).length > 0), 'three indexed segments', 30_000);
    await s.client.delete('m', { ids: [7] });
    const { compactionID } = await s.client.compact('m');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'the compaction completed', 60_000);
    const after = await segments();
    assert.equal(after.map((x) => [x.rows, x.mergedFrom?.length]), [[299, 3]], 'three segments (under the rounds\' four) merged, the deleted row left out');
    assert.is(await count(s), 299);
    assert.equal((await s.client.get('m', [6, 7, 8])).map((r) => r.id), [6, 8]);
    const e = await s.client.compact('ghost').then(() => null, (x: unknown) => x as { code?: string });
    assert.is(e?.code, 'CollectionNotFound');
  } finally { await s.cleanup(); }
});

test.run();
