import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { comparePks } from '../../actors/shared/segment/pkOrder.js';
import type { PrimaryKey } from '../../messages/schema.js';
import type { RowObject } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { rng, tempStandalone, vectors } from './harness.js';

/**
 * The query iterator through the whole read path: rows of sealed segments on
 * the query node and growing rows in the delegators of two shards come back in
 * key order, each once, as of the TSO the iterator pinned when it was made:
 * inserts, deletes and a flush while it walks change nothing it returns.
 */
const DIM = 4;
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
const intSchema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }, { name: 'n', dataType: 'Int32' as const }] };
const strSchema = { fields: [{ name: 'key', dataType: 'VarChar' as const, isPrimary: true, maxLength: 32 }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

/** Distinct keys in a scrambled order (so shards and segments each hold a spread of them). */
const scrambled = (from: number, count: number) => Array.from({ length: count }, (_, i) => ((from + i) * 7919) % 1_000_003);
const intRows = (ids: number[], seed: number) => vectors(ids.length, DIM, seed).map((vec, i) => ({ id: ids[i]!, vec, n: ids[i]! % 10 }));
const sorted = (keys: Iterable<PrimaryKey>) => [...keys].sort(comparePks);
async function drain(batches: AsyncIterable<RowObject[]>): Promise<RowObject[][]> {
  const out: RowObject[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };

test('every live row once in key order, sealed and growing over two shards; writes after the start are not seen', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'walk', schema: intSchema, metricType: 'L2', shardsNum: 2, load: true });
    const sealedIds = scrambled(0, 2000), growingIds = scrambled(2000, 1500);
    await c.insert('walk', intRows(sealedIds, 1));
    await c.flush('walk');
    await until(async () => (await c.getLoadState('walk')).loadProgress === 100, 'sealed segments served', 60_000);
    await c.insert('walk', intRows(growingIds, 2));
    const r = rng(5);
    const deleted = [...sealedIds, ...growingIds].filter(() => r() < 0.1);
    await c.delete('walk', { ids: deleted });
    const gone = new Set<PrimaryKey>(deleted);
    const live = sorted([...sealedIds, ...growingIds].filter((id) => !gone.has(id)));

    const it = await c.queryIterator('walk', { batchSize: 256, outputFields: ['n'], consistencyLevel: 'Strong' });
    const first = await it.next();
    const cursor = first[first.length - 1]!.id as number;
    // While it walks: rows inserted below, among and above its keys; rows deleted ahead of it and behind it; a flush hands growing rows to the query node.
    const ahead = live.filter((id) => (id as number) > cursor);
    const known = new Set<PrimaryKey>([...sealedIds, ...growingIds]);
    let among = cursor + 1;
    while (known.has(among)) among++;
    await c.insert('walk', intRows([-5, among, 5_000_000, ...scrambled(9000, 50).map((x) => x + 2_000_000)], 3));
    await c.delete('walk', { ids: [...ahead.slice(0, 100), ...ahead.slice(-100), first[3]!.id as number] });
    await c.flush('walk');
    const rest = await drain(it);
    const batches = [first, ...rest];

    assert.ok(batches.slice(0, -1).every((b) => b.length === 256), 'full batches but the last');
    assert.equal(batches.flat().map((row) => row.id), live, 'every row live at the start, once, in key order');
    assert.ok(batches.flat().every((row) => row.n === (row.id as number) % 10), 'output fields come with each row');
    assert.equal(await it.next(), []);

    // The writes did happen: a new iterator sees them.
    const now = (await drain(await c.queryIterator('walk', { batchSize: 1000, consistencyLevel: 'Strong' }))).flat().map((row) => row.id as PrimaryKey);
    assert.is(now.length, live.length + 53 - 201);
    assert.ok(now.includes(-5) && now.includes(among) && now.includes(5_000_000) && !now.includes(ahead[0]!));

    // A limit: whole batches, then a short one, then nothing; a filter and partition name narrow it.
    const limited = await drain(await c.queryIterator('walk', { batchSize: 300, limit: 1000, consistencyLevel: 'Strong' }));
    assert.equal(limited.map((b) => b.length), [300, 300, 300, 100]);
    assert.equal(limited.flat().map((row) => row.id), sorted(now).slice(0, 1000));
    const high = (await drain(await c.queryIterator('walk', { batchSize: 77, filter: 'n >= 5', partitionNames: ['_default'], consistencyLevel: 'Strong' }))).flat().map((row) => row.id as PrimaryKey);
    assert.equal(high, sorted(now).filter((id) => (id as number) % 10 >= 5));
  } finally { await s.cleanup(); }
});

test('VarChar keys walk in code-unit order; a Session iterator pins its snapshot too', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'names', schema: strSchema, metricType: 'IP', shardsNum: 2, load: true });
    const keys = scrambled(0, 600).map((x) => (x % 3 === 0 ? `K${x}` : `k-${x}`));
    const rows = (ks: string[], seed: number) => vectors(ks.length, DIM, seed).map((vec, i) => ({ key: ks[i]!, vec }));
    await c.insert('names', rows(keys.slice(0, 400), 1));
    await c.flush('names');
    await until(async () => (await c.getLoadState('names')).loadProgress === 100, 'sealed segments served', 60_000);
    await c.insert('names', rows(keys.slice(400), 2));
    const it = await c.queryIterator('names', { batchSize: 64, consistencyLevel: 'Session' });
    const first = await it.next();
    const ahead = sorted(keys).filter((k) => comparePks(k, first[first.length - 1]!.key as string) > 0);
    await c.insert('names', rows(['A', 'zzz'], 3));
    await c.delete('names', { ids: ahead.slice(0, 10) });
    // The shards serve the writes now: a read at their newest TSO sees them, the iterator's snapshot does not.
    assert.is((await c.query('names', { filter: 'key in ["zzz", "A"]', consistencyLevel: 'Strong' })).length, 2);
    assert.is((await c.get('names', ahead.slice(0, 10))).length, 0);
    const all = [first, ...(await drain(it))].flat().map((row) => row.key);
    assert.equal(all, sorted(keys));
  } finally { await s.cleanup(); }
});

test('REST: entities/query with a cursor pages through one snapshot', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: noAutoSeal } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'rest', schema: intSchema, metricType: 'L2', shardsNum: 2, load: true });
    const ids = scrambled(0, 300);
    await c.insert('rest', intRows(ids, 1));
    const page = async (cursor: string) => {
      const res = await fetch(`${s.http!.url}/v2/vectordb/entities/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ collectionName: 'rest', limit: 40, cursor, consistencyLevel: 'Strong' }) });
      const body = (await res.json()) as { code: number; data: Array<{ id: number }>; nextCursor?: string };
      assert.is(body.code, 0);
      return body;
    };
    const first = await page('');
    const last = first.data[first.data.length - 1]!.id;
    await c.insert('rest', intRows([last + 1_000_000, -1], 2));
    await c.delete('rest', { ids: ids.filter((id) => id > last).slice(0, 5) });
    assert.is((await c.query('rest', { filter: 'id == -1', consistencyLevel: 'Strong' })).length, 1, 'the writes are served');
    const seen = first.data.map((r) => r.id);
    for (let cursor = first.nextCursor; cursor !== undefined;) {
      const next = await page(cursor);
      seen.push(...next.data.map((r) => r.id));
      cursor = next.nextCursor;
    }
    assert.equal(seen, sorted(ids));
  } finally { await s.cleanup(); }
});

test('bad iterator requests are refused with typed errors', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'bad', schema: intSchema, metricType: 'L2', load: true });
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 0 })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 16385 })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, limit: -2 })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, limit: 1.5 })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, outputFields: ['count(*)'] })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, filter: 'nope > 1' })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, partitionNames: ['p9'] })), 'PartitionNotFound');
    assert.is(await code(() => c.queryIterator('nowhere', { batchSize: 10 })), 'CollectionNotFound');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, resume: { snapshotTso: 1n << 62n, returned: 0 } })), 'InvalidArgument');
    assert.is(await code(() => c.queryIterator('bad', { batchSize: 10, resume: { snapshotTso: 5n, after: 'x', returned: 0 } })), 'InvalidArgument');
    assert.is(await code(() => c.searchIterator('bad', { vector: [1, 2], batchSize: 10 })), 'InvalidArgument');
    assert.is(await code(() => c.searchIterator('bad', { vector: [1, 2, 3, 4], batchSize: 0 })), 'InvalidArgument');
    assert.is(await code(() => c.searchIterator('bad', { vector: [1, 2, 3, 4], batchSize: 10, params: { radius: 1, range_filter: 2 } })), 'InvalidArgument');
    assert.is(await code(() => c.searchIterator('nowhere', { vector: [1, 2, 3, 4], batchSize: 10 })), 'CollectionNotFound');
  } finally { await s.cleanup(); }
});

test.run();
