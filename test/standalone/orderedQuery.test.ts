/**
 * Ordered queries (orderByFields) and RANDOM_SAMPLE through the whole read
 * path of a standalone: sealed segments of several flushes on the query node,
 * growing rows in the delegators of two shards, deletes in both. Every answer
 * is checked against the rows this test wrote, ordered or counted here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchError } from '../../messages/errors.js';
import type { RowObject } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { rng, tempStandalone, vectors } from './harness.js';
import { V2Client } from '../http/support/v2Client.js';

const DIM = 4;
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'n', dataType: 'Int32' as const },
    { name: 'price', dataType: 'Double' as const, nullable: true },
    { name: 'cat', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
    { name: 'flag', dataType: 'Bool' as const },
    { name: 'tsz', dataType: 'Timestamptz' as const, nullable: true },
    { name: 'meta', dataType: 'JSON' as const, nullable: true },
  ],
};
type Key = 'n' | 'price' | 'cat' | 'flag' | 'tsz';
interface Row { id: number; n: number; price: number | null; cat: string | null; flag: boolean; tsz: number | null }

/** Rows with few distinct values per field (ties everywhere) and nulls in the nullable ones. */
function makeRows(from: number, count: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: ((from + i) * 7919) % 100_003,
    n: Math.floor(r() * 6),
    price: r() < 0.15 ? null : Math.floor(r() * 20) / 4,
    cat: r() < 0.15 ? null : ['ant', 'bee', 'Cat', 'dog', 'ému'][Math.floor(r() * 5)]!,
    flag: r() < 0.5,
    tsz: r() < 0.15 ? null : Date.UTC(2025, 0, 1 + Math.floor(r() * 9)),
  }));
}
const toInsert = (rows: Row[], seed: number) => vectors(rows.length, DIM, seed).map((vec, i) => {
  const { tsz, ...x } = rows[i]!;
  return { ...x, vec, tsz: tsz === null ? null : new Date(tsz).toISOString(), meta: { k: x.n } };
});

/** The order written out plainly: nulls last both ways, each key in its direction, then id ascending. */
function reference(keys: Array<{ field: Key; desc: boolean }>): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { field, desc } of keys) {
      const x = a[field], y = b[field];
      if (x === null && y === null) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return a.id - b.id;
  };
}
const ids = (rows: RowObject[]) => rows.map((r) => r.id as number);
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };
/** |x - n f| within 5 standard deviations of Binomial(n, f). */
const nearBinomial = (x: number, n: number, f: number) => Math.abs(x - n * f) <= 5 * Math.sqrt(n * f * (1 - f));

test('ordered queries and RANDOM_SAMPLE over sealed segments, growing rows and deletes, by client and REST', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'o', schema, metricType: 'L2', shardsNum: 2, load: true });
    // Three flushes make several sealed segments per shard; the last batch stays growing.
    const batches = [makeRows(0, 700, 1), makeRows(700, 700, 2), makeRows(1400, 600, 3), makeRows(2000, 500, 4)];
    for (const [i, b] of batches.entries()) {
      await c.insert('o', toInsert(b, 10 + i));
      if (i < 3) await c.flush('o');
    }
    await until(async () => (await c.getLoadState('o')).loadProgress === 100, 'sealed segments served', 60_000);
    const all = batches.flat();
    const r = rng(77);
    const deleted = new Set(all.filter(() => r() < 0.1).map((x) => x.id));
    await c.delete('o', { ids: [...deleted] });
    const live = all.filter((x) => !deleted.has(x.id));
    const read = { consistencyLevel: 'Strong' as const };

    // ---- orderByFields -------------------------------------------------
    const fields: Key[] = ['n', 'price', 'cat', 'flag', 'tsz'];
    for (let round = 0; round < 12; round++) {
      const keys = fields.filter(() => r() < 0.4).map((field) => ({ field, desc: r() < 0.5 }));
      if (keys.length === 0) keys.push({ field: fields[round % fields.length]!, desc: round % 2 === 0 });
      const filter = round % 3 === 0 ? 'n != 2' : round % 3 === 1 ? 'price > 1 or price is null' : 'id >= 0';
      const match = (x: Row) => (round % 3 === 0 ? x.n !== 2 : round % 3 === 1 ? x.price === null || x.price > 1 : true);
      const want = live.filter(match).sort(reference(keys)).map((x) => x.id);
      const limit = [1, 7, 50, 300][round % 4]!, offset = [0, 3, 100, 1000][(round >> 2) % 4]!;
      const orderByFields = keys.map((k) => ({ field: k.field, order: k.desc ? 'desc' as const : 'asc' as const }));
      const got = await c.query('o', { ...read, filter, limit, offset, orderByFields, outputFields: ['n'] });
      assert.equal(ids(got), want.slice(offset, offset + limit), `round ${round}: ${JSON.stringify(keys)} ${filter} offset ${offset} limit ${limit}`);
      assert.ok(got.every((row) => Object.keys(row).sort().join() === 'id,n'), 'the ordered fields not asked for are not shown');
    }
    // Pages of offset and limit walk the whole filtered set once, in order, no row twice, no deleted row.
    const keys = [{ field: 'cat' as const, desc: true }, { field: 'price' as const, desc: false }];
    const want = live.filter((x) => x.n !== 5).sort(reference(keys)).map((x) => x.id);
    const paged: number[] = [];
    for (let offset = 0; offset < want.length + 200; offset += 200) {
      paged.push(...ids(await c.query('o', { ...read, filter: 'n != 5', limit: 200, offset, orderByFields: [{ field: 'cat', order: 'desc' }, { field: 'price' }] })));
    }
    assert.equal(paged, want, 'paging is stable');
    assert.ok(!paged.some((id) => deleted.has(id)), 'deleted rows never appear');
    // A name alone orders ascending; no limit orders every match; the output shows the asked fields as a query does.
    const byN = await c.query('o', { ...read, filter: 'n == 1 and flag', orderByFields: 'price', outputFields: ['price', 'tsz'] });
    assert.equal(ids(byN), live.filter((x) => x.n === 1 && x.flag).sort(reference([{ field: 'price', desc: false }])).map((x) => x.id));
    const sample = byN.find((x) => x.tsz !== null)!;
    assert.type(sample.tsz, 'string', 'Timestamptz still shown as text');

    // Search: the page of hits reordered by the field, equal keys keeping their ranking.
    const q = vectors(1, DIM, 99)[0]!;
    const plain = (await c.search('o', { ...read, data: [q], limit: 20, outputFields: ['n'] }))[0]!;
    const ordered = (await c.search('o', { ...read, data: [q], limit: 20, orderByFields: [{ field: 'n', order: 'desc' }] }))[0]!;
    const stable = plain.map((h, rank) => ({ h, rank })).sort((a, b) => (b.h.fields.n as number) - (a.h.fields.n as number) || a.rank - b.rank).map((x) => x.h.id);
    assert.equal(ordered.map((h) => h.id), stable);
    assert.ok(ordered.every((h) => !('n' in h.fields)), 'n read for the order only');
    const byId = (await c.search('o', { ...read, data: [q], limit: 20, orderByFields: [{ field: 'id', order: 'desc' }] }))[0]!;
    assert.equal(byId.map((h) => h.id), plain.map((h) => h.id as number).sort((a, b) => b - a));
    assert.equal(byId.map((h) => h.fields), plain.map((h) => ({ id: h.id })).sort((a, b) => (b.id as number) - (a.id as number)), 'the key stays shown');
    // The key orders a query too, shown as ever.
    const byKey = await c.query('o', { ...read, filter: 'n == 0', limit: 10, orderByFields: [{ field: 'id', order: 'desc' }] });
    assert.equal(byKey, live.filter((x) => x.n === 0).map((x) => x.id).sort((a, b) => b - a).slice(0, 10).map((id) => ({ id })));

    // Refusals, typed.
    assert.is(await code(() => c.query('o', { ...read, filter: 'id > 0', limit: 5, orderByFields: 'meta' })), 'InvalidArgument');
    assert.is(await code(() => c.query('o', { ...read, filter: 'id > 0', limit: 5, orderByFields: 'vec' })), 'InvalidArgument');
    assert.is(await code(() => c.query('o', { ...read, filter: 'id > 0', outputFields: ['count(*)'], orderByFields: 'n' })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('o', { ...read, batchSize: 10, orderByFields: 'meta' })), 'InvalidArgument');

    // ---- RANDOM_SAMPLE ---------------------------------------------------
    const count = async (filter: string) => (await c.query('o', { ...read, filter, outputFields: ['count(*)'] }))[0]!['count(*)'] as number;
    assert.is(await count('id >= 0'), live.length);
    for (const f of [0.1, 0.5]) {
      const got = await count(`RANDOM_SAMPLE(${f})`);
      assert.ok(nearBinomial(got, live.length, f), `count(*) with RANDOM_SAMPLE(${f}): ${got} of ${live.length}`);
    }
    const small = live.filter((x) => x.n < 3);
    const gotSmall = await count('n < 3 and random_sample(0.3)');
    assert.ok(nearBinomial(gotSmall, small.length, 0.3), `filtered sample: ${gotSmall} of ${small.length}`);
    const rowsA = await c.query('o', { ...read, filter: 'n < 3 and RANDOM_SAMPLE(0.5)', outputFields: ['n'] });
    const rowsB = await c.query('o', { ...read, filter: 'n < 3 and RANDOM_SAMPLE(0.5)', outputFields: ['n'] });
    assert.ok(rowsA.every((x) => (x.n as number) < 3 && !deleted.has(x.id as number)), 'sampled rows match the filter and are live');
    assert.ok(nearBinomial(rowsA.length, small.length, 0.5), `sampled rows: ${rowsA.length} of ${small.length}`);
    assert.not.equal(ids(rowsA).sort(), ids(rowsB).sort(), 'each request draws its own sample');
    const hits = (await c.search('o', { ...read, data: [q], limit: 30, filter: 'flag and RANDOM_SAMPLE(0.2)', outputFields: ['flag'] }))[0]!;
    assert.ok(hits.length > 0 && hits.every((h) => h.fields.flag === true && !deleted.has(h.id as number)), 'a sampled search filter');
    assert.is(await code(() => count('n < 3 or RANDOM_SAMPLE(0.5)')), 'InvalidArgument');
    assert.is(await code(() => count('RANDOM_SAMPLE(1)')), 'InvalidArgument');

    // ---- REST ----------------------------------------------------------
    const http = new V2Client(s.http!.url);
    const restRows = await http.ok('/entities/query', {
      collectionName: 'o', consistencyLevel: 'Strong', filter: 'n != 2', limit: 25, offset: 10,
      orderByFields: [{ fieldName: 'price', order: 'desc' }, { fieldName: 'tsz' }], outputFields: ['price'],
    });
    const restWant = live.filter((x) => x.n !== 2).sort(reference([{ field: 'price', desc: true }, { field: 'tsz', desc: false }])).map((x) => x.id).slice(10, 35);
    assert.equal(restRows.map((x: { id: number }) => x.id), restWant);
    const restCount = (await http.ok('/entities/query', { collectionName: 'o', consistencyLevel: 'Strong', filter: 'RANDOM_SAMPLE(0.25)', outputFields: ['count(*)'] }))[0]['count(*)'];
    assert.ok(nearBinomial(restCount, live.length, 0.25), `REST count(*) with RANDOM_SAMPLE: ${restCount}`);
    const restHits = await http.ok('/entities/search', { collectionName: 'o', consistencyLevel: 'Strong', data: [q], limit: 20, orderByFields: [{ fieldName: 'n', order: 'desc' }] });
    assert.equal(restHits.map((h: { id: number }) => h.id), stable);
    await http.fails('/entities/query', { collectionName: 'o', filter: 'id > 0', cursor: '', orderByFields: [{ fieldName: 'meta' }] }, /cannot order by JSON field/);
    await http.fails('/entities/query', { collectionName: 'o', filter: 'id > 0', orderByFields: [{ fieldName: 'n', order: 'sideways' }] }, /asc/);
    await http.fails('/entities/query', { collectionName: 'o', filter: 'id > 0', orderByFields: [{ fieldName: 'meta' }] }, /cannot order by JSON field/);
    await http.fails('/entities/query', { collectionName: 'o', filter: 'not RANDOM_SAMPLE(0.2)' }, /RANDOM_SAMPLE may stand only/);
  } finally {
    await s.cleanup();
  }
});

test.run();
