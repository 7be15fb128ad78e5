import { test } from 'uvu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../messages/errors.js';
import * as assert from 'uvu/assert';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { Standalone } from '../../runtime/standalone/standalone.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * JSON shredding end to end (Milvus 2.6.2's common.enabledJSONShredding): a
 * collection with a JSON field and dynamic keys is written, flushed and
 * loaded with shredding on; queries, counts and filtered searches on JSON
 * paths answer as evaluated here; the same data directory started with
 * shredding off answers every one the same, while its query node holds
 * fewer bytes (no shredded columns). A few rows stay unflushed (growing),
 * shredded as growing chunks on the streaming node, so a read mixes both.
 */
const DIM = 4, N = 4000, GROWING = 300;
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const r = rng(2026);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Typed keys (price, kind, active), a dynamic one (code), nested (owner.age, owner.name), rare (promo), and misfits. */
function row(id: number): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  if (r() < 0.95) meta.price = id % 100;
  if (r() < 0.9) meta.kind = pick(['commit', 'delete', 'create', 'update']);
  if (r() < 0.7) meta.active = pick([true, false, null]);
  if (r() < 0.8) meta.code = pick([1, 2, 'A', 'B', true, [1], null]);
  if (r() < 0.6) meta.owner = { age: id % 70, name: pick(['ann', 'bob', 'cy']) };
  if (r() < 0.03) meta.promo = pick(['spring', 5]);
  if (r() < 0.3) meta.tags = [pick(['x', 'y']), id % 3];
  return {
    id, vec: Array.from({ length: DIM }, () => r() * 2 - 1),
    meta: id % 41 === 0 ? null : id % 53 === 0 ? pick([7, 'x', [1, 2]]) : meta,
    ...(id % 4 === 0 ? {} : { color: pick(['red', 'blue', 5, true]), size: id % 9 }),
  };
}
const rows = Array.from({ length: N + GROWING }, (_, i) => row(i));

const FILTERS = [
  'meta["price"] > 50', 'meta["price"] == 10', 'meta["price"] in [1, 2, 3]', 'meta["price"] != 10', 'not (meta["price"] >= 20)',
  'meta["kind"] == "commit"', 'meta["kind"] in ["create", "update"]', 'meta["kind"] like "c%"', 'meta["kind"] > "d"',
  'meta["active"] == true', 'meta["active"] is null', 'not meta["active"]',
  'meta["code"] == 1', 'meta["code"] == "A"', 'meta["code"] in [2, "B", true]', 'meta["code"] != 1', 'meta["code"] is not null',
  'meta["owner"]["age"] >= 60', 'meta["owner"]["name"] == "bob"', 'meta["owner"] is null',
  'meta["promo"] == "spring"', 'meta["promo"] is not null', 'json_contains(meta["tags"], "x")', 'meta["price"] + meta["owner"]["age"] > 150',
  'color == "red"', 'size > 5', 'size in [1, 2] and color != "blue"', 'meta["price"] < 30 and meta["kind"] == "delete" or color == 5',
];

async function answers(c: NuthatchClient, filter: string) {
  const found = await c.query('items', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
  const [{ 'count(*)': count }] = await c.query('items', { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
  const hits = await c.search('items', { data: [rows[7]!.vec as number[]], limit: 10, filter, consistencyLevel: 'Strong' });
  return { ids: found.map((x) => Number(x.id)).sort((a, b) => a - b), count, hits: hits[0]!.map((h) => h.id) };
}

/** The ids a filter matches, evaluated here over the rows as written. */
function expected(filter: string): number[] {
  const f = prepareFilter(filter, schema)!;
  const dyn = rows.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !['id', 'vec', 'meta'].includes(k))));
  const pass = f.bind({ id: rows.map((x) => x.id), meta: rows.map((x) => x.meta), $meta: dyn });
  return rows.flatMap((x, i) => (pass(i) ? [x.id as number] : []));
}

async function heldBytes(s: Standalone): Promise<number> {
  const st = await busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
  return st.files.reduce((n, f) => n + (f.bytes ?? 0), 0);
}

test('JSON shredding: the same answers on and off, and the shredded columns held on the query node', async () => {
  let s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    for (let i = 0; i < N; i += 1000) await c.insert('items', rows.slice(i, i + 1000));
    await c.flush('items');
    await untilIndexedAndLoaded(s, 'items', N);
    await c.insert('items', rows.slice(N));
    const on = new Map<string, Awaited<ReturnType<typeof answers>>>();
    for (const f of FILTERS) {
      const a = await answers(c, f);
      assert.equal(a.ids, expected(f), `shredded: ${f}`);
      assert.is(a.count, a.ids.length, f);
      on.set(f, a);
    }
    assert.ok(FILTERS.every((f) => on.get(f)!.count > 0 && on.get(f)!.count < N + GROWING), 'every filter selects some rows, not all');
    const bytesOn = await heldBytes(s);

    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir, jsonShredding: { enabledJSONShredding: false } });
    await untilIndexedAndLoaded(s, 'items', N);
    for (const f of FILTERS) assert.equal(await answers(s.client, f), on.get(f), `unshredded: ${f}`);
    const bytesOff = await heldBytes(s);
    assert.ok(bytesOn > bytesOff, `the shredded columns are held: ${bytesOn} > ${bytesOff}`);

    // A threshold of 1 (no path is held by more than every row) shreds nothing into columns: all shared, the same answers.
    await s.stop();
    s = await tempStandalone({ dataDir, jsonShredding: { jsonShreddingRatioThreshold: 1 } });
    await untilIndexedAndLoaded(s, 'items', N);
    for (const f of FILTERS) assert.equal(await answers(s.client, f), on.get(f), `all shared: ${f}`);
  } finally { await s.cleanup(); }
});

test('a bad shredding knob is refused at start', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-shred-'));
  let failed: unknown;
  try { const s = await tempStandalone({ dataDir, jsonShredding: { jsonShreddingRatioThreshold: 3 } }); await s.cleanup(); } catch (e) { failed = e; }
  await rm(dataDir, { recursive: true, force: true });
  assert.instance(failed, ValidationError);
  assert.match((failed as Error).message, /jsonShreddingRatioThreshold must be a number in \[0, 1\]/);
});

test.run();
