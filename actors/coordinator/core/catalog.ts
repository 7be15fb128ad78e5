import { warmupValue } from '../../../messages/collectionProperties.js';
import type { Tso } from '../../../messages/types.js';
import { checkTtlProperties } from '../../../messages/entityTtl.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { BINARY_METRICS, checkName, FLOAT_METRICS, LIMITS, packedVectorFields, MetricType, withAnalyzerVersion, partitionKeyField, sparseFields, validateSchema, vectorField, vectorFields, type CollectionSchema } from '../../../messages/schema.js';
import { EMB_LIST_METRICS, structOutputPath, structVectorOf } from '../../../messages/structArray.js';
import { binaryRulesOf, denseIndexRules } from './denseIndexRules.js';
import { minhashLshParams } from '../../../messages/minhash/minhashLshParams.js';
import { minhashFunctionOf } from '../../../messages/schemaFunctions.js';
import { defaultMetric } from '../../shared/vector/fieldMetric.js';
import { normaliseSparseIndex } from './sparseIndexParams.js';
import { indexTargetKey, normaliseJsonIndex } from './jsonIndexParams.js';
import { initialPartitionNames } from '../../shared/partitionKey/keyPartitions.js';
import { checkIsolationSchema } from '../../shared/partitionKey/keyIsolation.js';
import { SCALAR_INDEX_TYPES, scalarIndexProblem, scalarIndexTypeOf } from '../../shared/scalarIndex/scalarIndexTypes.js';
import { gramRangeOf } from '../../shared/scalarIndex/ngramIndex.js';
import type { IndexParams } from '../../../messages/types.js';
import { checkProperties } from '../../../messages/collectionProperties.js';
import { rabitqRefineParams } from '../../../messages/rabitqParams.js';
import { ivfPqParams, scannParams } from '../../../messages/pqParams.js';
import { beamwidthRatio, pqCodeBudgetRatio, searchCacheBudgetRatio } from '../../../messages/diskannParams.js';
import { policyOf } from '../../../messages/databaseProperties.js';
import { resolveTimezone, timestamptzDefaults } from '../../../messages/timestamptzFields.js';
import { geometryDefaults } from '../../../messages/geometryFields.js';
import type { CollectionRecord, CollectionSpec } from '../../../messages/rpc/records.js';
import { DEFAULT_DB, type DatabaseRecord } from '../../../messages/database.js';

/**
 * The collection catalogue's pure decisions: what a DDL request becomes, or why
 * it is refused. The shell persists records and broadcasts the WAL messages.
 */
/** One database's names: its collections and aliases (collection and alias names share it). */
export interface Namespace {
  byName: Map<string, CollectionRecord>;
  /** alias -> the name of the collection it names (see aliases.ts). */
  aliases: Map<string, string>;
}

/** A database: its record and its namespace (see databases.ts). */
export interface Database extends Namespace { record: DatabaseRecord }

/** The catalogue: databases by name, each holding its collections and aliases. */
export interface Catalog { databases: Map<string, Database> }

/** A collection's key in the catalogue: its database and its name (or an alias of it in that database). */
export interface CollectionRef { db: string; name: string }

export const DEFAULT_PARTITION = '_default';
export const CONSISTENCY = ['Strong', 'Bounded', 'Session', 'Eventually'] as const;

/** The collection `name` (or the alias `name`) stands for in one database. */
export function findCollection(c: Namespace, name: string): CollectionRecord {
  const r = c.byName.get(c.aliases.get(name) ?? name);
  if (!r || r.state === 'dropping') throw new NuthatchError('CollectionNotFound', `collection '${name}' does not exist`, { collection: name });
  return r;
}

/**
 * The build params each index type takes, checked as Milvus checks them:
 * [name, least, most, default]. Params of other types are kept as given and
 * ignored, as Milvus ignores them.
 */
const BUILD_PARAMS: Record<string, ReadonlyArray<readonly [string, number, number, number]>> = {
  HNSW: [['M', 2, 2048, 16], ['efConstruction', 8, 10000, 200]],
  IVF_FLAT: [['nlist', 1, 65536, 128]],
  IVF_SQ8: [['nlist', 1, 65536, 128]],
  IVF_RABITQ: [['nlist', 1, 65536, 128]],
  // m and nbits checked by ivfPqParams (messages/pqParams.ts): m against the field's dim.
  IVF_PQ: [['nlist', 1, 65536, 128]],
  SCANN: [['nlist', 1, 65536, 128]],
  FLAT: [],
  BIN_FLAT: [],
  BIN_IVF_FLAT: [['nlist', 1, 65536, 128]],
  // Checked by minhashLshParams (messages/minhash/minhashLshParams.ts): not all of them integers.
  MINHASH_LSH: [],
  // pq_code_budget_gb_ratio, search_cache_budget_gb_ratio and beamwidth_ratio, fractions, are checked in messages/diskannParams.ts.
  DISKANN: [['max_degree', 1, 512, 56], ['search_list_size', 1, 2147483647, 100]],
};
const INDEX_TYPES = ['AUTOINDEX', ...Object.keys(BUILD_PARAMS)];

/**
 * An index request as the collection records it: a vector index with its
 * metric and checked build params, or a scalar index (scalarIndex()). The
 * index name defaults to the field's; AUTOINDEX is HNSW on a vector field,
 * INVERTED on a scalar one.
 */
export function normaliseIndex(rec: Pick<CollectionRecord, 'schema' | 'metricType' | 'indexes'>, p: Partial<IndexParams>): IndexParams {
  // Milvus 2.6.11's index-level warm-up: kept beside the index's own params, which never see it.
  const { warmup, ...own } = p.params ?? {};
  if (warmup === undefined) return normaliseIndexParams(rec, p);
  const ix = normaliseIndexParams(rec, { ...p, params: own });
  return { ...ix, params: { ...ix.params, warmup: warmupValue(warmup, 'params.warmup') } };
}

function normaliseIndexParams(rec: Pick<CollectionRecord, 'schema' | 'metricType' | 'indexes'>, p: Partial<IndexParams>): IndexParams {
  const vf = vectorField(rec.schema);
  // Without a FloatVector, the first packed field is the one an index names by default.
  const fieldName = p.fieldName ?? vf?.name ?? vectorFields(rec.schema)[0]?.name ?? packedVectorFields(rec.schema)[0]!.name;
  if (structOutputPath(rec.schema, fieldName)) return embListIndex(rec.schema, p, fieldName);
  const sparse = sparseFields(rec.schema).find((f) => f.name === fieldName);
  if (sparse) return normaliseSparseIndex(rec, sparse, p, p.indexName && p.indexName.length ? checkName('index', p.indexName) : fieldName);
  const indexName = p.indexName && p.indexName.length ? checkName('index', p.indexName) : fieldName;
  const field = rec.schema.fields.find((f) => f.name === fieldName);
  const fieldRules = field && denseIndexRules(field.dataType);
  if (!field || !fieldRules) return scalarIndex(rec, { ...p, fieldName, indexName });
  // A MINHASH function's output is compared as signatures: MHJACCARD, whatever the collection's metric (Milvus's rule).
  const minhashOutput = minhashFunctionOf(rec.schema, fieldName) !== undefined;
  // A field's metric defaults to the collection's when of its kind (HAMMING for binary, else L2; fieldMetric.ts).
  const metricType = (p.metricType ?? (minhashOutput ? 'MHJACCARD' : defaultMetric(rec.metricType, field.dataType === 'BinaryVector'))) as MetricType;
  if (minhashOutput && metricType !== 'MHJACCARD') throw new ValidationError(`index metric type of MINHASH function output field '${fieldName}' must be MHJACCARD, got ${String(metricType)}`, { field: 'metricType' });
  const rules = field.dataType === 'BinaryVector' ? binaryRulesOf(metricType) : fieldRules;
  if (!Object.values(MetricType).includes(metricType) || metricType === 'BM25') throw new ValidationError(`unknown metric type '${String(metricType)}' (${rules.metrics.join(', ')})`, { field: 'metricType' });
  if (!rules.metrics.includes(metricType)) throw new ValidationError(`metric ${metricType} is not for ${field.dataType} field '${fieldName}' (${rules.metrics.join(', ')})`, { field: 'metricType' });
  // The collection's metric is its first vector field's; another field's index chooses its own.
  if (fieldName === vf?.name && metricType !== rec.metricType) throw new ValidationError(`index metric ${metricType} differs from the collection's ${rec.metricType}`);
  const asked = String(p.indexType ?? 'AUTOINDEX').toUpperCase();
  if (!INDEX_TYPES.includes(asked)) throw new ValidationError(`index type '${asked}' is not supported (AUTOINDEX, ${rules.types.join(', ')})`, { field: 'indexType' });
  const indexType = asked === 'AUTOINDEX' ? rules.auto : asked;
  if (!rules.types.includes(indexType)) throw new ValidationError(`index type ${indexType} cannot index ${field.dataType} field '${fieldName}'${fieldRules.types.includes(indexType) ? ` with metric ${metricType}` : ''} (AUTOINDEX, ${rules.types.join(', ')})`, { field: 'indexType' });
  const params: Record<string, number | string> = { ...(p.params ?? {}) };
  for (const [k, lo, hi, def] of BUILD_PARAMS[indexType]!) {
    const v = params[k] === undefined ? def : Number(params[k]);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new ValidationError(`index param ${k} of ${indexType} must be an integer in ${lo}..${hi}, got ${String(params[k])}`, { field: k });
    params[k] = v;
  }
  if (indexType === 'MINHASH_LSH') Object.assign(params, minhashLshParams(params, field.dim!, minhashOutput));
  if (indexType === 'IVF_PQ') Object.assign(params, ivfPqParams(params, field.dim!));
  if (indexType === 'SCANN') Object.assign(params, scannParams(params, field.dim!));
  if (indexType === 'DISKANN') {
    params.pq_code_budget_gb_ratio = pqCodeBudgetRatio(params.pq_code_budget_gb_ratio);
    params.search_cache_budget_gb_ratio = searchCacheBudgetRatio(params.search_cache_budget_gb_ratio);
    params.beamwidth_ratio = beamwidthRatio(params.beamwidth_ratio);
  }
  if (indexType === 'IVF_RABITQ') {
    const refine = rabitqRefineParams(params);
    delete params.refine_type;
    Object.assign(params, refine);
  }
  return { indexName, fieldName, indexType, metricType, params };
}

/**
 * An index of a Struct's vector sub-field (`chunks[text_vector]`), as Milvus
 * 2.6 takes it: HNSW (AUTOINDEX is HNSW) with a MAX_SIM metric (MAX_SIM is
 * MAX_SIM_COSINE, the default). Its graph holds every element's vector; a
 * search takes the rows of the nearest elements as candidates and scores
 * them exactly (actors/shared/vector/maxSim.ts). A scalar sub-field takes
 * no index (Milvus's rule).
 */
function embListIndex(schema: CollectionSchema, p: Partial<IndexParams>, fieldName: string): IndexParams {
  const sub = structVectorOf(schema, fieldName);
  if (!sub) throw new ValidationError(`'${fieldName}' names no vector sub-field`, { field: 'fieldName' });
  const indexName = p.indexName && p.indexName.length ? checkName('index', p.indexName) : fieldName.replace(/[[\]]/g, '_').replace(/_$/, '');
  const asked = String(p.metricType ?? 'MAX_SIM_COSINE').toUpperCase();
  const metricType = asked === 'MAX_SIM' ? 'MAX_SIM_COSINE' : asked;
  if (!(EMB_LIST_METRICS as readonly string[]).includes(metricType)) throw new ValidationError(`a Struct's vector sub-field '${fieldName}' is indexed with ${EMB_LIST_METRICS.join(', ')} (or MAX_SIM), not ${asked}`, { field: 'metricType' });
  const type = String(p.indexType ?? 'AUTOINDEX').toUpperCase();
  if (type !== 'AUTOINDEX' && type !== 'HNSW') throw new ValidationError(`a Struct's vector sub-field '${fieldName}' takes an HNSW (or AUTOINDEX) index, not ${type}`, { field: 'indexType' });
  const params: Record<string, number | string> = { ...(p.params ?? {}) };
  for (const [k, lo, hi, def] of BUILD_PARAMS.HNSW!) {
    const v = params[k] === undefined ? def : Number(params[k]);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new ValidationError(`index param ${k} of HNSW must be an integer in ${lo}..${hi}, got ${String(params[k])}`, { field: k });
    params[k] = v;
  }
  return { indexName, fieldName, indexType: 'HNSW', metricType: metricType as MetricType, params };
}

/**
 * A scalar index of a Bool, Int*, Float, Double, VarChar or Array field, by
 * Milvus's rules per type (scalarIndexTypes.ts); or a JSON path index of a
 * JSON field or a dynamic key (jsonIndexParams.ts).
 */
function scalarIndex(rec: Pick<CollectionRecord, 'schema'>, p: Partial<IndexParams> & Pick<IndexParams, 'fieldName' | 'indexName'>): IndexParams {
  const field = rec.schema.fields.find((f) => f.name === p.fieldName);
  if (p.params?.json_path !== undefined || (field && field.dataType === 'JSON') || (!field && rec.schema.enableDynamicField)) return normaliseJsonIndex(rec.schema, field, p);
  if (!field) throw new ValidationError(`index field '${p.fieldName}' is not a field of the collection`, { field: 'fieldName' });
  const asked = String(p.indexType ?? 'AUTOINDEX');
  const indexType = asked.toUpperCase() === 'AUTOINDEX' ? (field.dataType === 'Geometry' ? 'RTREE' : 'INVERTED') : scalarIndexTypeOf(asked);
  if (INDEX_TYPES.includes(asked.toUpperCase()) && !indexType) {
    throw new ValidationError(`${asked.toUpperCase()} indexes vector fields; '${field.name}' is not a vector field (${vectorFields(rec.schema).map((f) => f.name).join(', ')})`, { field: 'fieldName' });
  }
  if (!indexType) throw new ValidationError(`index type '${asked}' cannot index scalar field '${field.name}' (${['AUTOINDEX', ...SCALAR_INDEX_TYPES].join(', ')})`, { field: 'indexType' });
  const problem = scalarIndexProblem(indexType, field);
  if (problem) throw new ValidationError(problem, { field: 'fieldName' });
  if (p.metricType) throw new ValidationError(`${indexType} index of scalar field '${field.name}' takes no metricType (got ${String(p.metricType)})`, { field: 'metricType' });
  const params: Record<string, number | string> = { ...(p.params ?? {}) };
  if (indexType === 'NGRAM') { const g = gramRangeOf(params); params.min_gram = g.min; params.max_gram = g.max; }
  return { indexName: p.indexName, fieldName: field.name, indexType, params };
}

/** Whether the collection still has this index as it was when a build of it started (not dropped, nor created again otherwise). */
export function indexStands(rec: Pick<CollectionRecord, 'indexes'>, index: IndexParams): boolean {
  return rec.indexes.some((i) => i.indexName === index.indexName && i.indexType === index.indexType && JSON.stringify(i.params) === JSON.stringify(index.params));
}

/**
 * How many ids a create request takes: the collection's, then one per
 * partition it starts with (`_default`, or the partition key's `_default_<i>`).
 */
export function idsToCreate(spec: CollectionSpec): number {
  return 1 + initialPartitionNames(validateSchema(spec.schema), spec.numPartitions).length;
}

/**
 * Validates a create request and builds the record (ids and vchannels given by
 * the shell): partition i gets id `collectionId + 1 + i` (see idsToCreate).
 */
export function decideCreateCollection(c: Namespace & { record?: DatabaseRecord }, spec: CollectionSpec, collectionId: number, pchannels: string[], createdTso: bigint, dbName: string = DEFAULT_DB): CollectionRecord {
  const name = checkName('collection', spec.collectionName);
  if (c.byName.has(name)) throw new NuthatchError('CollectionExists', `collection '${name}' already exists`, { collection: name });
  if (c.aliases.has(name)) throw new NuthatchError('CollectionExists', `'${name}' is an alias of '${c.aliases.get(name)}'`, { collection: name });
  // A Timestamptz default given as text is kept as microseconds, text without an offset read in the collection's (or database's) zone.
  const zone = resolveTimezone({ tz: spec.properties?.timezone, from: 'timezone' }, { tz: policyOf(c.record?.properties ?? {}).timezone, from: 'database property timezone' });
  // A Geometry default is kept as canonical WKT, as rows hold it.
  const schema = withAnalyzerVersion(geometryDefaults(timestamptzDefaults(validateSchema(spec.schema), zone)));
  const partitions = initialPartitionNames(schema, spec.numPartitions).map((p, i) => ({ id: collectionId + 1 + i, name: p }));
  // The collection's metric is its first FloatVector's: a float one; without a FloatVector, a binary one too.
  const metrics = vectorField(schema) ? FLOAT_METRICS : [...FLOAT_METRICS, ...BINARY_METRICS];
  if (!metrics.includes(spec.metricType)) throw new ValidationError(`unknown metric type '${String(spec.metricType)}' (${metrics.join(', ')})`, { field: 'metricType' });
  const shards = spec.shardsNum ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > LIMITS.maxShards) throw new ValidationError(`shardsNum must be an integer in 1..${LIMITS.maxShards}`);
  const consistencyLevel = spec.consistencyLevel ?? 'Bounded';
  if (!CONSISTENCY.includes(consistencyLevel)) throw new ValidationError(`unknown consistency level '${String(consistencyLevel)}'`);
  const vchannels = Array.from({ length: shards }, (_, i) => `${pchannels[(collectionId + i) % pchannels.length]}_${collectionId}v${i}`);
  const rec: CollectionRecord = {
    collectionId, name, dbName, schema, metricType: spec.metricType, shards, vchannels,
    partitions, consistencyLevel, indexes: [],
    loaded: false, createdTso, schemaVersion: createdTso, state: 'creating',
    ...(spec.properties ? checkProperties(spec.properties) : {}),
  };
  checkIsolationSchema(name, schema, rec.partitionKeyIsolation);
  checkTtlProperties(schema, rec);
  const seen = new Set<string>();
  for (const p of spec.indexParams ?? []) {
    const idx = normaliseIndex(rec, p as Partial<IndexParams>);
    if (seen.has(idx.indexName)) throw new ValidationError(`duplicate index name '${idx.indexName}'`);
    const target = indexTargetKey(schema, idx);
    if (rec.indexes.some((i) => indexTargetKey(schema, i) === target)) throw new ValidationError(`'${target}' is given two indexes; a field (or a JSON path) has one`);
    seen.add(idx.indexName);
    rec.indexes.push(idx);
  }
  return rec;
}

/**
 * A partition-key collection's partitions belong to its key: Milvus refuses to
 * create, drop, load or release one by hand ("disable create partition if
 * partition key mode is used").
 */
export function refuseManualPartitions(rec: Pick<CollectionRecord, 'name' | 'schema'>, what: 'create partition' | 'drop partition' | 'load partitions' | 'release partitions'): void {
  const key = partitionKeyField(rec.schema);
  if (key) throw new ValidationError(`disable ${what} if partition key mode is used: '${rec.name}' spreads its rows over its partitions by '${key.name}'`, { collection: rec.name, partitionKey: key.name });
}

export { pchannelOf } from '../../../messages/rpc/streamingNode.js';

/** Whether a segment holds rows written before its shard's last truncation (rowsFromTso absent: an old record, or no rows). */
export const segmentTruncated = (rec: Pick<CollectionRecord, 'truncatedTso'>, seg: { vchannel: string; rowsFromTso?: Tso }): boolean => {
  const t = rec.truncatedTso?.[seg.vchannel];
  return t !== undefined && (seg.rowsFromTso ?? 0n) < t;
};

/** Whether a segment's partition is still in its collection (a dropped one's segments are discarded). */
export const partitionLives = (rec: Pick<CollectionRecord, 'partitions'>, seg: { partitionId: number }): boolean => rec.partitions.some((p) => p.id === seg.partitionId);
