import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Range search, ignore_growing and round_decimal through the whole read path:
 * rows in a flushed, HNSW-indexed segment on the query node and rows still
 * growing in the delegator answer one ring search together.
 */
const DIM = 8;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};

const l2 = distanceFn('L2');
/** Every row's id by squared L2 distance to q, closest first. */
function ranking(rows: Array<{ id: number; vec: number[] }>, q: number[]): Array<{ id: number; distance: number }> {
  const qv = new Float32Array(q);
  return rows.map((r) => ({ id: r.id, distance: l2(new Float32Array(r.vec), 0, qv, DIM) })).sort((a, b) => a.distance - b.distance || a.id - b.id);
}

test('a ring search over sealed and growing rows returns the ranking between its bounds; ignore_growing leaves growing rows out', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await s.client.createCollection({ collectionName: 'ring', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }], load: true });
    const sealedRows = vectors(300, DIM, 11).map((vec, i) => ({ id: i, vec }));
    await s.client.insert('ring', sealedRows);
    await s.client.flush('ring');
    await untilIndexedAndLoaded(s, 'ring', 300);
    assert.is((await s.client.describeIndex('ring'))[0]!.indexedRows, 300);
    const growingRows = vectors(100, DIM, 12).map((vec, i) => ({ id: 1000 + i, vec }));
    await s.client.insert('ring', growingRows);

    const q = growingRows[5]!.vec;
    const all = ranking([...sealedRows, ...growingRows], q);
    // Bounds halfway between neighbours in the ranking: leave out the 3 closest, keep through the 40th.
    const rangeFilter = (all[2]!.distance + all[3]!.distance) / 2;
    const radius = (all[39]!.distance + all[40]!.distance) / 2;
    const want = all.slice(3, 40).map((h) => h.id);
    const [hits] = await s.client.search('ring', { data: [q], limit: 100, consistencyLevel: 'Strong', searchParams: { params: { radius, range_filter: rangeFilter, ef: 256 } } });
    for (const h of hits!) assert.ok(h.distance >= rangeFilter && h.distance < radius, `${h.id} at ${h.distance}`);
    const got = new Set(hits!.map((h) => h.id));
    const found = want.filter((id) => got.has(id)).length;
    assert.ok(found >= want.length - 1, `found ${found} of the ${want.length} rows in the ring`);
    assert.ok(want.some((id) => id >= 1000) && want.some((id) => id < 1000), 'the ring holds growing and sealed rows');
    assert.ok(hits!.some((h) => (h.id as number) >= 1000) && hits!.some((h) => (h.id as number) < 1000));

    // limit still caps a range search, best first.
    const [top5] = await s.client.search('ring', { data: [q], limit: 5, consistencyLevel: 'Strong', searchParams: { params: { radius, range_filter: rangeFilter, ef: 256 } } });
    assert.equal(top5!.map((h) => h.id), hits!.slice(0, 5).map((h) => h.id));

    const [withGrowing] = await s.client.search('ring', { data: [q], limit: 10, consistencyLevel: 'Strong' });
    assert.is(withGrowing![0]!.id, 1005, 'the query vector\'s own row, still growing, comes first');
    const [sealedOnly] = await s.client.search('ring', { data: [q], limit: 10, consistencyLevel: 'Strong', searchParams: { ignoreGrowing: true } });
    assert.is(sealedOnly!.length, 10);
    for (const h of sealedOnly!) assert.ok((h.id as number) < 1000, `${h.id} is a growing row`);
    const sealedBest = new Set(ranking(sealedRows, q).slice(0, 10).map((h) => h.id));
    assert.ok(sealedOnly!.filter((h) => sealedBest.has(h.id as number)).length >= 9, 'the sealed rows\' own ranking');

    const [rounded] = await s.client.search('ring', { data: [q], limit: 3, consistencyLevel: 'Strong', roundDecimal: 1 });
    for (const [i, h] of rounded!.entries()) assert.is(h.distance, Math.floor(withGrowing![i]!.distance * 10 + 0.5) / 10);
  } finally { await s.cleanup(); }
});

test('bad range bounds and rounding are refused with typed errors', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'bad', schema, metricType: 'L2', load: true });
    await s.client.insert('bad', [{ id: 1, vec: vectors(1, DIM, 1)[0]! }]);
    const search = (extra: object) => s.client.search('bad', { data: [vectors(1, DIM, 2)[0]!], limit: 3, ...extra });
    const refused = async (extra: object, re: RegExp) => {
      try { await search(extra); assert.unreachable(`accepted ${JSON.stringify(extra)}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, re);
      }
    };
    await refused({ searchParams: { params: { radius: 1, range_filter: 2 } } }, /range_filter < radius/);
    await refused({ searchParams: { params: { range_filter: 0.5 } } }, /needs a radius/);
    await refused({ searchParams: { params: { radius: Number.NaN } } }, /radius must be a finite number/);
    await refused({ roundDecimal: 7 }, /roundDecimal must be an integer in -1..6/);
    await refused({ searchParams: { ignoreGrowing: 'yes' } }, /ignoreGrowing must be true or false/);
    assert.is((await search({ searchParams: { params: { radius: 1e9 } }, consistencyLevel: 'Strong' }))[0]!.length, 1, 'the collection still answers');
  } finally { await s.cleanup(); }
});

test.run();
