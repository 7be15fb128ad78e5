/**
 * The query iterator with orderByFields through the whole read path of a
 * standalone: sealed segments on the query node and growing rows in the
 * delegators of two shards, values with many ties and nulls. Its pages, laid
 * end to end, must be the rows of one ordered query taken when it started
 * (and the order written out here), each once, even when rows are deleted,
 * inserted and flushed between pages; a position resumes it, by client and REST.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchError } from '../../messages/errors.js';
import type { RowObject } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { V2Client } from '../http/support/v2Client.js';
import { rng, tempStandalone, vectors } from './harness.js';

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
  ],
};
type Key = 'n' | 'price' | 'cat' | 'flag' | 'tsz';
interface Row { id: number; n: number; price: number | null; cat: string | null; flag: boolean; tsz: number | null }

/** Few distinct values per field (ties everywhere), nulls in the nullable ones. */
function makeRows(from: number, count: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: ((from + i) * 7919) % 100_003,
    n: Math.floor(r() * 4),
    price: r() < 0.2 ? null : Math.floor(r() * 8) / 2,
    cat: r() < 0.2 ? null : ['ant', 'bee', 'Cat', 'ému'][Math.floor(r() * 4)]!,
    flag: r() < 0.5,
    tsz: r() < 0.2 ? null : Date.UTC(2025, 0, 1 + Math.floor(r() * 5)),
  }));
}
const toInsert = (rows: Row[], seed: number) => vectors(rows.length, DIM, seed).map((vec, i) => {
  const { tsz, ...x } = rows[i]!;
  return { ...x, vec, tsz: tsz === null ? null : new Date(tsz).toISOString() };
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
const asOrder = (keys: Array<{ field: Key; desc: boolean }>) => keys.map((k) => ({ field: k.field, order: k.desc ? 'desc' as const : 'asc' as const }));

test('an ordered query iterator pages through one ordered query\'s rows, sealed and growing, ties and nulls, writes between pages unseen', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'w', schema, metricType: 'L2', shardsNum: 2, load: true });
    const batches = [makeRows(0, 600, 1), makeRows(600, 600, 2), makeRows(1200, 500, 3)];
    for (const [i, b] of batches.entries()) {
      await c.insert('w', toInsert(b, 10 + i));
      if (i < 2) await c.flush('w');
    }
    await until(async () => (await c.getLoadState('w')).loadProgress === 100, 'sealed segments served', 60_000);
    const all = batches.flat();
    const r = rng(7);
    const deleted = new Set(all.filter(() => r() < 0.1).map((x) => x.id));
    await c.delete('w', { ids: [...deleted] });
    let live = all.filter((x) => !deleted.has(x.id));
    const read = { consistencyLevel: 'Strong' as const };
    let nextId = 200_000;

    const cases: Array<{ keys: Array<{ field: Key; desc: boolean }>; filter?: string; match?: (x: Row) => boolean; batchSize: number }> = [
      { keys: [{ field: 'n', desc: false }], batchSize: 97 },
      { keys: [{ field: 'price', desc: true }, { field: 'cat', desc: false }], filter: 'n != 2', match: (x) => x.n !== 2, batchSize: 64 },
      { keys: [{ field: 'cat', desc: true }, { field: 'flag', desc: true }, { field: 'tsz', desc: false }], batchSize: 150 },
      { keys: [{ field: 'tsz', desc: true }], filter: 'price > 1 or price is null', match: (x) => x.price === null || x.price > 1, batchSize: 33 },
      { keys: [{ field: 'flag', desc: false }, { field: 'id', desc: true } as never], batchSize: 200 },
    ];
    for (const [i, k] of cases.entries()) {
      const orderByFields = asOrder(k.keys);
      const want = live.filter(k.match ?? (() => true)).sort(reference(k.keys)).map((x) => x.id);
      const full = await c.query('w', { ...read, filter: k.filter ?? 'id >= 0', orderByFields });
      assert.equal(ids(full), want, `case ${i}: the full ordered query`);
      const it = await c.queryIterator('w', { ...read, batchSize: k.batchSize, orderByFields, outputFields: ['n'], ...(k.filter ? { filter: k.filter } : {}) });
      const pages: RowObject[][] = [await it.next(), await it.next()];
      // Between pages: rows deleted ahead of the cursor and behind it, rows inserted everywhere in the order, a flush that seals the growing rows.
      const seen = new Set(ids(pages.flat()));
      const ahead = want.filter((id) => !seen.has(id));
      const gone = [...ahead.slice(0, 20), ...ahead.slice(-20), ...ids(pages[0]!).slice(0, 5)];
      await c.delete('w', { ids: gone });
      const fresh = makeRows(nextId, 120, 100 + i).map((x, j) => ({ ...x, id: nextId + j }));
      nextId += 1000;
      await c.insert('w', toInsert(fresh, 200 + i));
      if (i % 2 === 0) await c.flush('w');
      // Bounded, so a cursor that fails to move ends in a failed assertion, not an endless walk.
      for await (const b of it) { pages.push(b); if (pages.length > want.length / k.batchSize + 3) break; }
      assert.ok(pages.slice(0, -1).every((p) => p.length === k.batchSize), `case ${i}: full pages but the last`);
      assert.equal(ids(pages.flat()), want, `case ${i}: the pages end to end are the ordered query's rows as of the start`);
      assert.ok(pages.flat().every((row) => Object.keys(row).sort().join() === 'id,n'), `case ${i}: ordered fields not asked for are not shown`);
      const goneSet = new Set(gone);
      live = [...live.filter((x) => !goneSet.has(x.id)), ...fresh];
    }

    // The writes did happen: a new ordered walk sees them, and a limit cuts it.
    const keys = [{ field: 'price' as const, desc: false }, { field: 'tsz' as const, desc: true }];
    const now = live.sort(reference(keys)).map((x) => x.id);
    const limited: RowObject[][] = [];
    for await (const b of await c.queryIterator('w', { ...read, batchSize: 100, limit: 250, orderByFields: asOrder(keys), outputFields: ['tsz'] })) limited.push(b);
    assert.equal(limited.map((b) => b.length), [100, 100, 50]);
    assert.equal(ids(limited.flat()), now.slice(0, 250));
    assert.type(limited.flat().find((x) => x.tsz !== null)!.tsz, 'string', 'Timestamptz shown as text, compared as an instant');

    // position() resumes the walk in another iterator; another order cannot resume it.
    const first = await c.queryIterator('w', { ...read, batchSize: 120, orderByFields: asOrder(keys) });
    const a = await first.next();
    const pos = first.position()!;
    first.close();
    const second = await c.queryIterator('w', { ...read, batchSize: 120, orderByFields: asOrder(keys), resume: pos });
    const rest: RowObject[][] = [];
    for await (const b of second) { rest.push(b); if (rest.length > now.length / 120 + 3) break; }
    assert.equal(ids([...a, ...rest.flat()]), now, 'resumed where it stood');
    assert.is(await code(() => c.queryIterator('w', { ...read, batchSize: 10, orderByFields: 'n', resume: pos })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('w', { ...read, batchSize: 10, resume: pos })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('w', { ...read, batchSize: 10, orderByFields: asOrder(keys), resume: { ...pos, afterValues: ['x', 1] } })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('w', { ...read, batchSize: 10, orderByFields: 'vec' })), 'InvalidArgument');

    // REST: a cursor walk with orderByFields, every page naming the same order.
    const http = new V2Client(s.http!.url);
    const body = { collectionName: 'w', consistencyLevel: 'Strong', filter: 'n < 3', limit: 90, orderByFields: [{ fieldName: 'cat', order: 'desc' }, { fieldName: 'price' }] };
    const restWant = live.filter((x) => x.n < 3).sort(reference([{ field: 'cat', desc: true }, { field: 'price', desc: false }])).map((x) => x.id);
    const restGot: number[] = [];
    let cursor = '';
    let lastCursor = '';
    for (let page = 0; page < 100; page++) {
      const res = await http.okReply('/entities/query', { ...body, cursor });
      restGot.push(...(res.data as Array<{ id: number }>).map((x) => x.id));
      if ((res as { nextCursor?: string }).nextCursor === undefined) break;
      lastCursor = cursor = (res as { nextCursor?: string }).nextCursor!;
    }
    assert.equal(restGot, restWant, 'REST pages end to end are the ordered rows');
    await http.fails('/entities/query', { ...body, cursor: lastCursor, orderByFields: [{ fieldName: 'cat' }] }, /orderByFields must be the same/);
  } finally { await s.cleanup(); }
});

test.run();
