import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import type { OrphanMarks } from '../../actors/coordinator/core/orphanFiles.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Garbage collection of orphaned segment files: files under segments/ that no
 * segment record names (a rewrite never switched to, an index of replaced data,
 * a collection that is gone) are removed once they have stayed unreferenced for
 * the tolerance; what records name, segments not yet reported, and keys outside
 * segments/ are kept, and reads are unchanged.
 */
const DIM = 4;
const TOLERANCE_MS = 2500;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];

test('orphaned segment files go after the tolerance; named ones, unreported segments and other keys stay', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0 }, orphans: { intervalMs: 100, toleranceMs: TOLERANCE_MS } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    const vecs = vectors(300, DIM, 3);
    await s.client.createCollection({ collectionName: 'g', schema, metricType: 'L2', indexParams, load: true });
    await s.client.insert('g', vecs.map((vec, id) => ({ id, vec })));
    await s.client.flush('g');
    const id = (await s.client.describeCollection('g')).collectionId;
    const files = async (prefix = 'segments/') => (await objects.list(prefix)).map((o) => o.key);
    await until(async () => (await files(`segments/${id}/`)).some((k) => k.endsWith('.hnsw')), 'the sealed segment indexed', 30_000);
    const named = await files(`segments/${id}/`);
    assert.is(named.length, 2, named.join(', '));
    const seg = named[0]!.split('/')[2]!;

    const bytes = new Uint8Array([1, 2, 3]);
    const orphans = [
      `segments/${id}/${seg}/data-77.seg`, // a rewrite whose switch never happened
      `segments/${id}/${seg}/index-vec_idx-77.hnsw`, // an index built from it
      'segments/987654/1/data.seg', // a collection that is gone
    ];
    const keep = [
      `segments/${id}/424242/data.seg`, // a live collection's segment not reported yet
      'elsewhere/segments/x', // not a segment file
    ];
    const planted = Date.now();
    for (const k of [...orphans, ...keep]) await objects.put(k, bytes);

    await until(async () => { const now = await files(); return orphans.every((k) => !now.includes(k)); }, 'the orphans removed', 30_000);
    const waited = Date.now() - planted;
    assert.ok(waited >= TOLERANCE_MS, `removed after ${waited} ms, before the ${TOLERANCE_MS} ms tolerance`);
    const left = await files('');
    for (const k of [...named, ...keep]) assert.ok(left.includes(k), `${k} is kept`);

    const hits = await s.client.search('g', { data: [vecs[5]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(Number(hits[0]![0]!.id), 5, 'the segment still answers from its named files');
    assert.is(Number((await s.client.query('g', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), 300);
  } finally { await s.cleanup(); }
});

test('the time an orphan was first seen is kept in the metadata store, so the tolerance runs across restarts', async () => {
  const orphans = { intervalMs: 100, toleranceMs: 10 * 60_000 };
  let s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0 }, orphans } });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  const orphan = 'segments/555/5/data.seg';
  try {
    await objects.put(orphan, new Uint8Array([1]));
    const before = Date.now();
    // Let a few sweeps see it, then stop and read what they recorded.
    await new Promise((r) => setTimeout(r, 1000));
    await s.stop();
    let meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    const marks = (await getRecord<{ marks: OrphanMarks }>(meta, Keys.orphanMarks))?.marks ?? {};
    assert.equal(Object.keys(marks), [orphan]);
    assert.ok(marks[orphan]! >= before - 1000 && marks[orphan]! <= Date.now(), 'marked when first seen');
    assert.ok((await objects.list('segments/')).some((o) => o.key === orphan), 'kept within the tolerance');
    // As if it had been seen eleven minutes ago: the next coordinator removes it at its first sweep.
    await putRecord(meta, Keys.orphanMarks, { marks: { [orphan]: Date.now() - 11 * 60_000 } });
    await meta.close();
    s = await tempStandalone({ dataDir, coordinator: { compaction: { intervalMs: 0 }, orphans } });
    await until(async () => !(await objects.list('segments/')).some((o) => o.key === orphan), 'the orphan removed after the restart', 20_000);
    await s.stop();
    meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    assert.equal(Object.keys((await getRecord<{ marks: OrphanMarks }>(meta, Keys.orphanMarks))?.marks ?? { missing: 1 }), [], 'its mark is gone with it');
    await meta.close();
  } finally { await s.cleanup(); }
});

test.run();
