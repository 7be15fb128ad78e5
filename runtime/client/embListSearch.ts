import { ValidationError } from '../../messages/errors.js';
import { EMB_LIST_METRICS, type EmbListMetric, type StructSubField } from '../../messages/structArray.js';
import type { SearchRequest } from './api.js';

/**
 * The client's side of an embedding-list search (pure): the metric it asks
 * for, and its embedding lists checked and flattened for the shards.
 */

/**
 * The search's MAX_SIM metric: its index's when the sub-field has one (a
 * search that names another is refused, as for other fields), else as asked
 * (MAX_SIM is MAX_SIM_COSINE, as in Milvus), MAX_SIM_COSINE by default.
 */
export function embListMetricOf(req: SearchRequest, annsField: string, indexed?: string): EmbListMetric {
  const raw = req.searchParams?.metricType as string | undefined;
  const asked = raw === 'MAX_SIM' ? 'MAX_SIM_COSINE' : raw;
  if (asked !== undefined && !(EMB_LIST_METRICS as readonly string[]).includes(asked)) throw new ValidationError(`'${annsField}' is searched with embedding lists: metricType must be one of ${EMB_LIST_METRICS.join(', ')} (or MAX_SIM), not ${asked}`, { field: 'metricType' });
  if (indexed !== undefined && asked !== undefined && asked !== indexed) throw new ValidationError(`metricType ${asked} differs from '${annsField}''s index metric ${indexed}`, { field: 'metricType' });
  return (indexed ?? asked ?? 'MAX_SIM_COSINE') as EmbListMetric;
}

/** What an embedding-list search cannot take (Milvus 2.6 has none of these on Struct vectors). */
export function refuseEmbListOptions(req: SearchRequest, annsField: string): void {
  const params = req.searchParams?.params ?? {};
  const no = (what: string) => new ValidationError(`an embedding-list search of '${annsField}' takes no ${what}`, { field: what });
  if (req.groupingField !== undefined) throw no('groupingField');
  if (params.radius !== undefined || params.range_filter !== undefined) throw no('radius or range_filter (range search)');
  if (req.ranker !== undefined) throw no('ranker');
}

/** Each embedding list (a list of vectors of the sub-field's dim) as one flat Float32Array. */
export function embListQueries(sub: Pick<StructSubField, 'name' | 'dim'>, annsField: string, data: unknown): Float32Array[] {
  if (!Array.isArray(data) || data.length === 0) throw new ValidationError(`a search of '${annsField}' needs data: a non-empty list of embedding lists`, { field: 'data' });
  if (data.length > 1024) throw new ValidationError('search takes at most 1024 embedding lists at once', { field: 'data' });
  const dim = sub.dim!;
  return data.map((list: unknown, i) => {
    if (!Array.isArray(list) || list.length === 0) throw new ValidationError(`data[${i}] must be an embedding list: a non-empty list of vectors`, { field: `data[${i}]` });
    const out = new Float32Array(list.length * dim);
    list.forEach((v: unknown, j) => {
      if (!Array.isArray(v) && !(v instanceof Float32Array)) throw new ValidationError(`data[${i}][${j}] must be a vector: a list of ${dim} numbers`, { field: `data[${i}][${j}]` });
      if (v.length !== dim) throw new ValidationError(`data[${i}][${j}] has dimension ${v.length}, sub-field '${annsField}' has ${dim}`, { field: `data[${i}][${j}]` });
      for (let x = 0; x < dim; x++) {
        const n = v[x];
        if (typeof n !== 'number' || !Number.isFinite(n)) throw new ValidationError(`data[${i}][${j}] holds a NaN, Infinity or non-number at ${x}`, { field: `data[${i}][${j}]` });
        out[j * dim + x] = n;
      }
    });
    return out;
  });
}
