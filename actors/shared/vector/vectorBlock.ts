import { ValidationError } from '../../../messages/errors.js';
import { packedRowBytes, type PackedVectorType } from '../../../messages/packedVectors.js';
import type { MetricType } from '../../../messages/schema.js';
import { bitQuery, hammingBytes, hammingWords, jaccardBytes, jaccardWords, packBits } from './bitDistance.js';
import { distanceFn } from './distance.js';
import { halfDistanceFn, halfTable, int8DistanceFn } from './packedDistance.js';
import { DEFAULT_MH_ELEMENT_BITS, mhJaccardScorer } from './minhashDistance.js';
import type { RowMap } from './compactColumn.js';

/**
 * The rows a search compares, as they are stored (pure): a FloatVector's
 * float32 block (row r at [r * dim, (r + 1) * dim)), or a packed field's bytes
 * (row r at [r * rowBytes, (r + 1) * rowBytes), messages/packedVectors.ts),
 * which are read in place: bits by popcount (bitDistance.ts), int8 and halves
 * element by element (packedDistance.ts). With a `map` (a nullable field's
 * compact column, compactColumn.ts), the storage holds only the rows having
 * a vector, slot after slot, and row r is at slot `map.slots[r]` (-1: null).
 */
export type VectorBlock = (
  | { type: 'FloatVector'; dim: number; vectors: Float32Array }
  | { type: PackedVectorType; dim: number; bytes: Uint8Array }
) & { map?: RowMap };

/** The distance of one row of a block to the query a scorer was made for. */
export type RowScore = (row: number) => number;

export function floatBlock(vectors: Float32Array, dim: number): VectorBlock {
  return { type: 'FloatVector', dim, vectors };
}

/** Rows the block has room for (a compact block: every row its map knows, null or not). */
export function blockRows(b: VectorBlock): number {
  if (b.map) return b.map.slots.length;
  if (b.dim < 1) return 0;
  return b.type === 'FloatVector' ? Math.floor(b.vectors.length / b.dim) : Math.floor(b.bytes.length / packedRowBytes(b.type, b.dim));
}

/** Bytes the block's vectors hold: what a search keeps resident for them (a compact block's map aside). */
export function blockBytes(b: VectorBlock): number {
  return b.type === 'FloatVector' ? b.vectors.byteLength : b.bytes.byteLength;
}

/**
 * The scorer of `query` (float32 as the shards take it: a binary query's
 * bits as 0 and 1) against the rows of `block` under `metric`, in the Milvus
 * convention of distance.ts. A metric the field's type does not take is a
 * ValidationError. `mhElementBytes` is the width of a MinHash value under
 * MHJACCARD (default 4: 32 bits). A compact block's rows are found through
 * its map: a null row has no distance, and must never be asked for.
 */
export function rowScorer(block: VectorBlock, metric: MetricType, query: Float32Array, mhElementBytes?: number): RowScore {
  const score = slotScorer(block, metric, query, mhElementBytes);
  if (!block.map) return score;
  const slots = block.map.slots;
  return (row) => score(slots[row]!);
}

/** rowScorer over the block's storage as it lies: slot s of a compact block (its row map.rows[s]), row s of any other. */
export function slotScorer(block: VectorBlock, metric: MetricType, query: Float32Array, mhElementBytes?: number): RowScore {
  const dim = block.dim;
  if (query.length !== dim) throw new ValidationError(`query has ${query.length} floats, the vectors have dim ${dim}`);
  if (block.type === 'FloatVector') {
    const dist = distanceFn(metric), vectors = block.vectors;
    return (row) => dist(vectors, row * dim, query, dim);
  }
  if (block.type === 'BinaryVector') return bitScorer(block.bytes, dim / 8, metric, packBits(query), mhElementBytes);
  const bytes = block.bytes;
  if (block.type === 'Int8Vector') {
    const dist = int8DistanceFn(metric);
    if (!dist) throw new ValidationError(`metric ${metric} does not apply to an Int8Vector field`);
    const data = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    return (row) => dist(data, row * dim, query, dim);
  }
  const dist = halfDistanceFn(metric);
  if (!dist) throw new ValidationError(`metric ${metric} does not apply to a ${block.type} field`);
  // Halves are read as 16-bit words: a block off a 2-byte boundary is copied once (blocks made here never are).
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const data = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1), table = halfTable(block.type === 'BFloat16Vector');
  return (row) => dist(table, data, row * dim, query, dim);
}

/**
 * HAMMING or JACCARD of a packed query against rows of `rowBytes` bytes:
 * over a Uint32Array view when every row starts on a 4-byte boundary, else
 * over words assembled from the bytes. MHJACCARD reads the rows as MinHash
 * signatures of `mhElementBytes`-byte values (minhashDistance.ts).
 */
export function bitScorer(bytes: Uint8Array, rowBytes: number, metric: MetricType, query: Uint8Array, mhElementBytes = DEFAULT_MH_ELEMENT_BITS / 8): RowScore {
  if (metric === 'MHJACCARD') return mhJaccardScorer(bytes, rowBytes, query, mhElementBytes);
  if (metric !== 'HAMMING' && metric !== 'JACCARD') throw new ValidationError(`metric ${metric} does not apply to a BinaryVector field (HAMMING, JACCARD, MHJACCARD)`);
  if (query.length !== rowBytes) throw new ValidationError(`query has ${query.length} bytes, the rows ${rowBytes}`);
  const hamming = metric === 'HAMMING';
  if (bytes.byteOffset % 4 === 0 && rowBytes % 4 === 0) {
    const data = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2), words = rowBytes >> 2;
    const q = new Uint32Array(query.slice().buffer);
    return hamming ? (row) => hammingWords(data, row * words, q, words) : (row) => jaccardWords(data, row * words, q, words);
  }
  const q = bitQuery(query);
  return hamming ? (row) => hammingBytes(bytes, row * rowBytes, q, rowBytes) : (row) => jaccardBytes(bytes, row * rowBytes, q, rowBytes);
}
