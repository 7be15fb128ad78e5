import { packBits } from '../../../actors/shared/vector/bitDistance.js';
import { DEFAULT_MH_ELEMENT_BITS, mhElementBytes } from '../../../actors/shared/vector/minhashDistance.js';
import { ValidationError } from '../../../messages/errors.js';
import { BuildPacer } from '../buildPacer.js';
import type { MetricType } from '../../../messages/schema.js';
import type { IndexBuildParams, VectorIndexFactory } from '../vectorIndex.js';
import { bandKey, bandShape } from './lshBands.js';
import { decodeMinhashLshFile } from './minhashLshFile.js';
import { MinhashLshIndex, type BandTable } from './minhashLshIndex.js';

/** Milvus's (Knowhere's) default band count. */
export const DEFAULT_MH_LSH_BAND = 1;

/**
 * MINHASH_LSH: a BinaryVector field's MinHash signatures cut into
 * mh_lsh_band bands, each band's rows sorted by bucket key; the signatures
 * kept packed beside them when with_raw_data (the default) for exact
 * MHJACCARD re-scoring. The index node gives it the packed bits
 * (buildBits); `build` takes them widened to 0 and 1 floats, as the port
 * does for every index, and packs them back.
 */
export const minhashLshFactory: VectorIndexFactory = {
  async build(vectors, dim, metric, params = {}) {
    if (!Number.isInteger(dim) || dim < 8 || dim % 8 !== 0 || vectors.length % dim !== 0) throw new ValidationError(`${vectors.length} bits are not rows of a binary dim ${dim}`);
    const count = vectors.length / dim, rowBytes = dim / 8, bits = new Uint8Array(count * rowBytes);
    for (let r = 0; r < count; r++) bits.set(packBits(vectors.subarray(r * dim, (r + 1) * dim)), r * rowBytes);
    return buildBits(bits, dim, metric, params);
  },
  buildBits: (bits, dim, metric, params = {}) => buildBits(bits, dim, metric, params),
  async load(bytes, dim, metric) {
    if (metric !== 'MHJACCARD') throw new ValidationError(`MINHASH_LSH takes the MHJACCARD metric, not ${metric}`, { field: 'metricType' });
    const p = decodeMinhashLshFile(bytes, dim);
    return new MinhashLshIndex(p.dim, p.shape, p.tables, p.raw, p.count);
  },
};

/** The index of packed signatures (dim/8 bytes a row): one sorted table per band. */
async function buildBits(raw: Uint8Array, dim: number, metric: MetricType, params: IndexBuildParams): Promise<MinhashLshIndex> {
  if (metric !== 'MHJACCARD') throw new ValidationError(`MINHASH_LSH takes the MHJACCARD metric, not ${metric}`, { field: 'metricType' });
  if (!Number.isInteger(dim) || dim < 8 || dim % 8 !== 0 || raw.length % (dim / 8) !== 0) throw new ValidationError(`${raw.length} bytes are not rows of a binary dim ${dim}`);
  const shape = bandShape(dim / 8, mhElementBytes(params.mhElementBitWidth ?? DEFAULT_MH_ELEMENT_BITS), params.mhLshBand ?? DEFAULT_MH_LSH_BAND);
  const rowBytes = dim / 8, count = raw.length / rowBytes, pacer = new BuildPacer(params.signal);
  const tables: BandTable[] = [];
  for (let j = 0; j < shape.bands; j++) {
    const keyOf = new Uint32Array(count);
    for (let r = 0; r < count; r++) {
      keyOf[r] = bandKey(raw, r * rowBytes, shape, j);
      if ((r & 1023) === 1023 && pacer.due) await pacer.pause();
    }
    // Rows by key, then by row: equal buckets list their rows in order, and the file is the same for the same data.
    const rows = Int32Array.from({ length: count }, (_, r) => r).sort((a, b) => keyOf[a]! - keyOf[b]! || a - b);
    tables.push({ keys: Uint32Array.from(rows, (r) => keyOf[r]!), rows });
    if (pacer.due) await pacer.pause();
  }
  pacer.check();
  return new MinhashLshIndex(dim, shape, tables, params.withRawData === false ? null : raw, count);
}
