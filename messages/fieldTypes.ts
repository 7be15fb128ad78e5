import type { AnalyzerParams } from './text/analyzerParams.js';
import type { FunctionSchema } from './schemaFunctions.js';
import type { StructSubField } from './structArray.js';

/** Field data types, named as Milvus names them. */
export const DataType = {
  Bool: 'Bool', Int8: 'Int8', Int16: 'Int16', Int32: 'Int32', Int64: 'Int64',
  Float: 'Float', Double: 'Double', VarChar: 'VarChar', JSON: 'JSON', Array: 'Array', FloatVector: 'FloatVector',
  SparseFloatVector: 'SparseFloatVector',
  Float16Vector: 'Float16Vector', BFloat16Vector: 'BFloat16Vector', BinaryVector: 'BinaryVector', Int8Vector: 'Int8Vector',
  /** An instant: ISO 8601 text in and out, stored as integer microseconds since the epoch, UTC (messages/timestamptz.ts). */
  Timestamptz: 'Timestamptz',
  /** A planar geometry: WKT in and out, kept as canonical WKT text (messages/geometry/wkt.ts, geometryFields.ts). */
  Geometry: 'Geometry',
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** What an Array field may hold: any scalar type but JSON (Milvus's rule); arrays do not nest. */
export const ELEMENT_TYPES = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/**
 * BM25 is only for the output of a BM25 function (messages/schemaFunctions.ts);
 * L2 and COSINE only for dense fields; HAMMING, JACCARD and MHJACCARD (MinHash
 * signatures, actors/shared/vector/minhashDistance.ts) only for BinaryVector.
 */
export const MetricType = { L2: 'L2', IP: 'IP', COSINE: 'COSINE', BM25: 'BM25', HAMMING: 'HAMMING', JACCARD: 'JACCARD', MHJACCARD: 'MHJACCARD' } as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];
/** The metrics of float fields (FloatVector, the halves, Int8Vector), and so of a collection. */
export const FLOAT_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];
/** The metrics of BinaryVector fields. */
export const BINARY_METRICS: readonly MetricType[] = ['HAMMING', 'JACCARD', 'MHJACCARD'];

export interface FieldSchema {
  name: string;
  dataType: DataType;
  isPrimary?: boolean;
  autoId?: boolean;
  /** Dense vector fields only (FloatVector and the packed types); a multiple of 8 for BinaryVector. */
  dim?: number;
  /** VarChar, and Array of VarChar (the length of each element). */
  maxLength?: number;
  /** Array only: the type of every element; 'Struct' makes an Array of Structs (messages/structArray.ts). */
  elementType?: ElementType | 'Struct';
  /** Array of Structs only: the fields every Struct element holds. */
  structFields?: StructSubField[];
  /** Array only: the most elements a value holds. */
  maxCapacity?: number;
  nullable?: boolean;
  /**
   * Bool, Int*, Float, Double, VarChar, Timestamptz (ISO text as given,
   * stored as integer microseconds: timestamptzDefaults) and Geometry (WKT,
   * written to rows in canonical form: geometryFields.ts), never the primary key: what a
   * row that omits the field, or gives null for it, holds instead. Filled in
   * where rows are checked, before they reach the WAL; null means no default.
   */
  defaultValue?: DefaultValue | null;
  /**
   * Int64 or VarChar, never the primary key nor nullable, at most one field:
   * rows are spread over the collection's `_default_<i>` partitions by a hash
   * of this value, and a filter that pins it reads only their partitions.
   */
  isPartitionKey?: boolean;
  /**
   * Int8, Int16, Int32, Int64, Float, Double or VarChar, at most one field
   * (Milvus's clustering key): clustering compaction rewrites a partition's
   * sealed segments so each holds a contiguous range of it, and a filter that
   * constrains it skips segments whose range cannot match (actors/shared/cluster/clusterPrune.ts).
   */
  isClusteringKey?: boolean;
  /** VarChar only: the text is analyzed (messages/analyzer.ts), so a BM25 function may read it. */
  enableAnalyzer?: boolean;
  /** With enableAnalyzer: the analyzer (Milvus's analyzer_params, messages/text/analyzerParams.ts); absent: the standard one. Fixed at creation. */
  analyzerParams?: AnalyzerParams;
  /** With enableAnalyzer, instead of analyzerParams: Milvus's multi_analyzer_params (messages/text/multiAnalyzer.ts). Fixed at creation. */
  multiAnalyzerParams?: AnalyzerParams;
  /**
   * The analyzer revision (text/analyzerParams.ts ANALYZER_VERSION) the field
   * was created with, recorded by the coordinator: its stored BM25 rows hold
   * hashes of that revision's terms. Absent on fields stored before revisions
   * were recorded: 1 (the Porter 1980 stemmer).
   */
  analyzerVersion?: number;
  /**
   * Milvus 2.6.11's field-level warm-up (`warmup` in the field's params, at creation or with
   * alter_collection_field): whether a tiered-storage query node fetches this field's data and
   * indexes before a segment serves (`sync`) or leaves them to the first read (`disable`), over
   * the collection's `warmup.*` properties and the node's settings (actors/query-node/core/warmupPolicy.ts).
   */
  warmup?: 'sync' | 'disable';
}

/** A value a field may default to. */
export type DefaultValue = boolean | number | string;

export interface CollectionSchema {
  fields: FieldSchema[];
  /** Unknown keys of inserted rows go into a hidden JSON field `$meta`. */
  enableDynamicField?: boolean;
  description?: string;
  /** Fields computed from others on insert (messages/schemaFunctions.ts). */
  functions?: FunctionSchema[];
  /**
   * Names of fields dropped from the live collection (messages/droppedField.ts):
   * files written before keep their columns, so the names are never taken again
   * and writes naming them are refused.
   */
  droppedFields?: string[];
}

export const LIMITS = {
  maxDim: 32768,
  maxFields: 64,
  maxVarCharLength: 65535,
  maxArrayCapacity: 4096,
  maxNameLength: 255,
  maxShards: 16,
  /** Rows per insert message; a larger batch is refused, never truncated. */
  maxBatchRows: 100_000,
  /** Bytes per encoded WAL message. */
  maxMessageBytes: 64 * 1024 * 1024,
  maxTopK: 16384,
  /** Vector fields (FloatVector and SparseFloatVector) per collection (Milvus's proxy.maxVectorFieldNum). */
  maxVectorFields: 4,
  /** Partitions of a collection, and of a partition key (Milvus's rootCoord.maxPartitionNum). */
  maxPartitions: 1024,
} as const;

/** Partitions a partition-key collection gets when it names no number (Milvus's DefaultPartitionsWithPartitionKey). */
export const DEFAULT_KEY_PARTITIONS = 16;

/** A primary key value. Int64 keys are safe integers. */
export type PrimaryKey = number | string;

/** Rows of one insert, columnar: vectors are one Float32Array of count * dim. */
export interface Rows {
  count: number;
  pks: PrimaryKey[];
  vectors: Float32Array;
  /** One column per scalar field (and `$meta` for dynamic fields). */
  fields: Record<string, unknown[]>;
}
