import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Hit } from '../../runtime/client/api.js';
import { fromFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * Packed fields searched from their bytes, black-box through the client, on
 * a collection with no FloatVector: two BinaryVector fields holding the same
 * bits, one under BIN_IVF_FLAT (nprobe = nlist: exact) and one with no index,
 * give the same hits as a bit-by-bit reference, ties broken by the lower key;
 * a third at dim 136 (rows not a whole number of 32-bit words) under BIN_FLAT
 * with JACCARD; range, grouping and iterator searches over them; Int8Vector
 * and Float16Vector fields searched by brute force give the reference's
 * distances. Rows sealed and indexed, more growing, some deleted.
 */
const N = 400, GROWING = 60, NLIST = 4;
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } }, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } };

const popcount = (x: number) => { let n = 0; for (; x; x >>= 1) n += x & 1; return n; };
const HAMMING = (a: number[], b: number[]) => a.reduce((s, x, i) => s + popcount(x ^ b[i]!), 0);
const JACCARD = (a: number[], b: number[]) => {
  const both = a.reduce((s, x, i) => s + popcount(x & b[i]!), 0), either = a.reduce((s, x, i) => s + popcount(x | b[i]!), 0);
  return either === 0 ? 0 : 1 - both / either;
};

/** The k best of `ids` by (distance, key): what every search in nuthatch returns. */
function expected(ids: number[], dist: (id: number) => number, k: number): Array<[number, number]> {
  return ids.map((id): [number, number] => [id, dist(id)]).sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, k);
}
const pairs = (hits: Hit[]) => hits.map((h): [number, number] => [h.id as number, h.distance]);

test('binary fields with and without an index, int8 and float16 by brute force: the reference hits, in order', async () => {
  const r = rng(21);
  // Rows near four centres, a few bits flipped: many equal distances, so ties are tested.
  const centres = (bytes: number) => Array.from({ length: 4 }, () => Array.from({ length: bytes }, () => Math.floor(r() * 256)));
  const near = (cs: number[][], i: number) => cs[i % 4]!.map((b) => b ^ (r() < 0.25 ? 1 << Math.floor(r() * 8) : 0));
  const c64 = centres(8), c136 = centres(17);
  const x = Array.from({ length: N + GROWING }, (_, i) => near(c64, i)), z = Array.from({ length: N + GROWING }, (_, i) => near(c136, i));
  const i8 = Array.from({ length: N + GROWING }, () => Array.from({ length: 12 }, () => Math.floor(r() * 256) - 128));
  const h16 = Array.from({ length: N + GROWING }, () => Array.from({ length: 10 }, () => r() * 4 - 2));
  const f16 = (v: number) => fromFloat16Bits(toFloat16Bits(v));
  const fields = [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'tag', dataType: 'Int64' },
    { name: 'x', dataType: 'BinaryVector', dim: 64 }, { name: 'y', dataType: 'BinaryVector', dim: 64 }, { name: 'z', dataType: 'BinaryVector', dim: 136 },
  ];
  // At most four vector fields a collection: int8 and float16 in one of their own.
  const numFields = [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'i8', dataType: 'Int8Vector', dim: 12 }, { name: 'h', dataType: 'Float16Vector', dim: 10 }];
  const indexParams = [
    { indexName: 'x_idx', fieldName: 'x', indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', params: { nlist: NLIST } },
    { indexName: 'z_idx', fieldName: 'z', indexType: 'BIN_FLAT', metricType: 'JACCARD', params: {} },
  ];
  const numIndexes = [{ indexName: 'h_idx', fieldName: 'h', indexType: 'FLAT', metricType: 'IP', params: {} }];
  const row = (i: number) => ({ id: i, tag: i % 5, x: x[i]!, y: x[i]!, z: Uint8Array.from(z[i]!) });
  const numRow = (i: number) => ({ id: i, i8: i8[i]!, h: h16[i]! });
  const s = await tempStandalone(segmentOpts);
  try {
    await s.client.createCollection({ collectionName: 'packed', schema: { fields } as never, metricType: 'HAMMING', shardsNum: 2, indexParams: indexParams as never, load: true });
    await s.client.createCollection({ collectionName: 'nums', schema: { fields: numFields } as never, metricType: 'L2', shardsNum: 2, indexParams: numIndexes as never, load: true });
    for (let i = 0; i < N; i += 100) {
      await s.client.insert('packed', Array.from({ length: 100 }, (_, j) => row(i + j)));
      await s.client.insert('nums', Array.from({ length: 100 }, (_, j) => numRow(i + j)));
    }
    for (const c of ['packed', 'nums']) await s.client.flush(c);
    for (const c of ['packed', 'nums']) await untilIndexedAndLoaded(s, c, N);
    await s.client.insert('packed', Array.from({ length: GROWING }, (_, j) => row(N + j)));
    await s.client.insert('nums', Array.from({ length: GROWING }, (_, j) => numRow(N + j)));
    const check = async (live: number[], when: string) => {
      const opts = { limit: 25, consistencyLevel: 'Strong' as const };
      for (const q of [x[3]!, x[N + 7]!, x[3]!.map((b) => b ^ 0x11)]) {
        const want = expected(live, (id) => HAMMING(x[id]!, q), 25);
        const [indexed] = await s.client.search('packed', { ...opts, annsField: 'x', data: [q], searchParams: { params: { nprobe: NLIST } } });
        const [plain] = await s.client.search('packed', { ...opts, annsField: 'y', data: [Uint8Array.from(q)] });
        assert.equal(pairs(indexed!), want, `HAMMING by BIN_IVF_FLAT ${when}`);
        assert.equal(pairs(plain!), want, `HAMMING without an index ${when}`);
        const keep = live.filter((id) => id % 5 !== 2);
        const [filtered] = await s.client.search('packed', { ...opts, annsField: 'x', data: [q], filter: 'tag != 2', searchParams: { params: { nprobe: NLIST } } });
        assert.equal(pairs(filtered!), expected(keep, (id) => HAMMING(x[id]!, q), 25), `HAMMING filtered ${when}`);
      }
      const zq = z[11]!.map((b, i) => (i === 16 ? b ^ 0x80 : b));
      const [zHits] = await s.client.search('packed', { ...opts, annsField: 'z', data: [zq], outputFields: ['z'] });
      assert.equal(pairs(zHits!), expected(live, (id) => JACCARD(z[id]!, zq), 25), `JACCARD by BIN_FLAT at dim 136 ${when}`);
      for (const h of zHits!) assert.equal(h.fields.z, z[h.id as number], 'bits read back as bytes');
      // A range search: [range_filter, radius) of HAMMING.
      const q = x[3]!, inRange = live.filter((id) => { const d = HAMMING(x[id]!, q); return d >= 2 && d < 6; });
      assert.ok(inRange.length > 25, 'the range holds more rows than the limit');
      for (const field of ['x', 'y']) {
        const [ranged] = await s.client.search('packed', { limit: 50, consistencyLevel: 'Strong', annsField: field, data: [q], searchParams: { params: { radius: 6, range_filter: 2, nprobe: NLIST } } });
        assert.equal(pairs(ranged!), expected(inRange, (id) => HAMMING(x[id]!, q), 50), `HAMMING range on ${field} ${when}`);
      }
      // A grouping search by tag: the best 3 groups, 2 hits each, groups in the order of their best hit.
      const [grouped] = await s.client.search('packed', { limit: 3, consistencyLevel: 'Strong', annsField: 'y', data: [q], groupingField: 'tag', groupSize: 2, strictGroupSize: true, outputFields: ['tag'] });
      const ranked = expected(live, (id) => HAMMING(x[id]!, q), live.length), groups = new Map<number, Array<[number, number]>>();
      for (const p of ranked) { const g = groups.get(p[0] % 5) ?? []; if (g.length < 2) g.push(p); groups.set(p[0] % 5, g); }
      assert.equal(pairs(grouped!), [...groups.values()].slice(0, 3).flat(), `grouped by tag ${when}`);
      // An iterator walks every live row once, nearest first: by scan, and through the index (its range steps refuse rows by their packed distance).
      for (const field of ['y', 'x']) {
        const seen: Array<[number, number]> = [];
        for await (const batch of await s.client.searchIterator('packed', { annsField: field, vector: q, batchSize: 64, consistencyLevel: 'Strong' })) seen.push(...pairs(batch));
        assert.equal(seen.map((p) => p[0]).sort((a, b) => a - b), live, `iterator on ${field} ${when}: every live row once`);
        assert.ok(seen.every((p, i) => i === 0 || p[1] >= seen[i - 1]![1]), `iterator on ${field} ${when}: nearest first`);
        assert.ok(seen.every((p) => p[1] === HAMMING(x[p[0]]!, q)), `iterator on ${field} ${when}: each row its own distance`);
      }
      // Int8 L2 by brute force: integer distances, exact, ties to the lower key.
      const iq = i8[40]!.map((v) => Math.max(-128, v - 3));
      const [iHits] = await s.client.search('nums', { ...opts, annsField: 'i8', data: [iq] });
      assert.equal(pairs(iHits!), expected(live, (id) => i8[id]!.reduce((sum, v, j) => sum + (v - iq[j]!) ** 2, 0), 25), `int8 L2 ${when}`);
      // Float16 IP by FLAT, over the values rounded as stored; larger is closer.
      const hq = h16[9]!;
      const [hHits] = await s.client.search('nums', { ...opts, annsField: 'h', data: [hq] });
      const want = live.map((id) => [id, h16[id]!.reduce((sum, v, j) => sum + f16(v) * f16(hq[j]!), 0)] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 25);
      assert.equal(hHits!.map((h) => h.id), want.map((w) => w[0]), `float16 IP order ${when}`);
      hHits!.forEach((h, i) => assert.ok(Math.abs(h.distance - want[i]![1]) < 1e-9, `float16 IP distance ${i} ${when}`));
    };
    let live = Array.from({ length: N + GROWING }, (_, i) => i);
    await check(live, 'sealed and growing');
    for (const c of ['packed', 'nums']) await s.client.delete(c, { filter: 'id % 7 == 3' });
    live = live.filter((id) => id % 7 !== 3);
    await check(live, 'after deletes');
  } finally { await s.cleanup(); }
});

test.run();
