import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import type { RowObject } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A key inserted again is stored again (an insert checks no stored keys), and
 * reads show one row per key: its newest copy. Copies in one growing segment,
 * in growing rows over a sealed segment, in two sealed segments, in one sealed
 * segment, after a delete between copies and after a compaction merged them:
 * each time a query, a get, a filtered query (the newest copy that matches,
 * as Milvus), pages of limit and offset (full), a query iterator in small
 * batches (every key once, none skipped), ordered queries and an ordered
 * iterator all show exactly the test's own record of the newest copies, while
 * count(*) counts the stored copies (as Milvus).
 */
const DIM = 4, C = 'dups';
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'val', dataType: 'Int64' as const }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };

type Row = { id: number; val: number };
const asRows = (rows: RowObject[]) => rows.map((r) => ({ id: Number(r.id), val: Number(r.val) }));
async function drain(batches: AsyncIterable<RowObject[]>): Promise<RowObject[][]> {
  const out: RowObject[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}

test('one row per key, the newest copy, wherever the copies lie', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  const c = s.client;
  // The test's record: each key's live copies, oldest first.
  const copies = new Map<number, number[]>();
  let seed = 1;
  const insert = async (ids: number[], val: (id: number) => number) => {
    await c.insert(C, ids.map((id, i) => ({ id, val: val(id), vec: vectors(1, DIM, seed * 1000 + i)[0]! })));
    seed++;
    for (const id of ids) copies.set(id, [...copies.get(id) ?? [], val(id)]);
  };
  const remove = async (ids: number[]) => {
    await c.delete(C, { ids });
    for (const id of ids) copies.delete(id);
  };
  const newest = (pass: (val: number) => boolean = () => true): Row[] => [...copies]
    .flatMap(([id, vals]) => { const v = vals.filter(pass).at(-1); return v === undefined ? [] : [{ id, val: v }]; })
    .sort((a, b) => a.id - b.id);
  const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
  const served = async (n: number) => {
    const { collectionId } = await c.describeCollection(C);
    await until(async () => {
      const segs = await coord('segments', { collectionId });
      if (segs.length !== n || !segs.every((x) => Object.keys(x.indexKeys).length > 0)) return false;
      return (await coord('distribution', { vchannel: segs[0]!.vchannel })).segments.length === n;
    }, `${n} sealed segments served`, 60_000);
  };

  const check = async (label: string) => {
    const want = newest(), strong = { consistencyLevel: 'Strong' as const };
    assert.equal(asRows(await c.query(C, { filter: 'id >= 0', outputFields: ['val'], ...strong })), want, `${label}: query`);
    const ids = [0, 3, 7, 12, 20, 25, 39, 99];
    assert.equal(asRows(await c.get(C, ids, { outputFields: ['val'] })), want.filter((r) => ids.includes(r.id)), `${label}: get`);
    const low = (v: number) => v < 100;
    assert.equal(asRows(await c.query(C, { filter: 'val < 100', outputFields: ['val'], ...strong })), newest(low), `${label}: the newest copy that matches`);
    for (let offset = 0; offset < want.length; offset += 7) {
      const page = asRows(await c.query(C, { filter: 'id >= 0', outputFields: ['val'], limit: 7, offset, ...strong }));
      assert.equal(page, want.slice(offset, offset + 7), `${label}: page at ${offset}`);
    }
    assert.equal(asRows(await c.query(C, { limit: 5, outputFields: ['val'], ...strong })), want.slice(0, 5), `${label}: a limit without a filter`);
    const batches = await drain(await c.queryIterator(C, { batchSize: 3, outputFields: ['val'], ...strong }));
    assert.ok(batches.slice(0, -1).every((b) => b.length === 3), `${label}: full batches`);
    assert.equal(asRows(batches.flat()), want, `${label}: an iterator gives every key once`);
    for (const desc of [false, true]) {
      const ranked = [...want].sort((a, b) => (a.val - b.val) * (desc ? -1 : 1) || a.id - b.id);
      const orderByFields = [{ field: 'val', order: desc ? 'desc' as const : 'asc' as const }];
      for (const [limit, offset] of [[6, 0], [6, 6], [25, 3]] as const) {
        assert.equal(asRows(await c.query(C, { filter: 'id >= 0', outputFields: ['val'], orderByFields, limit, offset, ...strong })), ranked.slice(offset, offset + limit), `${label}: ordered ${desc ? 'desc' : 'asc'} ${limit}@${offset}`);
      }
      const walk = await drain(await c.queryIterator(C, { batchSize: 4, outputFields: ['val'], orderByFields, ...strong }));
      assert.equal(asRows(walk.flat()), ranked, `${label}: an ordered iterator ${desc ? 'desc' : 'asc'}`);
    }
    const stored = [...copies.values()].reduce((n, v) => n + v.length, 0);
    assert.equal(await c.query(C, { filter: 'id >= 0', outputFields: ['count(*)'], ...strong }), [{ 'count(*)': stored }], `${label}: count(*) counts copies`);
  };

  try {
    await c.createCollection({ collectionName: C, schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    await insert(Array.from({ length: 40 }, (_, i) => i), (id) => id);
    await insert(Array.from({ length: 10 }, (_, i) => i), (id) => 100 + id);
    await check('two copies in one growing segment');

    await c.flush(C);
    await served(1);
    await insert(Array.from({ length: 10 }, (_, i) => 5 + i), (id) => 200 - id);
    await check('growing rows over a sealed segment holding two copies');

    await c.flush(C);
    await served(2);
    await check('two sealed segments');

    await remove([20, 7]);
    await insert([20, 30], (id) => 300 + id);
    await check('a delete between copies');

    await c.flush(C);
    await served(3);
    const { compactionID } = await c.compact(C);
    await until(async () => (await c.getCompactionState(compactionID)).state === 'Completed', 'the compaction completed', 60_000);
    await served(1);
    await check('after a compaction merged the copies');
  } finally { await s.cleanup(); }
});

test.run();
