import { asNuthatchError, primaryField, type NuthatchError } from '../../messages/index.js';
import type { AggregatedSearchResult, AggregationBucket, AggregationHit, CollectionDescription, Hit, IndexDescription, RowObject, WriteResult } from '../client/api.js';

/**
 * Response bodies in Milvus's v2 shape: `{code: 0, data}` on success and
 * `{code, message}` on failure, where code is the NuthatchError wire code.
 * Pure: api results in, JSON-ready objects out.
 */

export interface OkBody { code: 0; data: unknown; [extra: string]: unknown }
export interface ErrorBody { code: number; message: string }

/** A success body; `extra` holds top-level siblings of data (search's `topks`). */
export function ok(data: unknown, extra: Record<string, unknown> = {}): OkBody {
  return { code: 0, data, ...extra };
}

/** Any thrown value as an error body; unknown exceptions become Internal (code 1). */
export function errorBody(e: unknown): { body: ErrorBody; error: NuthatchError } {
  const error = asNuthatchError(e);
  return { body: { code: error.wireCode, message: error.message }, error };
}

/** describe: Milvus's collection description, plus nuthatch's vchannels and creation TSO. */
export function describeCollectionBody(d: CollectionDescription): Record<string, unknown> {
  const pk = primaryField(d.schema);
  return {
    collectionName: d.collectionName,
    collectionID: d.collectionId,
    description: d.schema.description ?? '',
    autoId: pk.autoId === true,
    fields: d.schema.fields.map((f) => {
      const params: Array<{ key: string; value: string }> = [];
      if (f.dim !== undefined) params.push({ key: 'dim', value: String(f.dim) });
      if (f.maxLength !== undefined) params.push({ key: 'max_length', value: String(f.maxLength) });
      if (f.maxCapacity !== undefined) params.push({ key: 'max_capacity', value: String(f.maxCapacity) });
      if (f.enableAnalyzer) params.push({ key: 'enable_analyzer', value: 'true' });
      if (f.analyzerParams !== undefined) params.push({ key: 'analyzer_params', value: JSON.stringify(f.analyzerParams) });
      if (f.multiAnalyzerParams !== undefined) params.push({ key: 'multi_analyzer_params', value: JSON.stringify(f.multiAnalyzerParams) });
      if (f.warmup !== undefined) params.push({ key: 'warmup', value: f.warmup });
      return {
        name: f.name, type: f.dataType, ...(f.elementType ? { elementType: f.elementType } : {}), description: '',
        primaryKey: f.isPrimary === true, autoId: f.autoId === true, nullable: f.nullable === true,
        // The plain value (18, "active"), where Milvus prints its protobuf ValueField.
        ...(f.defaultValue === undefined || f.defaultValue === null ? {} : { defaultValue: f.defaultValue }),
        partitionKey: f.isPartitionKey === true, clusteringKey: f.isClusteringKey === true,
        ...(params.length > 0 ? { params } : {}),
        // An Array of Structs lists its sub-fields as fields are listed.
        ...(f.structFields ? { fields: f.structFields.map((x) => ({ name: x.name, type: x.dataType, description: '', ...(x.dim !== undefined ? { params: [{ key: 'dim', value: String(x.dim) }] } : x.maxLength !== undefined ? { params: [{ key: 'max_length', value: String(x.maxLength) }] } : {}) })) } : {}),
      };
    }),
    // Functions as fields list their params: key and value, values as text.
    ...(d.schema.functions?.length ? {
      functions: d.schema.functions.map((fn) => ({
        name: fn.name, type: fn.type, description: '', inputFieldNames: fn.inputFieldNames, outputFieldNames: fn.outputFieldNames,
        params: Object.entries(fn.params ?? {}).map(([key, value]) => ({ key, value: String(value) })),
      })),
    } : {}),
    // A scalar index has no metric: Milvus prints an empty one.
    indexes: d.indexes.map((ix) => ({ fieldName: ix.fieldName, indexName: ix.indexName, metricType: ix.metricType ?? '' })),
    load: d.loadState,
    // A partial load's fields (load_fields, skip_load_dynamic_field); absent: every field is loaded.
    ...(d.loadFields ? { loadFields: d.loadFields, skipLoadDynamicField: d.skipLoadDynamicField === true } : {}),
    shardsNum: d.shardsNum,
    partitionsNum: d.numPartitions,
    consistencyLevel: d.consistencyLevel,
    enableDynamicField: d.schema.enableDynamicField === true,
    aliases: d.aliases,
    properties: d.properties,
    vchannels: d.vchannels,
    // A TSO is a 64-bit integer; as a string it survives JSON.
    createdTso: String(d.createdTso),
    schemaVersion: String(d.schemaVersion),
  };
}

/** indexes/describe: one entry per index, as Milvus lists them. */
export function describeIndexesBody(list: IndexDescription[]): Array<Record<string, unknown>> {
  return list.map((ix) => ({
    indexName: ix.indexName, fieldName: ix.fieldName, indexType: ix.indexType, metricType: ix.metricType ?? '',
    params: ix.params,
    totalRows: ix.totalRows, indexedRows: ix.indexedRows, pendingRows: ix.pendingRows,
    indexState: ix.indexState, failReason: '',
  }));
}

/** entities/insert: `{insertCount, insertIds}`. */
export function insertBody(r: WriteResult): Record<string, unknown> {
  return { insertCount: r.count, insertIds: r.ids };
}

/** entities/upsert: `{upsertCount, upsertIds}`. */
export function upsertBody(r: WriteResult): Record<string, unknown> {
  return { upsertCount: r.count, upsertIds: r.ids };
}

/**
 * Search results as Milvus 2.5+ returns them: one flat list of hits
 * `{...outputFields, id, distance}` (and `highlight` with a highlighter) in query order, plus `topks`, the number of
 * hits of each query vector, so a client splits the list per query.
 */
export function searchBody(results: Hit[][]): OkBody {
  const data: RowObject[] = [];
  for (const hits of results) {
    for (const h of hits) data.push({ ...plainRow(h.fields), id: h.id, distance: h.distance, ...(h.highlight ? { highlight: h.highlight } : {}) });
  }
  return ok(data, { topks: results.map((hits) => hits.length) });
}

/**
 * An aggregated search's answer: `data` the buckets of every query vector one
 * after another (`topks` how many each), each {key, count, metrics, hits:
 * [{pk, score, fields}], sub_groups}, hit fields JSON-ready.
 */
export function aggregationBody(result: AggregatedSearchResult): OkBody {
  const plain = (b: AggregationBucket<AggregationHit>): Record<string, unknown> => ({
    ...b, hits: b.hits.map((h) => ({ ...h, fields: plainRow(h.fields) })), sub_groups: b.sub_groups.map(plain),
  });
  return ok(result.agg_buckets.flat().map(plain), { topks: result.agg_buckets.map((b) => b.length) });
}

/** Rows of get and query, made JSON-ready. */
export function rowsBody(rows: RowObject[]): RowObject[] {
  return rows.map(plainRow);
}

/**
 * Float32Array vectors would serialize as `{"0": ...}` and bigints not at all:
 * turn them into plain arrays and numbers (or decimal strings when too large).
 */
function plainRow(row: RowObject): RowObject {
  let out: RowObject | undefined;
  for (const [k, v] of Object.entries(row)) {
    let w: unknown = v;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) w = Array.from(v as Float32Array);
    else if (typeof v === 'bigint') w = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
    if (w !== v) (out ??= { ...row })[k] = w;
  }
  return out ?? row;
}
