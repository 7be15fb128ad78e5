import { packBits } from '../../../actors/shared/vector/bitDistance.js';
import { unitRows } from '../../../actors/shared/vector/unitVectors.js';
import { ValidationError } from '../../../messages/errors.js';
import { PQ_NBITS_DEFAULT } from '../../../messages/pqParams.js';
import type { MetricType } from '../../../messages/schema.js';
import { BuildPacer } from '../buildPacer.js';
import type { IndexBuildParams, VectorIndex, VectorIndexFactory } from '../vectorIndex.js';
import { assignRows, invertedLists, vectorsByPosition } from './invertedLists.js';
import { decodeIvfFile, ivfFileKind } from './ivfFile.js';
import { IvfIndex, type IvfStore } from './ivfIndex.js';
import { kmeans } from './kmeans.js';
import { encode8, trainScalarQuantizer8 } from './scalarQuantizer8.js';
import { buildRabitqStore } from './rabitqStore.js';
import { buildPqStore, SCANN_NBITS, SCANN_SUB_DIM, withRowTerms, type PqStore } from './pqStore.js';
import { checkPqShape } from './productQuantizer.js';
import { checkRefineType } from './refineStore.js';

/** Lists an index asks for when its params name none (Milvus's default). */
export const DEFAULT_NLIST = 128;
/** Milvus accepts nlist and nprobe in 1..65536. */
export const MAX_NLIST = 65536;
/**
 * Fewest rows per list. A segment too small for the nlist asked is split into
 * one list per 39 rows (at least one), as Knowhere's MatchNlist does: k-means
 * over fewer points than that per centroid gives lists of a handful of rows.
 */
export const MIN_ROWS_PER_LIST = 39;

/** The nlist a segment of `rows` rows is built with. */
export function effectiveNlist(asked: number, rows: number): number {
  return rows === 0 ? 0 : Math.max(1, Math.min(asked, Math.floor(rows / MIN_ROWS_PER_LIST)));
}

async function build(kind: IvfStore['kind'], vectors: Float32Array, dim: number, metric: MetricType, params: IndexBuildParams): Promise<VectorIndex> {
  if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0) throw new ValidationError(`${vectors.length} floats are not rows of dim ${dim}`);
  if (kind === 'BIN_IVF_FLAT' && dim % 8 !== 0) throw new ValidationError(`a binary index needs a dim that is a multiple of 8, got ${dim}`);
  const pqShape = kind === 'IVF_PQ' || kind === 'SCANN' ? pqShapeOf(kind, dim, params) : undefined;
  const asked = params.nlist ?? DEFAULT_NLIST;
  if (!Number.isInteger(asked) || asked < 1 || asked > MAX_NLIST) throw new ValidationError(`nlist must be an integer in 1..${MAX_NLIST}, got ${asked}`);
  const count = vectors.length / dim;
  const data = metric === 'COSINE' ? unitRows(vectors, dim, count) : vectors;
  const nlist = effectiveNlist(asked, count);
  const pacer = new BuildPacer(params.signal);
  const centroids = nlist > 0 ? (await kmeans(data, dim, { k: nlist, seed: params.seed ?? 1, pacer })).centroids : new Float32Array(0);
  const lists = invertedLists(centroids, dim, await assignRows(data, dim, count, centroids, pacer));
  if (kind === 'BIN_IVF_FLAT') {
    pacer.check();
    return new IvfIndex(metric, dim, lists, { kind, bits: bitsByPosition(data, dim, lists.rows) });
  }
  const byPosition = vectorsByPosition(data, dim, lists.rows);
  let store: IvfStore = { kind: 'IVF_FLAT', vectors: byPosition };
  if (kind === 'IVF_RABITQ') {
    const refineType = params.refineType === undefined ? undefined : checkRefineType(params.refineType);
    store = await buildRabitqStore(byPosition, dim, count, lists, params.seed ?? 1, refineType, pacer);
  } else if (pqShape) {
    store = withRowTerms(await buildPqStore(kind as PqStore['kind'], byPosition, dim, count, lists, pqShape.m, pqShape.nbits, kind === 'SCANN' && (params.withRawData ?? true), params.seed ?? 1, pacer), lists, metric);
  } else if (kind === 'IVF_SQ8') {
    const quantizer = trainScalarQuantizer8(byPosition, dim, count);
    const codes = new Uint8Array(count * dim);
    for (let p = 0; p < count; p++) encode8(quantizer, byPosition, p * dim, codes, p * dim);
    store = { kind, quantizer, codes };
  }
  pacer.check();
  return new IvfIndex(metric, dim, lists, store);
}

/**
 * IVF_PQ's m (required, a divisor of dim) and nbits (default 8); SCANN's
 * fixed shape: 4-bit codes over pairs of dimensions (an even dim, as Milvus requires).
 */
function pqShapeOf(kind: 'IVF_PQ' | 'SCANN', dim: number, params: IndexBuildParams): { m: number; nbits: number } {
  if (kind === 'SCANN') {
    if (dim % SCANN_SUB_DIM !== 0) throw new ValidationError(`SCANN needs an even dim (sub-spaces of ${SCANN_SUB_DIM} dimensions), got ${dim}`, { field: 'dim' });
    return { m: dim / SCANN_SUB_DIM, nbits: SCANN_NBITS };
  }
  if (params.pqM === undefined) throw new ValidationError(`IVF_PQ needs m, the sub-quantizers (a divisor of dim ${dim})`, { field: 'm' });
  const shape = { m: params.pqM, nbits: params.pqNbits ?? PQ_NBITS_DEFAULT };
  checkPqShape(dim, shape.m, shape.nbits);
  return shape;
}

/** Bits widened to 0 and 1 floats, row by row in list order, packed back: position p holds row rows[p]'s dim/8 bytes. */
function bitsByPosition(vectors: Float32Array, dim: number, rows: Int32Array): Uint8Array {
  const size = dim / 8, out = new Uint8Array(rows.length * size);
  for (let p = 0; p < rows.length; p++) out.set(packBits(vectors.subarray(rows[p]! * dim, (rows[p]! + 1) * dim)), p * size);
  return out;
}

function factory(kind: IvfStore['kind']): VectorIndexFactory {
  return {
    build: (vectors, dim, metric, params = {}) => build(kind, vectors, dim, metric, params),
    async load(bytes, dim, metric) {
      // BIN_IVF_FLAT files written before it packed its bits hold them as IVF_FLAT floats: packed on load.
      if (kind === 'BIN_IVF_FLAT' && ivfFileKind(bytes) === 'IVF_FLAT') {
        const { lists, store } = decodeIvfFile(bytes, 'IVF_FLAT', dim, metric);
        const vectors = (store as Extract<IvfStore, { kind: 'IVF_FLAT' }>).vectors;
        return new IvfIndex(metric, dim, lists, { kind, bits: bitsByPosition(vectors, dim, Int32Array.from({ length: lists.rows.length }, (_, p) => p)) });
      }
      const { lists, store } = decodeIvfFile(bytes, kind, dim, metric);
      return new IvfIndex(metric, dim, lists, store);
    },
  };
}

/** IVF_FLAT: k-means lists over float32 vectors; exact distances within the probed lists. */
export const ivfFlatFactory = factory('IVF_FLAT');
/** IVF_SQ8: the same lists over 8-bit codes, a quarter of the memory; distances on decoded values. */
export const ivfSq8Factory = factory('IVF_SQ8');
/** IVF_RABITQ: the same lists over 1-bit RaBitQ codes, a 32nd of the memory plus 12 bytes a row; an optional refine copy re-scores the best candidates. */
export const ivfRabitqFactory = factory('IVF_RABITQ');
/** IVF_PQ: the same lists over product-quantization codes of the residuals (m codes of nbits bits a row); ADC distances. */
export const ivfPqFactory = factory('IVF_PQ');
/** SCANN: IVF with 4-bit PQ codes over pairs of dimensions (fast-scan byte tables); with_raw_data keeps the vectors to re-rank reorder_k candidates exactly. */
export const scannFactory = factory('SCANN');
/**
 * BIN_IVF_FLAT: lists made by k-means over a binary field's bits widened to
 * 0 and 1 (the build's input, dropped once built), each position's bits kept
 * packed (a 32nd of the floats); HAMMING or JACCARD by popcount.
 */
export const binIvfFlatFactory = factory('BIN_IVF_FLAT');
