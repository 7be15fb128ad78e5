import type { OrderCursor, OrderKey } from '../orderBy.js';
import type { AggLevel, AggregateRequest, PartialBucket } from '../searchAggregation.js';
import type { PackedBuckets } from '../queryAggregation.js';
import type { QuotaProperties, WarmupProperties } from '../collectionProperties.js';
import type { SparseQuery } from './sparseRead.js';
import type { EmbListQuery } from '../structArray.js';
import type { ShardBoost } from '../boostRanker.js';
import type { CollectionProperties } from '../collectionProperties.js';
import type { CollectionSchema, MetricType } from '../schema.js';
import type { IndexParams, PartitionInfo, Tso, WalPosition } from '../types.js';
import type { PendingDdl } from '../pendingDdl.js';

/** Shared records that actors exchange (catalogue, segments, assignments). */
export type ConsistencyLevelName = 'Strong' | 'Bounded' | 'Session' | 'Eventually';

export interface CollectionSpec {
  collectionName: string;
  schema: CollectionSchema;
  metricType: MetricType;
  shardsNum?: number;
  consistencyLevel?: ConsistencyLevelName;
  indexParams?: Array<Omit<IndexParams, 'metricType'> & { metricType?: MetricType }>;
  load?: boolean;
  properties?: CollectionProperties;
  /** With a partition key field: how many key partitions (default 16, at most 1024). */
  numPartitions?: number;
}

export interface CollectionRecord extends QuotaProperties, WarmupProperties {
  collectionId: number;
  name: string;
  /** Its database (messages/database.ts); absent in records written before databases: 'default'. */
  dbName?: string;
  /**
   * Its database's force-deny switches (messages/databaseProperties.ts) as of
   * the answer that carried the record: set by describeCollection, never stored.
   */
  denied?: { writing: boolean; reading: boolean };
  /** Its database's `timezone` property as of the answer that carried the record: set by describeCollection, never stored. */
  dbTimezone?: string;
  schema: CollectionSchema;
  metricType: MetricType;
  shards: number;
  vchannels: string[];
  partitions: PartitionInfo[];
  consistencyLevel: ConsistencyLevelName;
  indexes: IndexParams[];
  loaded: boolean;
  /** Query nodes serving each sealed segment once loaded (absent: the coordinator's default). */
  replicas?: number;
  /** While loaded, each replica's resource group (`[i]`: replica i's); absent: every replica in the default group. */
  resourceGroups?: string[];
  createdTso: Tso;
  /**
   * The schema version (Milvus's `update_timestamp`): a TSO taken after the last schema DDL reached every
   * shard (its creation's TSO until one), sent with every write shaped against this record
   * (messages/schemaVersion.ts). A record saved before versions gets one when the coordinator loads it.
   */
  schemaVersion?: Tso;
  state: 'creating' | 'created' | 'dropping';
  /** Rows expire this long after their insert (absent or 0: never). */
  ttlSeconds?: number;
  /** `ttl_field`: the Timestamptz field of each entity's expiry time (messages/entityTtl.ts). */
  ttlField?: string;
  /** The ttl_field last dropped or replaced, and per vchannel the TSO of that change: rows it had expired stay hidden. */
  ttlFieldDropped?: { field: string; tso: Record<string, Tso> };
  /** The collection's `timezone` property (an IANA zone) for Timestamptz fields; absent: the database's, else UTC. */
  timezone?: string;
  /** `allow_insert_auto_id`: the autoID key takes a key a row gives. */
  allowInsertAutoId?: boolean;
  /** `partitionkey.isolation`: vector indexes are built per partition key value, and searches must pin the key (actors/shared/partitionKey/keyIsolation.ts). */
  partitionKeyIsolation?: boolean;
  /** Per vchannel, the TSO of its last TruncateCollection: no row written before it is kept. */
  truncatedTso?: Record<string, Tso>;
  /** A DDL step taken before its broadcast and not yet saved (actors/coordinator/core/journaledDdl.ts): a coordinator finishes it. */
  pendingDdl?: PendingDdl;
  /** The name before its last rename (a coordinator restarting mid-rename finishes it with this). */
  renamedFrom?: string;
  /** The database before its last rename, when the rename moved it (absent: the same database). */
  renamedFromDb?: string;
  /** While loaded, the partitions loaded (load_partitions); absent: every partition. */
  loadedPartitions?: number[];
  /** While loaded with load_fields or skip_load_dynamic_field: the columns loaded (messages/loadFields.ts); absent: every one. */
  loadFields?: string[];
}

/** The least and greatest non-null value of the clustering key a sealed segment holds (actors/shared/cluster/keyRange.ts). */
export interface KeyRange { min: number | string; max: number | string }

export interface SegmentRecord {
  collectionId: number;
  partitionId: number;
  segmentId: number;
  vchannel: string;
  pchannel: string;
  rows: number;
  dataKey: string;
  /** indexName -> object key of the built index. */
  indexKeys: Record<string, string>;
  /** WAL range the data node folded. */
  from: WalPosition;
  to: WalPosition;
  /** Length of the shard's delete log when compaction last examined the segment (absent: never). */
  deleteSeq?: number;
  /** Rows of it that deletes in that log reach but that were not removed then. */
  reachedRows?: number;
  /** No row was inserted below this TSO (absent in records written before it was kept). */
  rowsFromTso?: Tso;
  /** The expiry cutoff (the collection's TTL) compaction last examined the segment's rows against (absent: never). */
  expiryCheckedTso?: Tso;
  /**
   * Entity-level TTL as compaction last examined the segment: the ttl_field then
   * (null: none) and the next time a kept row expires (null: none will). The
   * segment is examined again once that time passes or the ttl_field changes.
   */
  fieldExpiryChecked?: { field: string | null; nextUs: number | null };
  /**
   * How many of the schema's dropped fields (`schema.droppedFields`, which only
   * grows) the current file is known to hold no column of (absent: none):
   * compaction rewrites a segment without those columns once a field drops.
   */
  droppedFieldsChecked?: number;
  /** Compaction applied every delete up to this TSO to the current file (see shared/segment/deleteCover.ts). */
  deletesAppliedTso?: Tso;
  /**
   * The segments a merge compaction made this one of: they are gone, and must never be served beside it.
   * (Records written before `mergedAtMs` existed list the parts' own parts here too.)
   */
  mergedFrom?: number[];
  /** When the merge that made this segment was recorded (ms). */
  mergedAtMs?: number;
  /** Earlier segments its parts replaced, [id, retired at ms], kept for a while (coordinator/core/mergeLineage.ts). */
  ancestors?: Array<[number, number]>;
  /**
   * With a clustering key: a range holding every non-null key of the segment
   * (exact when written; a delete compaction keeps it, still a superset).
   * Absent: unknown (no key, every key null, or written before it was kept).
   */
  keyRange?: KeyRange;
  /**
   * A clustering compaction's output: every segment it wrote (this one
   * among them). They replace their parts (`mergedFrom`) together or not at
   * all (coordinator/shell/clusteringCompaction.ts).
   */
  clusterGroup?: number[];
}

export interface PchannelAssignment {
  pchannel: string;
  nodeId: string;
  term: number;
  /**
   * Streaming nodes that run read-only follower delegators of the pchannel's
   * shards (never the owner); absent in assignments written before followers.
   */
  followers?: string[];
}

export interface Distribution {
  vchannel: string;
  version: number;
  /** False while the collection is released: reads are refused and flushed rows leave the delegator's memory. */
  loaded?: boolean;
  /** While loaded, the partitions loaded; absent: every one. Other partitions are read as released ones are. */
  partitions?: number[];
  /** While loaded with some fields only: the columns loaded (messages/loadFields.ts); a read of another is refused. */
  columns?: string[];
  /** Sealed segments and the query node that serves each. */
  segments: Array<{
    segmentId: number; nodeId: string;
    /** The ANN index it is served with; null while brute force. */
    indexName?: string | null;
    /** Its partition, so a read of some partitions asks only the nodes serving them (absent in older distributions: always asked). */
    partitionId?: number;
    /** Its clustering key range (SegmentRecord.keyRange), so a read whose filter cannot match it skips it. */
    keyRange?: KeyRange;
  }>;
  /**
   * Segments merged into a served one: a delegator still holding one in memory
   * (flushed, never served alone, or rebuilt by recovery) drops it, as it
   * would a served one, so its rows are never searched beside the merged copy.
   */
  retired?: number[];
}

/** A search or query hit row, as delegators and query nodes return it. */
export interface HitRow {
  pk: number | string; distance: number; fields: Record<string, unknown>;
  /** In a grouping search, the hit's value of the group field (null when the row has none). */
  group?: unknown;
  /** A query's row: the insert TSO of its copy, so merges keep each key's newest (shared/segment/newestCopy.ts); never shown. */
  tso?: Tso;
}

/** What a search asks of one shard. */
export interface ShardSearch {
  vchannel: string;
  collectionId: number;
  /** nq query vectors, each `dim` floats (the dimension of the searched field). */
  queries: Float32Array;
  /** The vector field searched; absent: the first. */
  annsField?: string;
  /** A search of a sparse field (messages/rpc/sparseRead.ts). */
  sparse?: SparseQuery;
  /** An embedding-list search of a Struct's vector sub-field, `annsField` `field[sub]` (messages/structArray.ts); `queries` is then empty. */
  embList?: EmbListQuery;
  nq: number;
  k: number;
  /** HNSW's candidate list size; IVF indexes ignore it. */
  ef?: number;
  /** IVF lists probed; HNSW ignores it. */
  nprobe?: number;
  /** IVF_RABITQ's query bits and refine magnification; other indexes ignore them. */
  rbqQueryBits?: number;
  refineK?: number;
  /** SCANN's candidates re-ranked with raw vectors; other indexes ignore it. */
  reorderK?: number;
  /** DISKANN's candidate list; other indexes ignore it. */
  searchList?: number;
  /** MINHASH_LSH: bucket candidates re-scored by exact MHJACCARD; other indexes ignore it. */
  mhSearchWithJaccard?: boolean;
  /** MHJACCARD: the MinHash value width (bits) an exact search reads; absent: the field's (actors/shared/vector/minhashWidth.ts). */
  mhElementBitWidth?: number;
  /** A range search: only hits with radius/rangeFilter bounds met (actors/shared/vector/distanceRange.ts). */
  range?: { radius: number; rangeFilter?: number };
  /** Leaves out rows of segments still growing (Milvus's ignore_growing). */
  ignoreGrowing?: boolean;
  /** Milvus's search hint `iterative_filter`: the filter asked only of the rows a nearest-first walk meets (actors/shared/vector/iterativeFilter.ts). */
  iterativeFilter?: boolean;
  /** A grouping search: `k` counts groups of up to `size` hits sharing a value of `field` (actors/shared/vector/groupBy.ts). */
  group?: { field: string; size: number; strict: boolean };
  /** A parsed filter AST (messages/filter), or null. */
  filter: unknown;
  /** Boost functions applied to each segment's candidates before the merge (messages/boostRanker.ts). */
  boost?: ShardBoost;
  partitionIds: number[] | null;
  outputFields: string[];
  guaranteeTso: Tso;
  /** Read at exactly this TSO (an iterator's snapshot), not at the later one the shard can serve; see ShardQuery. */
  mvccTso?: Tso;
}

/** A query's answer: rows (or their count), or with `aggregate` the partial buckets of the rows, with `groups` the same as columns. */
export interface QueryResult { rows: HitRow[]; count: number; agg?: PartialBucket[]; groups?: PackedBuckets }

export interface ShardQuery {
  vchannel: string;
  collectionId: number;
  filter: unknown;
  partitionIds: number[] | null;
  outputFields: string[];
  /** Max rows to return, those with the smallest keys (rows come in key order); 0 = all. */
  limit: number;
  /** Only rows whose key is above this one: a query iterator's cursor (actors/shared/segment/pkOrder.ts). */
  after?: number | string;
  guaranteeTso: Tso;
  /**
   * Read at exactly this TSO, once the shard can serve it. Without it a shard
   * reads at the newest TSO it can serve (at least guaranteeTso), which differs
   * between shards and between calls; an iterator pins one TSO for all its pages.
   */
  mvccTso?: Tso;
  /** Count only: rows are not returned. */
  countOnly?: boolean;
  /**
   * Rows in this order (messages/orderBy.ts) rather than by key: the first
   * `limit` of it, each key's field among `outputFields` (levels above merge by
   * them). Not with `after` or `countOnly`.
   */
  orderBy?: OrderKey[];
  /** With `orderBy`: only rows strictly after this place in the order (an ordered query iterator's cursor). */
  orderAfter?: OrderCursor;
  /** A search aggregation's second round: rows are not returned, their partial buckets are (messages/searchAggregation.ts). */
  aggregate?: AggregateRequest;
  /** An aggregating query (messages/queryAggregation.ts): rows are not returned, the partial buckets of every row the read matches are. */
  groups?: AggLevel;
}

/** One delete of the shard's log; a delete that named a partition keeps it (absent: every partition). */
export interface DeleteEntry { pk: number | string; tso: Tso; partitionId?: number }
