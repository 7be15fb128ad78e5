import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { crc32 } from '../../runtime/crc32.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';
import { ivfFlatFactory, ivfSq8Factory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';

const DIM = 16, N = 2000, NLIST = 16;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 20, sigma: 1, queries: 30, seed: 5 });
const FACTORIES = { IVF_FLAT: ivfFlatFactory, IVF_SQ8: ivfSq8Factory } as const;
const isDecode = (e: unknown) => e instanceof DecodeError;

for (const [kind, factory] of Object.entries(FACTORIES)) {
  test(`${kind}: serialize then load gives an index with the same answers, for every metric`, async () => {
    for (const metric of ['L2', 'IP', 'COSINE'] as const) {
      const idx = await factory.build(ds.vectors, DIM, metric, { nlist: NLIST });
      const back = await factory.load(await idx.serialize(), DIM, metric);
      assert.is(back.count, N);
      assert.is(back.dim, DIM);
      assert.is(back.metric, metric);
      for (const q of ds.queries) assert.equal(back.search(q, 10, { nprobe: 4 }), idx.search(q, 10, { nprobe: 4 }));
    }
  });

  test(`${kind}: any flipped byte, a truncated file, or another dim, metric or kind is refused with a DecodeError`, async () => {
    const bytes = await (await factory.build(ds.vectors, DIM, 'L2', { nlist: NLIST })).serialize();
    // Header fields, the checksum, centroids, list offsets, rows and the stored vectors or codes.
    const rowsAt = 32 + 4 * (NLIST * DIM + NLIST + 1);
    for (const at of [0, 8, 20, 24, 28, 40, 32 + 4 * NLIST * DIM + 4, rowsAt + 2, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] = bad[at]! ^ 0x10;
      await rejects(factory.load(bad, DIM, 'L2'), isDecode, `byte ${at}`);
    }
    await rejects(factory.load(bytes.subarray(0, bytes.length - 1), DIM, 'L2'), isDecode, 'truncated');
    await rejects(factory.load(bytes.subarray(0, 10), DIM, 'L2'), isDecode, 'shorter than the header');
    await rejects(factory.load(bytes, DIM + 1, 'L2'), isDecode, 'dim');
    await rejects(factory.load(bytes, DIM, 'IP'), isDecode, 'metric');
    const other = kind === 'IVF_FLAT' ? ivfSq8Factory : ivfFlatFactory;
    await rejects(other.load(bytes, DIM, 'L2'), isDecode, 'kind');
  });
}

test('a file whose checksum matches but whose lists are inconsistent is refused', async () => {
  const bytes = await (await ivfFlatFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST })).serialize();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsetsAt = 32 + 4 * NLIST * DIM, rowsAt = offsetsAt + 4 * (NLIST + 1);
  const resealed = (edit: (v: DataView) => void) => {
    const copy = bytes.slice();
    const cv = new DataView(copy.buffer);
    edit(cv);
    cv.setUint32(28, crc32(copy.subarray(32), crc32(copy.subarray(0, 28))), true);
    return copy;
  };
  const swapLists = resealed((cv) => { cv.setUint32(offsetsAt + 4, v.getUint32(offsetsAt + 8, true) + 1, true); });
  await rejects(ivfFlatFactory.load(swapLists, DIM, 'L2'), isDecode, 'offsets out of order');
  const twice = resealed((cv) => { cv.setInt32(rowsAt + 4, v.getInt32(rowsAt, true), true); });
  await rejects(ivfFlatFactory.load(twice, DIM, 'L2'), isDecode, 'a row listed twice');
  const outside = resealed((cv) => { cv.setInt32(rowsAt, N, true); });
  await rejects(ivfFlatFactory.load(outside, DIM, 'L2'), isDecode, 'a row out of range');
  assert.is((await ivfFlatFactory.load(resealed(() => {}), DIM, 'L2')).count, N, 'resealing alone keeps the file good');
});

test('an HNSW file is not an IVF file, nor the other way round', async () => {
  const hnsw = await (await hnswIndexFactory.build(ds.vectors.subarray(0, 100 * DIM), DIM, 'L2')).serialize();
  await rejects(ivfFlatFactory.load(hnsw, DIM, 'L2'), isDecode, 'hnsw as ivf');
  const ivf = await (await ivfFlatFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST })).serialize();
  await rejects(hnswIndexFactory.load(ivf, DIM, 'L2'), isDecode, 'ivf as hnsw');
});

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<void> {
  try { await p; } catch (e) { assert.ok(check(e), `${what}: unexpected error ${String(e)}`); return; }
  assert.unreachable(`${what}: expected a rejection`);
}

test.run();
