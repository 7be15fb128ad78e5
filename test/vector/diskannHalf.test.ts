import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { DecodeError } from '../../messages/errors.js';
import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32, recallAtK } from '../../bench/support/dataset.js';
import { crc32 } from '../../runtime/crc32.js';
import { diskannFactory } from '../../runtime/vectorIndex/diskann/diskannFactory.js';
import { decodeDiskannFile, recordBytes } from '../../runtime/vectorIndex/diskann/diskannFile.js';
import { DiskannIndex } from '../../runtime/vectorIndex/diskann/diskannIndex.js';
import { CachedNodes } from '../../runtime/vectorIndex/diskann/nodeCache.js';
import { MemoryNodes, type NodeStore } from '../../runtime/vectorIndex/diskann/nodeStore.js';
import { rejects } from '../support/rejects.js';

/**
 * DISKANN's node records at the field's own width, through the file format
 * (pure, no servers): a Float16Vector's or BFloat16Vector's index file keeps
 * 2 bytes a value in its records, its element named in the header; loaded,
 * it finds the brute-force answers over the stored halves (recall) with
 * their exact distances. Files of versions before the element (float32
 * records) still load and answer alike; an unknown element or version is a
 * DecodeError. The asynchronous search issues a beam step's reads together
 * and answers exactly as the synchronous one at every beam width.
 */
const DIM = 24, N = 1500, K = 10, MAX_DEGREE = 24;
const rand = mulberry32(17);
const raw = new Float32Array(N * DIM).map(() => rand() * 2 - 1);
const queries = Array.from({ length: 30 }, () => new Float32Array(DIM).map(() => rand() * 2 - 1));
const HALVES = { Float16Vector: { element: 'f16', round: (x: number) => fromFloat16Bits(toFloat16Bits(x)) }, BFloat16Vector: { element: 'bf16', round: (x: number) => fromBFloat16Bits(toBFloat16Bits(x)) } } as const;
const build = { maxDegree: MAX_DEGREE, searchListSize: 50 };

/** The metric's distance of row r of `data` to q, in Milvus's convention (as brute force computes it, in float64). */
function exactDistance(data: Float32Array, r: number, q: Float32Array, metric: MetricType): number {
  let dot = 0, l2 = 0, nx = 0, nq = 0;
  for (let j = 0; j < DIM; j++) { const x = data[r * DIM + j]!, y = q[j]!; dot += x * y; l2 += (x - y) ** 2; nx += x * x; nq += y * y; }
  return metric === 'L2' ? l2 : metric === 'IP' ? dot : dot / Math.sqrt(nx * nq);
}

/** `file` as an older version wrote it: version 2 has no element (52-byte header, crc at 48), version 1 no ratios either. */
function olderFile(file: Uint8Array, version: 1 | 2): Uint8Array {
  const header = version === 1 ? 44 : 52, out = new Uint8Array(file.length - 56 + header);
  out.set(file.subarray(0, header - 4)); out.set(file.subarray(56), header);
  const v = new DataView(out.buffer);
  v.setUint32(4, version, true);
  v.setUint32(header - 4, crc32(out.subarray(header), crc32(out.subarray(0, header - 4))), true);
  return out;
}

/** `file` with header word `at` set to `value`, its crc made good again. */
function withWord(file: Uint8Array, at: number, value: number): Uint8Array {
  const out = file.slice(), v = new DataView(out.buffer);
  v.setUint32(at, value, true);
  v.setUint32(52, crc32(out.subarray(56), crc32(out.subarray(0, 52))), true);
  return out;
}

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'nuthatch-diskann-half-')); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

for (const [type, { element, round }] of Object.entries(HALVES)) {
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    test(`${type} ${metric}: 16-bit records through the file; recall against brute force over the halves, their exact distances; async answers alike`, async () => {
      const stored = raw.map(round), f = diskannFactory(dir, { cpus: 1 });
      const file = await (await f.build(stored, DIM, metric, { ...build, vectorType: type })).serialize();
      assert.is(decodeDiskannFile(file, DIM, metric).parts.element, element);
      const idx = await f.load(file, DIM, metric) as DiskannIndex;
      try {
        assert.is(idx.parts.element, element);
        const truth = searchBruteForce({ vectors: stored, dim: DIM, count: N, metric, queries, k: K }).map((hs) => hs.map((h) => h.row));
        const got = queries.map((q) => idx.search(q, K, { searchList: 32 }));
        const recall = recallAtK(got.map((hs) => hs.map((h) => h.row)), truth, K);
        assert.ok(recall >= 0.9, `recall ${recall}`);
        // The records hold the field's own values: every hit's distance is the exact one of its row.
        got.forEach((hs, i) => hs.forEach((h) => {
          const want = exactDistance(stored, h.row, queries[i]!, metric);
          assert.ok(Math.abs(h.distance - want) <= 1e-5 * Math.max(1, Math.abs(want)), `row ${h.row}: ${h.distance} vs ${want}`);
        }));
        for (let i = 0; i < queries.length; i++) assert.equal(await idx.searchAsync(queries[i]!, K, { searchList: 32 }), got[i]);
      } finally { idx.close(); }
    });
  }
}

test('a Float16 field\'s file: 2 bytes a value in its node records (the float32 file\'s records hold 4), the rest alike', async () => {
  const f = diskannFactory(dir), stored = raw.map(HALVES.Float16Vector.round);
  const half = await (await f.build(stored, DIM, 'L2', { ...build, vectorType: 'Float16Vector' })).serialize();
  const full = await (await f.build(stored, DIM, 'L2', build)).serialize();
  assert.is(recordBytes(DIM, MAX_DEGREE, 'f16'), 2 * DIM + 4 * (1 + MAX_DEGREE));
  assert.is(recordBytes(DIM, MAX_DEGREE), 4 * DIM + 4 * (1 + MAX_DEGREE));
  assert.is(full.length - half.length, N * 2 * DIM);
  // An odd dim pads each half vector to 4 bytes.
  assert.is(recordBytes(5, 2, 'bf16'), 12 + 12);
});

test('old files: version 2 (no element) and version 1 (no ratios either) load as float32 records and answer alike; an unknown element or version is a DecodeError', async () => {
  const f = diskannFactory(dir, { cpus: 1 });
  const cur = await (await f.build(raw, DIM, 'L2', build)).serialize();
  const now = await f.load(cur, DIM, 'L2') as DiskannIndex;
  for (const version of [2, 1] as const) {
    const old = await f.load(olderFile(cur, version), DIM, 'L2') as DiskannIndex;
    assert.is(old.parts.element, 'f32');
    for (const q of queries) assert.equal(old.search(q, K), now.search(q, K));
    old.close();
  }
  now.close();
  const half = await (await f.build(raw.map(HALVES.BFloat16Vector.round), DIM, 'L2', { ...build, vectorType: 'BFloat16Vector' })).serialize();
  // A 16-bit file passed off as an older version: its records are not float32 ones, so its length gives it away.
  await rejects(f.load(olderFile(half, 2), DIM, 'L2'), (e) => e instanceof DecodeError && /bytes/.test((e as Error).message));
  await rejects(f.load(withWord(half, 48, 7), DIM, 'L2'), (e) => e instanceof DecodeError && /element 7/.test((e as Error).message));
  await rejects(f.load(withWord(half, 4, 4), DIM, 'L2'), (e) => e instanceof DecodeError && /version 4/.test((e as Error).message));
});

test('searchAsync issues a beam step\'s reads together (as many in flight as the width), answering as search does at beam widths 4, 8 and 16', async () => {
  const built = await diskannFactory(dir, { cpus: 1 }).build(raw, DIM, 'L2', { ...build, searchCacheBudgetGbRatio: 0 }) as DiskannIndex;
  const { parts, nodes } = decodeDiskannFile(await built.serialize(), DIM, 'L2');
  const size = recordBytes(DIM, MAX_DEGREE);
  for (const width of [4, 8, 16]) {
    // Records in memory whose asynchronous reads complete a tick later, counting how many are in flight at once.
    const mem = new MemoryNodes(nodes, size);
    let inFlight = 0, most = 0;
    const slow: NodeStore = {
      residentBytes: 0, all: () => nodes, close: () => {}, read: (r, into, at) => mem.read(r, into, at),
      readAsync: async (r, into, at) => { most = Math.max(most, ++inFlight); await new Promise((res) => setImmediate(res)); mem.read(r, into, at); inFlight--; },
    };
    const idx = new DiskannIndex(parts, new CachedNodes(slow, size, parts.count, new Int32Array(0), nodes), width);
    for (const q of queries) assert.equal(await idx.searchAsync(q, K, { searchList: 32 }), idx.search(q, K, { searchList: 32 }));
    assert.is(most, width, `reads in flight at width ${width}`);
  }
});

test.run();
