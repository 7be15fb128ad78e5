import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import type { Standalone } from '../../runtime/standalone/standalone.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * JSON shredding of growing segments end to end: rows written (in batches,
 * one by one, deleted, upserted) and not flushed are filtered over the
 * chunks' shredded columns on the streaming node (its
 * nuthatch_streaming_growing_json_shredded_bytes gauge says they are held);
 * every query and count answers as evaluated here; a restart before the
 * flush rebuilds the growing rows (and their columns) from the WAL with the
 * same answers; after the flush the query node serves the same rows sealed,
 * with the same answers, and the growing columns are gone with their rows.
 */
const DIM = 4;
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const r = rng(4242);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Typed keys, a mixed one (code), nested (owner.*), a key that turns up late (late), a rare one, and rows that are not objects. */
function row(id: number, version = 0): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (r() < 0.95) meta.price = (id + version) % 100;
  if (r() < 0.9) meta.kind = pick(['commit', 'delete', 'create', 'update']);
  if (r() < 0.7) meta.active = pick([true, false, null]);
  if (r() < 0.8) meta.code = pick([1, 2, 'A', 'B', true, [1], null, { x: 1 }]);
  if (r() < 0.6) meta.owner = { age: id % 70, name: pick(['ann', 'bob', 'cy', null]) };
  if (id >= 1500 && r() < 0.9) meta.late = pick([3, 4, 'x']);
  if (r() < 0.03) meta.promo = pick(['spring', 5]);
  return {
    id, vec: Array.from({ length: DIM }, () => r() * 2 - 1),
    meta: id % 41 === 0 ? null : id % 53 === 0 ? pick([7, 'x', [1, 2]]) : meta,
    ...(id % 4 === 0 ? {} : { color: pick(['red', 'blue', 5, true, null]), size: id % 9 }),
  };
}

const FILTERS = [
  'meta["price"] > 50', 'meta["price"] == 10', 'meta["price"] in [1, 2, 3]', 'meta["price"] != 10', 'not (meta["price"] >= 20)',
  'meta["kind"] == "commit"', 'meta["kind"] like "c%"', 'meta["kind"] > "d"', 'meta["active"] == true', 'meta["active"] is null', 'not meta["active"]',
  'meta["code"] == 1', 'meta["code"] == "A"', 'meta["code"] in [2, "B", true]', 'meta["code"] != 1', 'meta["code"] is not null',
  'meta["owner"]["age"] >= 60', 'meta["owner"]["name"] == "bob"', 'meta["owner"]["name"] is null', 'meta["owner"] is null',
  'meta["late"] == 3', 'meta["late"] != "x"', 'meta["late"] is null', 'meta["promo"] == "spring"', 'meta["promo"] is not null',
  'meta["price"] + meta["owner"]["age"] > 150', 'color == "red"', 'color is null', 'size > 5', 'size in [1, 2] and color != "blue"',
  'meta["price"] < 30 and meta["kind"] == "delete" or color == 5',
];

/** The rows live now, by id, as the test wrote them. */
const live = new Map<number, Record<string, unknown>>();

function expected(filter: string): number[] {
  const f = prepareFilter(filter, schema)!, rows = [...live.values()];
  const dyn = rows.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !['id', 'vec', 'meta'].includes(k))));
  const pass = f.bind({ id: rows.map((x) => x.id), meta: rows.map((x) => x.meta), $meta: dyn });
  return rows.flatMap((x, i) => (pass(i) ? [x.id as number] : [])).sort((a, b) => a - b);
}

async function answers(c: NuthatchClient, filter: string): Promise<{ ids: number[]; count: number }> {
  const found = await c.query('items', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
  const [{ 'count(*)': count }] = await c.query('items', { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
  return { ids: found.map((x) => Number(x.id)).sort((a, b) => a - b), count };
}

async function checkAll(c: NuthatchClient, when: string): Promise<Map<string, { ids: number[]; count: number }>> {
  const out = new Map<string, { ids: number[]; count: number }>();
  for (const f of FILTERS) {
    const a = await answers(c, f);
    assert.equal(a.ids, expected(f), `${when}: ${f}`);
    assert.is(a.count, a.ids.length, `${when}: count of ${f}`);
    out.set(f, a);
  }
  return out;
}

const shreddedGrowingBytes = (s: Standalone): number =>
  Number(s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_streaming_growing_json_shredded_bytes{'))?.split(' ').at(-1) ?? NaN);

test('growing rows are filtered over shredded columns, answer as per-row evaluation, and answer the same after a restart and after the flush', async () => {
  const segment = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
  let s = await tempStandalone({ streaming: { segment } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const put = (rows: Record<string, unknown>[]) => { for (const x of rows) live.set(x.id as number, x); };
    // Batches (chunks of 300), a few rows one at a time (chunks too small to shred), then the `late` key's rows.
    for (let i = 0; i < 1500; i += 300) { const rows = Array.from({ length: 300 }, (_, k) => row(i + k)); await c.insert('items', rows); put(rows); }
    for (let i = 1500; i < 1505; i++) { const x = row(i); await c.insert('items', [x]); put([x]); }
    for (let i = 1505; i < 2505; i += 250) { const rows = Array.from({ length: 250 }, (_, k) => row(i + k)); await c.insert('items', rows); put(rows); }
    const gone = Array.from({ length: 120 }, (_, k) => (k * 37) % 2505);
    await c.delete('items', { ids: gone });
    for (const id of gone) live.delete(id);
    const again = Array.from({ length: 80 }, (_, k) => row((k * 53) % 2505, 1));
    await c.upsert('items', again);
    put(again);

    assert.ok(shreddedGrowingBytes(s) > 0, 'the streaming node holds shredded columns of growing chunks');
    const growing = await checkAll(c, 'growing');
    assert.ok(FILTERS.every((f) => growing.get(f)!.count > 0 && growing.get(f)!.count < live.size), 'every filter selects some rows, not all');

    // A restart before the flush: the growing rows come back from the WAL, shredded again.
    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir, streaming: { segment } });
    assert.ok(shreddedGrowingBytes(s) > 0, 'shredded again after the restart');
    for (const f of FILTERS) assert.equal(await answers(s.client, f), growing.get(f), `after the restart: ${f}`);

    await s.client.flush('items');
    await untilIndexedAndLoaded(s, 'items', 2505 + 80);
    for (const f of FILTERS) assert.equal(await answers(s.client, f), growing.get(f), `sealed: ${f}`);
    for (let i = 0; i < 100 && shreddedGrowingBytes(s) > 0; i++) await new Promise((done) => setTimeout(done, 100));
    assert.is(shreddedGrowingBytes(s), 0, 'the growing columns left with their rows');
  } finally { await s.cleanup(); }
});

test.run();
