import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { DATA_NODE_SUBJECT, queryNodeSubject, type DataNodeProtocol, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { Standalone } from '../../runtime/standalone/standalone.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { shreddedSidecarKey } from '../../actors/shared/segment/segmentKeys.js';
import { decodeSidecar } from '../../actors/shared/segment/shreddedSidecar.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * The shredded JSON sidecar end to end: a flush writes it beside the segment
 * file; a query node loads it instead of shredding (the
 * nuthatch_query_node_json_shredded_columns_total counter says which); a
 * sidecar made under other shredding knobs, or damaged, is ignored and the
 * columns are shredded at load; answers (rare keys kept as shared paths
 * included, with `is null`, `!=`, `not`) are the interpreter's every time; and
 * removing the data file removes its sidecar.
 */
const DIM = 4, N = 3000;
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const r = rng(77);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const rows = Array.from({ length: N }, (_, id) => {
  const meta: Record<string, unknown> = { price: id % 100, kind: pick(['a', 'b', 'c']) };
  if (r() < 0.1) meta.promo = pick(['spring', 5, null, true]);               // rare: shared under the default threshold
  if (r() < 0.08) meta.owner = { age: id % 70, tag: pick(['x', 'y']) };      // rare and nested
  return { id, vec: Array.from({ length: DIM }, () => r() * 2 - 1), meta: id % 37 === 0 ? null : meta, ...(id % 5 === 0 ? { note: pick(['n', 1]) } : {}) };
});
const FILTERS = [
  'meta["price"] > 50', 'meta["kind"] == "b"', 'meta["promo"] == "spring"', 'meta["promo"] is null', 'meta["promo"] is not null',
  'meta["promo"] != 5', 'not (meta["promo"] == 5)', 'meta["owner"]["age"] >= 30', 'meta["owner"]["tag"] != "x" or meta["price"] < 3',
  'meta["owner"]["age"] < 10 and meta["kind"] == "a"', 'note == "n"', 'note is null',
];

function expected(filter: string): number[] {
  const f = prepareFilter(filter, schema)!;
  const dyn = rows.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !['id', 'vec', 'meta'].includes(k))));
  const pass = f.bind({ id: rows.map((x) => x.id), meta: rows.map((x) => x.meta), $meta: dyn });
  return rows.flatMap((x, i) => (pass(i) ? [x.id] : []));
}

async function checkAnswers(c: NuthatchClient, when: string): Promise<void> {
  for (const filter of FILTERS) {
    const found = await c.query('items', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
    const [{ 'count(*)': count }] = await c.query('items', { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
    const want = expected(filter);
    assert.equal(found.map((x) => Number(x.id)).sort((a, b) => a - b), want, `${when}: ${filter}`);
    assert.is(count, want.length, `${when}: count of ${filter}`);
  }
}

/** The query node's counter of JSON columns given a shredded form, by source. */
function shredded(s: Standalone): { load: number; sidecar: number } {
  const of = (source: string) => Number(s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_query_node_json_shredded_columns_total{') && l.includes(`source="${source}"`))?.split(' ').at(-1) ?? 0);
  return { load: of('load'), sidecar: of('sidecar') };
}

/** After a restart the load state may read 100 from the recovered distribution before the query node has the segment: wait for it. */
async function untilShredded(s: Standalone, columns: number): Promise<{ load: number; sidecar: number }> {
  for (let i = 0; i < 300; i++) {
    const n = shredded(s);
    if (n.load + n.sidecar >= columns) return n;
    await new Promise((done) => setTimeout(done, 100));
  }
  return shredded(s);
}

async function dataKeys(s: Standalone): Promise<string[]> {
  return (await busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {})).files.map((f) => f.dataKey);
}

test('a flushed segment gets a sidecar; query nodes load it, ignore it when stale or damaged, and it goes with its data file', async () => {
  const segment = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
  let s = await tempStandalone({ streaming: { segment } });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await s.client.insert('items', rows);
    await s.client.flush('items');
    await untilIndexedAndLoaded(s, 'items', N);
    const keys = await dataKeys(s);
    assert.is(keys.length, 1);
    const sidecar = await objects.get(shreddedSidecarKey(keys[0]!));
    assert.ok(sidecar, 'the data node wrote a sidecar beside the segment file');
    const cols = decodeSidecar(sidecar!).columns;
    assert.equal([...cols.keys()].sort(), ['$meta', 'meta']);
    assert.is(cols.get('meta')!.paths.get('["promo"]')?.kind, 'shared');
    // Both JSON columns came from the sidecar: nothing was shredded at load.
    assert.equal(await untilShredded(s, 2), { load: 0, sidecar: 2 });
    await checkAnswers(s.client, 'from the sidecar');

    // Other knobs: the sidecar does not fit them, so the query node shreds at load, and answers the same.
    await s.stop();
    s = await tempStandalone({ dataDir, streaming: { segment }, jsonShredding: { jsonShreddingRatioThreshold: 0.05 } });
    await untilIndexedAndLoaded(s, 'items', N);
    assert.equal(await untilShredded(s, 2), { load: 2, sidecar: 0 });
    await checkAnswers(s.client, 'stale sidecar, shredded at load');

    // A damaged sidecar is refused (its checksum), not trusted.
    await s.stop();
    const bad = sidecar!.slice();
    bad[bad.length - 5]! ^= 0xff;
    await objects.put(shreddedSidecarKey(keys[0]!), bad);
    s = await tempStandalone({ dataDir, streaming: { segment } });
    await untilIndexedAndLoaded(s, 'items', N);
    assert.equal(await untilShredded(s, 2), { load: 2, sidecar: 0 });
    await checkAnswers(s.client, 'damaged sidecar, shredded at load');

    // Removing a data file (as compaction's clean-up and the orphan sweep do) removes its sidecar.
    await objects.put(shreddedSidecarKey(keys[0]!), sidecar!);
    await s.client.releaseCollection('items');
    await busClient<DataNodeProtocol>(s.bus, DATA_NODE_SUBJECT)('removeFiles', { keys: [keys[0]!] });
    assert.is(await objects.get(keys[0]!), undefined);
    assert.is(await objects.get(shreddedSidecarKey(keys[0]!)), undefined, 'the sidecar went with its data file');
  } finally { await objects.close?.(); await s.cleanup(); }
});

test('a compaction writes a sidecar for its new file, and the query node loads the rewritten segment from it', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await c.insert('items', rows.slice(0, 1000));
    await c.flush('items');
    await untilIndexedAndLoaded(s, 'items', 1000);
    const [before] = await dataKeys(s);
    const gone = rows.slice(0, 400).map((x) => x.id);
    await c.delete('items', { ids: gone });
    const { compactionID } = await c.compact('items');
    for (let i = 0; i < 600 && (await c.getCompactionState(compactionID)).state !== 'Completed'; i++) await new Promise((done) => setTimeout(done, 100));
    let after = before;
    for (let i = 0; i < 600 && after === before; i++) { await new Promise((done) => setTimeout(done, 100)); [after] = await dataKeys(s); }
    assert.match(after!, /\/data-\d+\.seg$/, `the query node holds the compacted file (${after})`);
    assert.ok(await objects.get(shreddedSidecarKey(after!)), 'the compaction wrote a sidecar beside its file');
    assert.equal(shredded(s), { load: 0, sidecar: 4 }, 'both loads took their sidecar');
    const f = 'meta["promo"] is not null or meta["owner"]["age"] > 60';
    const kept = new Set(rows.slice(400, 1000).map((x) => x.id));
    const found = await c.query('items', { filter: f, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
    assert.equal(found.map((x) => Number(x.id)).sort((a, b) => a - b), expected(f).filter((id) => kept.has(id)));
  } finally { await objects.close?.(); await s.cleanup(); }
});

test('with shredding off the data node writes no sidecar', async () => {
  const s = await tempStandalone({ jsonShredding: { enabledJSONShredding: false } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await s.client.insert('items', rows.slice(0, 500));
    await s.client.flush('items');
    await untilIndexedAndLoaded(s, 'items', 500);
    const [key] = await dataKeys(s);
    assert.ok(await objects.get(key!));
    assert.is(await objects.get(shreddedSidecarKey(key!)), undefined);
    assert.equal(shredded(s), { load: 0, sidecar: 0 });
  } finally { await objects.close?.(); await s.cleanup(); }
});

test.run();
