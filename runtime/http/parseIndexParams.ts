import { checkName, MetricType, ValidationError, type IndexParams } from '../../messages/index.js';
import { describe, JsonReader } from './JsonReader.js';

/** An index to create; the metric may be left to the collection's. */
export type IndexSpec = Omit<IndexParams, 'metricType'> & { metricType?: MetricType };

/** Index type used when a request names none (Milvus's default as well). */
export const DEFAULT_INDEX_TYPE = 'AUTOINDEX';

const INDEX_KEYS = ['fieldName', 'indexName', 'metricType', 'indexType', 'params'] as const;

/** A metric type name; Milvus spells them upper case, we accept any case. */
export function metricFrom(v: unknown, path: string): MetricType {
  const found = typeof v === 'string' ? Object.values(MetricType).find((m) => m === v.toUpperCase()) : undefined;
  if (!found) throw new ValidationError(`field '${path}' must be one of ${Object.values(MetricType).join(', ')}, got ${describe(v)}`, { field: path });
  return found;
}

/**
 * Parses `indexParams`: a non-empty list of `{fieldName, indexName, metricType,
 * indexType, params: {index_type, M, efConstruction, ...}}`. The index type may
 * come as `indexType` or `params.index_type` (Milvus takes both); index names
 * default to the field name and must be unique, as must the indexed fields
 * (a JSON field's paths: `params: {json_path, json_cast_type}`).
 */
export function parseIndexParams(v: unknown, path: string): IndexSpec[] {
  if (!Array.isArray(v)) throw new ValidationError(`field '${path}' must be a list of index objects, got ${describe(v)}`, { field: path });
  if (v.length === 0) throw new ValidationError(`field '${path}' must not be an empty list`, { field: path });
  const specs = v.map((item, i) => parseOne(JsonReader.object(item, `${path}[${i}]`, INDEX_KEYS)));
  const names = new Set<string>(), targets = new Set<string>();
  for (const s of specs) {
    // A JSON field has one index per json_path (the coordinator checks the paths themselves).
    const jsonPath = s.params.json_path, target = jsonPath === undefined ? s.fieldName : `${s.fieldName} ${String(jsonPath)}`;
    if (names.has(s.indexName)) throw new ValidationError(`duplicate index name '${s.indexName}' in ${path}`, { field: path });
    if (targets.has(target)) throw new ValidationError(`${jsonPath === undefined ? `field '${s.fieldName}'` : `json_path ${String(jsonPath)} of '${s.fieldName}'`} is indexed twice in ${path}`, { field: path });
    names.add(s.indexName); targets.add(target);
  }
  return specs;
}

function parseOne(r: JsonReader): IndexSpec {
  const fieldName = checkName('field', r.str('fieldName'));
  const indexName = r.has('indexName') ? checkName('index', r.str('indexName')) : fieldName;
  const metricType = r.has('metricType') && r.raw('metricType') !== '' ? metricFrom(r.raw('metricType'), r.at('metricType')) : undefined;
  const raw = r.has('params') ? r.map('params') : {};
  const params: Record<string, number | string> = {};
  let typeInParams: string | undefined;
  for (const [key, value] of Object.entries(raw)) {
    const at = `${r.at('params')}.${key}`;
    if (key === 'index_type') {
      if (typeof value !== 'string' || value === '') throw new ValidationError(`field '${at}' must be a non-empty string, got ${describe(value)}`, { field: at });
      typeInParams = value;
    } else if (key === 'metric_type') {
      throw new ValidationError(`field '${at}' belongs one level up, as '${r.at('metricType')}'`, { field: at });
    } else {
      params[key] = paramValue(value, at);
    }
  }
  const typeField = r.optStr('indexType');
  if (typeField && typeInParams && typeField.toUpperCase() !== typeInParams.toUpperCase()) {
    throw new ValidationError(`'${r.at('indexType')}' (${typeField}) and '${r.at('params')}.index_type' (${typeInParams}) disagree`, { field: r.at('indexType') });
  }
  const indexType = (typeField ?? typeInParams ?? DEFAULT_INDEX_TYPE).toUpperCase();
  return metricType === undefined ? { indexName, fieldName, indexType, params } : { indexName, fieldName, indexType, metricType, params };
}

/**
 * An index build parameter: a finite number, or a string. Milvus examples send
 * numbers as strings ("M": "16"); those become numbers so every client builds
 * the same index.
 */
function paramValue(v: unknown, path: string): number | string {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  // A switch (IVF_RABITQ's refine: true) is kept as Milvus's string form.
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  throw new ValidationError(`field '${path}' must be a number, a string or a boolean, got ${describe(v)}`, { field: path });
}
