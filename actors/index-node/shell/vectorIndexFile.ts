import { fieldVectors, packedBlock, presentRows } from '../../shared/vector/vectorColumn.js';
import { embListBlock, embListPath, isEmbListMetric, pairMetric, subVectors } from '../../shared/vector/maxSim.js';
import { isPackedVectorType, type PackedVectorType } from '../../../messages/packedVectors.js';
import { ValidationError } from '../../../messages/errors.js';
import type { IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import type { IndexParams } from '../../../messages/types.js';
import { factoryOf, type IndexBuildParams, type VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';

/**
 * A vector index's file for one sealed segment: the vectors of the indexed
 * field taken from the segment (widened, packed or per element as the field
 * needs), built by the index type's factory and serialized. Pure CPU work over
 * the segment, run on the index node's build thread (buildThread.ts) or inline.
 */
export async function vectorIndexFile(seg: SealedSegment, t: IndexNodeProtocol['buildIndex']['req'], indexes: VectorIndexFactories): Promise<Uint8Array> {
  if (!t.index.metricType) throw new ValidationError(`vector index ${t.index.indexName} has no metric type`);
  // A Struct's vector sub-field: one graph over every element's vector, by the MAX_SIM metric's pair metric (shared/vector/maxSim.ts).
  const path = embListPath(t.index.fieldName);
  if (path && isEmbListMetric(t.index.metricType)) {
    const column = seg.fields[path.field];
    const dim = (column?.flatMap((v) => subVectors(v, path.sub) ?? [])[0])?.length ?? 1;
    const { vectors } = embListBlock(column, seg.count, path.sub, dim);
    const index = await factoryOf(indexes, t.index.indexType).build(vectors, dim, pairMetric(t.index.metricType), buildParamsOf(t.index));
    return index.serialize();
  }
  // The first vector field is the file's block; any other is a column of its own (shared/vector/vectorColumn.ts).
  // A packed field (Float16Vector, BinaryVector, ...) is widened to float32 by its type and dim, which the field's schema gives.
  const packed = t.field && isPackedVectorType(t.field.dataType) ? t.field : undefined;
  const factory = factoryOf(indexes, t.index.indexType);
  // A nullable field's rows holding no vector are left out (Milvus 2.6): the index maps its rows back (runtime/vectorIndex/rowMappedIndex.ts).
  // A segment older than an added field has no column: none of its rows is indexed.
  const nullable = t.field?.nullable === true && t.field.name === t.index.fieldName;
  // A binary field's bits go packed to a factory that takes them so (MINHASH_LSH): long signatures are never widened 32-fold.
  if (!nullable && packed?.dataType === 'BinaryVector' && factory.buildBits && t.index.fieldName in seg.fields) {
    const bits = packedBlock(seg.fields[t.index.fieldName]!, seg.count, packed.dim! / 8);
    return (await factory.buildBits(bits, packed.dim!, t.index.metricType, buildParamsOf(t.index))).serialize();
  }
  const rows = nullable ? presentRows(seg.fields[t.index.fieldName], seg.count) : undefined;
  const { vectors, dim } = nullable && !(t.index.fieldName in seg.fields)
    ? { vectors: new Float32Array(0), dim: t.field!.dim! }
    : fieldVectors(seg, t.index.fieldName in seg.fields ? t.index.fieldName : undefined, t.field?.nullable ? t.field.dim : packed?.dim, packed ? t.field!.dataType as PackedVectorType : undefined);
  // Under partition key isolation, one sub-index per key value the segment holds (runtime/vectorIndex/keyedIndex.ts).
  const groups = t.partitionKey ? keyGroups(seg.fields[t.partitionKey.name], rows ?? seg.count) : undefined;
  // The field's type lets an index keep a half field's vectors at their own width (DISKANN's records).
  const vectorType = packed ? { vectorType: packed.dataType } : {};
  const index = await factory.build(vectors, dim, t.index.metricType, { ...buildParamsOf(t.index), ...vectorType, ...(rows ? { rows } : {}), ...(groups ? { groups } : {}) });
  return index.serialize();
}

/** The rows (all `count`, or those given) grouped by their partition key value, ascending in each group; a null key is in no group. */
export function keyGroups(column: ArrayLike<unknown> | undefined, rows: Int32Array | number): Array<{ key: number | string; rows: Int32Array }> {
  const byKey = new Map<number | string, number[]>();
  const n = typeof rows === 'number' ? rows : rows.length;
  for (let i = 0; i < n; i++) {
    const row = typeof rows === 'number' ? i : rows[i]!;
    const key = column?.[row];
    if (typeof key !== 'number' && typeof key !== 'string') continue;
    const list = byKey.get(key);
    if (list) list.push(row); else byKey.set(key, [row]);
  }
  return [...byKey].map(([key, list]) => ({ key, rows: Int32Array.from(list) }));
}

/** The build params an index's (normalised) params name; a factory fills in what is absent. */
function buildParamsOf(index: IndexParams): IndexBuildParams {
  const out: IndexBuildParams = {};
  for (const k of ['M', 'efConstruction', 'nlist'] as const) if (index.params[k] !== undefined) out[k] = Number(index.params[k]);
  // IVF_RABITQ's refine copy (normalised by the coordinator: refine 'true' or 'false', refine_type an upper-case name).
  if (index.params.refine === 'true') out.refineType = String(index.params.refine_type);
  // IVF_PQ (normalised by the coordinator: m and nbits numbers).
  if (index.params.m !== undefined) out.pqM = Number(index.params.m);
  if (index.params.nbits !== undefined) out.pqNbits = Number(index.params.nbits);
  // MINHASH_LSH and SCANN (normalised by the coordinator: numbers, with_raw_data 'true' or 'false').
  if (index.params.mh_element_bit_width !== undefined) out.mhElementBitWidth = Number(index.params.mh_element_bit_width);
  if (index.params.mh_lsh_band !== undefined) out.mhLshBand = Number(index.params.mh_lsh_band);
  if (index.params.with_raw_data !== undefined) out.withRawData = index.params.with_raw_data === 'true';
  // DISKANN (normalised by the coordinator: numbers).
  if (index.params.max_degree !== undefined) out.maxDegree = Number(index.params.max_degree);
  if (index.params.search_list_size !== undefined) out.searchListSize = Number(index.params.search_list_size);
  if (index.params.pq_code_budget_gb_ratio !== undefined) out.pqCodeBudgetGbRatio = Number(index.params.pq_code_budget_gb_ratio);
  if (index.params.search_cache_budget_gb_ratio !== undefined) out.searchCacheBudgetGbRatio = Number(index.params.search_cache_budget_gb_ratio);
  if (index.params.beamwidth_ratio !== undefined) out.beamwidthRatio = Number(index.params.beamwidth_ratio);
  return out;
}
