import {
  FLOAT_METRICS, LIMITS, MetricType, ValidationError, packedVectorFields, sparseFields, validateSchema, vectorField, vectorFields,
  type CollectionSchema, type FieldSchema,
} from '../../messages/index.js';
import type { ConsistencyLevel, CreateCollectionRequest } from '../client/api.js';
import { boolParam, consistencyFrom, DB_NAME, intParam, readCollectionName } from './common.js';
import { MAX_TTL_SECONDS } from '../../messages/collectionProperties.js';
import { describe, JsonReader } from './JsonReader.js';
import { DEFAULT_INDEX_TYPE, metricFrom, parseIndexParams, type IndexSpec } from './parseIndexParams.js';
import { parseSchema } from './parseSchema.js';
import { readProperties } from './parseCollections.js';

const QUICK_KEYS = ['dimension', 'idType', 'autoID', 'autoId', 'primaryFieldName', 'vectorFieldName'] as const;
const KEYS = [DB_NAME, 'collectionName', ...QUICK_KEYS, 'metricType', 'schema', 'indexParams', 'params', 'description', 'consistencyLevel', 'properties'] as const;
const PARAM_KEYS = ['max_length', 'enableDynamicField', 'shardsNum', 'consistencyLevel', 'ttlSeconds', 'partitionsNum', 'partitionKeyIsolation'] as const;
const UNSUPPORTED_PARAMS = ['mmap_enabled', 'mmap.enabled'] as const;

/**
 * Parses POST /v2/vectordb/collections/create in either Milvus form:
 * quick setup (`dimension`, optional `idType`, `autoID`, field names, metric;
 * creates an index and loads) or custom setup (`schema` with `fields`, optional
 * `indexParams`; loads when the vector field gets an index, as Milvus does).
 */
export function parseCreateCollection(body: unknown): CreateCollectionRequest {
  const r = JsonReader.object(body, '', KEYS);
  const collectionName = readCollectionName(r);
  const params = r.optObj('params', PARAM_KEYS, UNSUPPORTED_PARAMS);
  const common = {
    collectionName,
    shardsNum: params?.has('shardsNum') ? intParam(params.raw('shardsNum'), params.at('shardsNum'), 1, LIMITS.maxShards) : undefined,
    consistencyLevel: readCreateConsistency(r, params),
  };
  const out = r.has('schema') ? customSetup(r, params) : quickSetup(r, params);
  const req: CreateCollectionRequest = { ...common, ...out };
  const numPartitions = readPartitionsNum(params);
  if (numPartitions !== undefined) req.numPartitions = numPartitions;
  if (req.shardsNum === undefined) delete req.shardsNum;
  if (req.consistencyLevel === undefined) delete req.consistencyLevel;
  const properties = readCreateProperties(r, params);
  if (properties) req.properties = properties;
  return req;
}

/** `params.partitionsNum`: how many partitions a partition key spreads rows over (whether the schema has a key is the coordinator's check, as Milvus's). */
function readPartitionsNum(params: JsonReader | undefined): number | undefined {
  return params?.has('partitionsNum') ? intParam(params.raw('partitionsNum'), params.at('partitionsNum'), 1, LIMITS.maxPartitions) : undefined;
}

/** `properties` by Milvus's names, and `params.ttlSeconds` and `params.partitionKeyIsolation` (the REST forms of collection.ttl.seconds and partitionkey.isolation); checked by the api. */
function readCreateProperties(r: JsonReader, params: JsonReader | undefined): Record<string, string | number | boolean> | undefined {
  const props = r.has('properties') ? readProperties(r) : {};
  if (params?.has('ttlSeconds')) {
    const ttl = intParam(params.raw('ttlSeconds'), params.at('ttlSeconds'), 0, MAX_TTL_SECONDS);
    if (props['collection.ttl.seconds'] !== undefined && Number(props['collection.ttl.seconds']) !== ttl) throw new ValidationError(`'params.ttlSeconds' and 'properties.collection.ttl.seconds' disagree`, { field: 'params.ttlSeconds' });
    props['collection.ttl.seconds'] = ttl;
  }
  // `params.partitionKeyIsolation`: the REST form of the partitionkey.isolation property (the coordinator checks the schema has a key).
  if (params?.has('partitionKeyIsolation')) {
    const on = boolParam(params.raw('partitionKeyIsolation'), params.at('partitionKeyIsolation'));
    const given = props['partitionkey.isolation'];
    if (given !== undefined && String(given).toLowerCase() !== String(on)) throw new ValidationError(`'params.partitionKeyIsolation' and 'properties.partitionkey.isolation' disagree`, { field: 'params.partitionKeyIsolation' });
    props['partitionkey.isolation'] = on;
  }
  return Object.keys(props).length > 0 ? props : undefined;
}

type SetupPart = Pick<CreateCollectionRequest, 'schema' | 'metricType' | 'indexParams' | 'load'>;

function quickSetup(r: JsonReader, params: JsonReader | undefined): SetupPart {
  if (!r.has('dimension')) throw new ValidationError(`give 'dimension' (quick setup) or 'schema' (custom setup) to create a collection`, { field: 'dimension' });
  const dim = r.int('dimension', 1, LIMITS.maxDim);
  const idType = r.has('idType') ? idTypeFrom(r.raw('idType'), r.at('idType')) : 'Int64';
  const autoId = readAutoId(r);
  const pkName = r.optStr('primaryFieldName') ?? 'id';
  const vecName = r.optStr('vectorFieldName') ?? 'vector';
  const metricType = r.has('metricType') ? metricFrom(r.raw('metricType'), r.at('metricType')) : MetricType.COSINE;
  // The quick setup's vector field is a FloatVector: a float metric.
  if (!FLOAT_METRICS.includes(metricType)) throw new ValidationError(`field '${r.at('metricType')}' must be one of ${FLOAT_METRICS.join(', ')} for the FloatVector of a quick setup, got ${metricType}`, { field: r.at('metricType') });
  const pk: FieldSchema = { name: pkName, dataType: idType, isPrimary: true, autoId };
  if (idType === 'VarChar') {
    if (!params?.has('max_length')) throw new ValidationError(`a VarChar id needs 'params.max_length'`, { field: 'params.max_length' });
    pk.maxLength = intParam(params.raw('max_length'), params.at('max_length'), 1, LIMITS.maxVarCharLength);
  } else if (params?.has('max_length')) {
    throw new ValidationError(`'params.max_length' is only for idType VarChar`, { field: 'params.max_length' });
  }
  const enableDynamicField = params?.has('enableDynamicField') ? boolParam(params.raw('enableDynamicField'), params.at('enableDynamicField')) : true;
  const description = r.optStr('description', { allowEmpty: true });
  const schema: CollectionSchema = { fields: [pk, { name: vecName, dataType: 'FloatVector', dim }], enableDynamicField };
  if (description) schema.description = description;
  validateSchema(schema);
  const index: IndexSpec = { indexName: vecName, fieldName: vecName, indexType: DEFAULT_INDEX_TYPE, metricType, params: {} };
  return { schema, metricType, indexParams: [index], load: true };
}

function customSetup(r: JsonReader, params: JsonReader | undefined): SetupPart {
  for (const k of QUICK_KEYS) {
    if (r.has(k)) throw new ValidationError(`field '${k}' belongs to the quick setup and cannot be combined with 'schema'`, { field: k });
  }
  if (params?.has('max_length')) throw new ValidationError(`'params.max_length' belongs to the quick setup; give VarChar fields elementTypeParams.max_length`, { field: 'params.max_length' });
  const schema = parseSchema(r.raw('schema'), 'schema');
  if (params?.has('enableDynamicField')) {
    const fromParams = boolParam(params.raw('enableDynamicField'), params.at('enableDynamicField'));
    if (schema.enableDynamicField !== undefined && schema.enableDynamicField !== fromParams) {
      throw new ValidationError(`'schema.enableDynamicField' and 'params.enableDynamicField' disagree`, { field: 'params.enableDynamicField' });
    }
    schema.enableDynamicField = fromParams;
  }
  const description = r.optStr('description', { allowEmpty: true });
  if (description) schema.description = description;
  validateSchema(schema);
  const vec = vectorField(schema), vectorNames = new Set([...vectorFields(schema), ...packedVectorFields(schema), ...sparseFields(schema)].map((f) => f.name));
  const indexes = r.has('indexParams') ? parseIndexParams(r.raw('indexParams'), 'indexParams') : [];
  const names = new Set(schema.fields.map((f) => f.name));
  for (const [i, ix] of indexes.entries()) {
    if (!names.has(ix.fieldName)) throw new ValidationError(`'indexParams[${i}].fieldName' names '${ix.fieldName}', which is not a field of the schema`, { field: `indexParams[${i}].fieldName` });
    if (!vectorNames.has(ix.fieldName) && ix.metricType) throw new ValidationError(`'indexParams[${i}]' indexes scalar field '${ix.fieldName}', which takes no metricType`, { field: `indexParams[${i}].metricType` });
  }
  // The collection's metric is its FloatVector's index's; without a FloatVector, its first packed field's.
  const first = vec ?? packedVectorFields(schema)[0]!;
  const vecIndex = indexes.find((ix) => ix.fieldName === first.name);
  const topMetric = r.has('metricType') ? metricFrom(r.raw('metricType'), r.at('metricType')) : undefined;
  if (topMetric && vecIndex?.metricType && topMetric !== vecIndex.metricType) {
    throw new ValidationError(`'metricType' (${topMetric}) and the vector index's metricType (${vecIndex.metricType}) disagree`, { field: 'metricType' });
  }
  const metricType = vecIndex?.metricType ?? topMetric ?? (first.dataType === 'BinaryVector' ? MetricType.HAMMING : MetricType.COSINE);
  if (vecIndex) vecIndex.metricType = metricType;
  const part: SetupPart = { schema, metricType, load: vecIndex !== undefined };
  if (indexes.length > 0) part.indexParams = indexes;
  return part;
}

function readCreateConsistency(r: JsonReader, params: JsonReader | undefined): ConsistencyLevel | undefined {
  const top = r.has('consistencyLevel') ? consistencyFrom(r.raw('consistencyLevel'), 'consistencyLevel') : undefined;
  const inParams = params?.has('consistencyLevel') ? consistencyFrom(params.raw('consistencyLevel'), params.at('consistencyLevel'), true) : undefined;
  if (top && inParams && top !== inParams) throw new ValidationError(`'consistencyLevel' and 'params.consistencyLevel' disagree`, { field: 'consistencyLevel' });
  return top ?? inParams;
}

function readAutoId(r: JsonReader): boolean {
  const a = r.has('autoID') ? boolParam(r.raw('autoID'), 'autoID') : undefined;
  const b = r.has('autoId') ? boolParam(r.raw('autoId'), 'autoId') : undefined;
  if (a !== undefined && b !== undefined && a !== b) throw new ValidationError(`'autoID' and 'autoId' disagree`, { field: 'autoID' });
  return a ?? b ?? false;
}

function idTypeFrom(v: unknown, path: string): 'Int64' | 'VarChar' {
  if (typeof v === 'string' && v.toLowerCase() === 'int64') return 'Int64';
  if (typeof v === 'string' && v.toLowerCase() === 'varchar') return 'VarChar';
  throw new ValidationError(`field '${path}' must be Int64 or VarChar, got ${describe(v)}`, { field: path });
}
