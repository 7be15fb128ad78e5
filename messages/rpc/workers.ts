import type { FieldSchema } from '../schema.js';
import type { FieldExpiry } from '../entityTtl.js';
import type { IndexParams, Tso } from '../types.js';
import { needAll, type Checks } from './protocol.js';
import { backupWorkerChecks, type BackupWorkerProtocol } from './backupWorker.js';
import type { HitRow, KeyRange, QueryResult, SegmentRecord, ShardQuery, ShardSearch } from './records.js';
import type { ShardBm25Stats } from './sparseRead.js';
import type { Bm25Stats } from '../bm25.js';

/** Data nodes and index nodes take tasks from a queue group. */
export const DATA_NODE_SUBJECT = 'nuthatch.dn';
export const INDEX_NODE_SUBJECT = 'nuthatch.in';
/** Each data node and index node also serves its own subject: the coordinator and the streaming nodes send tasks to one live node (actors/shared/workers/workerDispatch.ts, runtime/rpc/workerPool.ts). */
export const dataNodeSubject = (nodeId: string) => `nuthatch.dn.${nodeId}`;
export const indexNodeSubject = (nodeId: string) => `nuthatch.in.${nodeId}`;
/** Each query node serves its own subject. */
export const queryNodeSubject = (nodeId: string) => `nuthatch.qn.${nodeId}`;

export type DataNodeProtocol = {
  /** Folds the segment's inserts from the WAL range and persists them. */
  /** `keyField`: the collection's clustering key, whose range the answer gives (`keyRange`, absent when every key is null). */
  /** `jsonColumns` (here and in the rewrites below): the JSON columns (JSON fields, `$meta`) whose shredded layout is written beside the file. */
  flushSegment: { req: { pchannel: string; vchannel: string; collectionId: number; partitionId: number; segmentId: number; from: number; to: number; keyField?: string; jsonColumns?: string[] }; res: { rows: number; dataKey: string; rowsFromTso?: Tso; keyRange?: KeyRange } };
  /** Deletes every file of a dropped collection (segment data and indexes). Idempotent. */
  /** Deletes every file of a dropped collection but those in `keep` (files a snapshot or a restored collection still names). */
  purgeCollection: { req: { collectionId: number; keep?: string[] }; res: { objects: number } };
  /**
   * Delete compaction (data-node/core/segmentCompaction.ts): rewrites the segment
   * without the rows the shard's deletes reached by `untilTso`, under a new key,
   * when they are at least `minRatio` of its rows; else writes nothing.
   */
  /**
   * `expiredBelow`: rows inserted below it are removed too (the collection's TTL as of `untilTso`); `fieldExpiry`: rows by its
   * entity-level TTL; `droppedFields`: their columns (a segment holding one is rewritten whatever `minRatio` says).
   */
  compactSegment: { req: { segment: SegmentRecord; untilTso: Tso; minRatio: number; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[]; droppedFields?: string[]; jsonColumns?: string[] }; res: CompactionOutcome };
  /**
   * Merge compaction (data-node/core/segmentMerge.ts): writes the segments (small,
   * of one partition) as one under the new `segmentId`, without the rows the
   * shard's deletes reached by `untilTso`.
   */
  mergeSegments: { req: { segments: SegmentRecord[]; segmentId: number; untilTso: Tso; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[]; droppedFields?: string[]; jsonColumns?: string[] }; res: MergeOutcome };
  /**
   * Clustering compaction (data-node/core/segmentCluster.ts): rewrites the
   * segments (of one partition of one shard) as segments each holding one
   * contiguous range of `key`, of about `targetRows` rows, under the first of
   * `segmentIds`, without the rows the shard's deletes reached by `untilTso`.
   */
  clusterSegments: { req: { segments: SegmentRecord[]; segmentIds: number[]; key: string; targetRows: number; untilTso: Tso; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[]; droppedFields?: string[]; jsonColumns?: string[] }; res: ClusterOutcome };
  /** One page of the keys under segments/, after `after` (in key order), for the orphan sweep. */
  listSegmentFiles: { req: { after: string | null; limit: number }; res: { keys: string[] } };
  /** Deletes segment files no record names any more (a compacted segment's old data and indexes). */
  removeFiles: { req: { keys: string[] }; res: { removed: number } };
  /** An import file read and each row checked against the collection's schema; nothing is written. */
  checkImportFile: { req: { dbName: string; collection: string; key: string }; res: { rows: number; bytes: number } };
  /**
   * Rows [fromRow, fromRow + maxRows) of an import file inserted through the
   * WAL, with append ids made of the job, file and row: a retried batch is not
   * written twice.
   */
  importRows: { req: { jobId: number; dbName: string; collection: string; partitionName?: string; key: string; fromRow: number; maxRows: number }; res: { rows: number } };
} & BackupWorkerProtocol;

/** What a compaction did: `dataKey` and `rows` are the new file's when `compacted`. */
/** What a merge wrote: the new segment's file and rows, and what the deletes did to its parts. */
/**
 * `appliedTso` (merge, clustering, compaction): how far the rewrite applied the shard's deletes, the asked
 * `untilTso` or less when the log it read was complete only that far (data-node/core/deleteLogRead.ts).
 */
export interface MergeOutcome { dataKey: string; rows: number; removed: number; pending: number; deleteSeq: number; appliedTso: Tso; rowsFromTso?: Tso }

export interface ClusterOutcome {
  outputs: Array<{ segmentId: number; dataKey: string; rows: number; rowsFromTso?: Tso; keyRange?: KeyRange }>;
  removed: number; pending: number; deleteSeq: number; appliedTso: Tso;
}

export interface CompactionOutcome {
  compacted: boolean; dataKey: string; rows: number; removed: number; pending: number; deleteSeq: number; appliedTso: Tso;
  /** The least insert TSO of the examined file's rows (absent when it has none). */
  rowsFromTso?: Tso;
  /** With a ttl_field: the next expiry time (µs) of a row kept, null when none will expire (shared/segment/rowExpiry.ts nextExpiryUs). */
  nextExpiryUs?: number | null;
}

export type IndexNodeProtocol = {
  /**
   * `field`: the indexed field's schema, which a scalar index needs (its column and its values' kind).
   * `partitionKey`: the collection's partition key under isolation: a dense vector index is built per value of it.
   */
  buildIndex: { req: { collectionId: number; segmentId: number; dataKey: string; index: IndexParams; field?: FieldSchema; partitionKey?: FieldSchema }; res: { key: string } };
};

export type QueryNodeProtocol = {
  /**
   * Loads a segment with every index its record names (one per vector field;
   * the collection says each one's type and metric). `indexName` is the one
   * the distribution will show.
   */
  /** `columns`: the only columns to hold (a partial load, messages/loadFields.ts); absent: every one. */
  load: { req: { segment: SegmentRecord; indexName: string | null; columns?: string[] }; res: null };
  release: { req: { segmentIds: number[] }; res: null };
  /** `expiredBelow`: rows inserted below it have expired (the delegator's reading of the collection's TTL); `fieldExpiry`: its entity-level TTL rules. */
  search: { req: ShardSearch & { segmentIds: number[]; pchannel: string; deleteSeq: number; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[] }; res: { hits: HitRow[][] } };
  query: { req: ShardQuery & { segmentIds: number[]; pchannel: string; deleteSeq: number; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[] }; res: QueryResult };
  /** BM25 counts of the named segments' live rows at the read TSO (round one of a BM25 search). */
  bm25Stats: { req: ShardBm25Stats & { segmentIds: number[]; pchannel: string; deleteSeq: number; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[] }; res: Bm25Stats };
  /** The segments a query node holds, and the data and index files each was loaded from. */
  status: { req: Record<string, never>; res: { nodeId: string; segments: number[]; files: Array<{ segmentId: number; dataKey: string; indexKeys: string[]; columns?: string[]; bytes?: number }> } };
};

export const dataNodeChecks: Checks<DataNodeProtocol> = {
  flushSegment: (o) => needAll(o, { pchannel: 'string', vchannel: 'string', collectionId: 'number', partitionId: 'number', segmentId: 'number', from: 'number', to: 'number' }),
  purgeCollection: (o) => needAll(o, { collectionId: 'number' }),
  compactSegment: (o) => needAll(o, { segment: 'object', untilTso: 'bigint', minRatio: 'number' }),
  mergeSegments: (o) => needAll(o, { segments: 'array', segmentId: 'number', untilTso: 'bigint' }),
  clusterSegments: (o) => needAll(o, { segments: 'array', segmentIds: 'array', key: 'string', targetRows: 'number', untilTso: 'bigint' }),
  listSegmentFiles: (o) => needAll(o, { limit: 'number' }),
  removeFiles: (o) => needAll(o, { keys: 'array' }),
  checkImportFile: (o) => needAll(o, { dbName: 'string', collection: 'string', key: 'string' }),
  importRows: (o) => needAll(o, { jobId: 'number', dbName: 'string', collection: 'string', key: 'string', fromRow: 'number', maxRows: 'number' }),
  ...backupWorkerChecks,
};
export const indexNodeChecks: Checks<IndexNodeProtocol> = {
  buildIndex: (o) => needAll(o, { collectionId: 'number', segmentId: 'number', dataKey: 'string', index: 'object' }),
};
export const queryNodeChecks: Checks<QueryNodeProtocol> = {
  load: (o) => needAll(o, { segment: 'object' }),
  release: (o) => needAll(o, { segmentIds: 'array' }),
  search: (o) => needAll(o, { vchannel: 'string', segmentIds: 'array', queries: 'f32', nq: 'number', k: 'number', guaranteeTso: 'bigint', deleteSeq: 'number', pchannel: 'string' }),
  query: (o) => needAll(o, { vchannel: 'string', segmentIds: 'array', guaranteeTso: 'bigint', deleteSeq: 'number', pchannel: 'string' }),
  bm25Stats: (o) => needAll(o, { vchannel: 'string', segmentIds: 'array', annsField: 'string', terms: 'array', guaranteeTso: 'bigint', deleteSeq: 'number', pchannel: 'string' }),
  status: () => {},
};

/** Events published (fire and forget) on these subjects. */
export const EVENTS = {
  distribution: 'nuthatch.evt.distribution',
  assignments: 'nuthatch.evt.assignments',
  /** `{names}`: collection or alias names whose meaning changed (a rename, drop or property change); clients forget them. */
  catalog: 'nuthatch.evt.catalog',
  /** An AdmissionSnapshot (messages/admission.ts): force-deny, disk quotas and rate limits, enforced by streaming nodes. */
  admission: 'nuthatch.evt.admission',
} as const;
export type { Tso };
