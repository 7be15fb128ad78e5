import { decodeMessage } from '../../../messages/codec.js';
import { nextExpiryUs } from '../../shared/segment/rowExpiry.js';
import { NuthatchError } from '../../../messages/errors.js';
import { bodyOf, type Tso } from '../../../messages/types.js';
import { streamingReadSubject, streamingSubject, type StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import { DATA_NODE_SUBJECT, dataNodeSubject, dataNodeChecks, type ClusterOutcome, type CompactionOutcome, type DataNodeProtocol, type MergeOutcome } from '../../../messages/rpc/workers.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { MetaStore } from '../../../runtime/ports/metaStore.js';
import { holdWorkerSession } from '../../../runtime/rpc/workerSession.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { client, serveProtocol, type Handlers } from '../../../runtime/rpc/typedBus.js';
import { asRecorded, decodeSegmentFile, encodeSegmentFile } from '../../shared/segment/segmentFile.js';
import { collectionFilesPrefix, compactedDataKey, segmentDataKey, shreddedSidecarKey } from '../../shared/segment/segmentKeys.js';
import { jsonShreddingConfig, shredColumns, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import { encodeSidecar, sidecarOrigin } from '../../shared/segment/shreddedSidecar.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { minTso } from '../../shared/segment/deleteCover.js';
import { compactSegment, type RewriteRules } from '../core/segmentCompaction.js';
import type { FieldExpiry } from '../../../messages/entityTtl.js';
import { addDeletePage, appliedTsoOf, newDeleteLogRead, type DeleteLogRead } from '../core/deleteLogRead.js';
import { mergeSegments } from '../core/segmentMerge.js';
import { clusterSegments } from '../core/segmentCluster.js';
import { rangeOf } from '../../shared/cluster/keyRange.js';
import { finishFold, foldMessage, newFold } from '../core/segmentFold.js';
import { measure } from '../../../runtime/metrics/operation.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { DataNodeMetrics } from './dataNodeMetrics.js';
import { ImportReader } from './importReader.js';
import { BackupWorker } from './backupWorker.js';

/** segments/<collection>/<segment>/<file>: nothing else is removed on request. */
const SEGMENT_FILE = /^segments\/\d+\/\d+\/(?!\.\.?$)[^/]+$/;

/** Most keys in one listSegmentFiles page (a page must fit a bus message). */
const MAX_LIST_PAGE = 10_000;

export interface DataNodeOptions {
  /**
   * Where the node holds its session (`sessions/data-node/<nodeId>`, leased): the coordinator sends it tasks on its own
   * subject while it lives and moves them to another node when it dies. Absent: tasks reach it from the queue group only.
   */
  meta?: MetaStore;
  /** TTL of the session lease (default 10 s): how long after a crash its tasks go elsewhere. */
  sessionTtlMs?: number;
  nodeId: string; bus: Bus; objects: ObjectStore; log?: (...a: unknown[]) => void;
  /** Where the node's metrics go (the process's registry); kept privately when absent. */
  metrics?: MetricsRegistry;
  /** JSON shredding (Milvus's common.enabledJSONShredding, dataCoord.jsonShredding*): the layout written beside each segment file it writes. */
  jsonShredding?: Partial<JsonShreddingConfig>;
}

export { collectionFilesPrefix, segmentDataKey } from '../../shared/segment/segmentKeys.js';

/**
 * The data node: persists a sealed segment by scanning its WAL range from the
 * pchannel's owner and folding it into columnar form. Idempotent: the object key is
 * a function of the segment, so a retried task overwrites the same bytes.
 */
export class DataNode {
  private subs: BusSubscription[] = [];
  private session?: { end(): Promise<void> };
  private readonly metrics: DataNodeMetrics;
  private readonly imports: ImportReader;
  private readonly backups: BackupWorker;
  private readonly shredding: JsonShreddingConfig;
  constructor(private readonly opts: DataNodeOptions) {
    this.shredding = jsonShreddingConfig(opts.jsonShredding);
    this.metrics = new DataNodeMetrics(opts.nodeId, opts.metrics);
    this.imports = new ImportReader(opts.bus, opts.objects);
    this.backups = new BackupWorker(opts.bus, opts.objects);
  }

  /** Serves the queue group and the node's own subject, then registers the session (with `meta`). */
  async start(): Promise<void> {
    const handlers: Handlers<DataNodeProtocol> = {
      flushSegment: (t) => measure(this.metrics.flush, () => this.flush(t)),
      purgeCollection: ({ collectionId, keep }) => this.purge(collectionId, keep ?? []),
      compactSegment: (t) => measure(this.metrics.compact, () => this.compact(t)),
      mergeSegments: (t) => measure(this.metrics.merge, () => this.merge(t)),
      clusterSegments: (t) => measure(this.metrics.merge, () => this.cluster(t)),
      listSegmentFiles: ({ after, limit }) => this.listSegmentFiles(after, limit),
      removeFiles: ({ keys }) => this.remove(keys),
      checkImportFile: ({ dbName, collection, key }) => this.imports.check(dbName, collection, key),
      importRows: (t) => this.imports.write(t),
      ...this.backups.handlers(),
    };
    this.subs = [
      serveProtocol<DataNodeProtocol>(this.opts.bus, DATA_NODE_SUBJECT, dataNodeChecks, handlers, { queue: 'dn' }),
      serveProtocol<DataNodeProtocol>(this.opts.bus, dataNodeSubject(this.opts.nodeId), dataNodeChecks, handlers),
    ];
    if (this.opts.meta) this.session = await holdWorkerSession(this.opts.meta, 'data-node', this.opts.nodeId, this.opts.sessionTtlMs ?? 10_000, this.opts.log);
  }

  private async listSegmentFiles(after: string | null, limit: number): Promise<{ keys: string[] }> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) throw new NuthatchError('InvalidArgument', `limit must be an integer in 1..${MAX_LIST_PAGE}`);
    if (after !== null && typeof after !== 'string') throw new NuthatchError('InvalidArgument', 'after must be a key or null');
    const page = await this.opts.objects.list('segments/', { ...(after === null ? {} : { startAfter: after }), limit });
    return { keys: page.map((o) => o.key) };
  }

  private async remove(keys: unknown[]): Promise<{ removed: number }> {
    const bad = keys.find((k) => typeof k !== 'string' || !SEGMENT_FILE.test(k));
    if (bad !== undefined) throw new NuthatchError('InvalidArgument', `${JSON.stringify(bad)} is not a segment file`);
    // A data file's shredded JSON sidecar goes with it (none written: deleting it is a no-op).
    for (const k of keys as string[]) { await this.opts.objects.delete(k); if (k.endsWith('.seg')) await this.opts.objects.delete(shreddedSidecarKey(k)); }
    return { removed: keys.length };
  }

  /** Delete compaction of one segment (see core/segmentCompaction.ts); the coordinator switches to the new file. */
  private async compact(t: DataNodeProtocol['compactSegment']['req']): Promise<CompactionOutcome> {
    const { segment: s, untilTso } = t;
    const bytes = await this.opts.objects.get(s.dataKey);
    if (!bytes) throw new NuthatchError('NotFound', `segment data ${s.dataKey} is missing`);
    const seg = asRecorded(decodeSegmentFile(bytes), s);
    const log = await this.deleteLog(s.pchannel, s.vchannel, untilTso);
    const appliedTso = appliedTsoOf(untilTso, log);
    const r = compactSegment(seg, log.byKey, appliedTso, rewriteRules(t));
    const outcome = {
      compacted: false, dataKey: s.dataKey, rows: seg.count, removed: r.removed, pending: r.pending, deleteSeq: log.seq, appliedTso, ...(seg.count > 0 ? { rowsFromTso: seg.tsos.reduce(minTso) } : {}),
      ...(t.fieldExpiry ? { nextExpiryUs: nextExpiryUs(r.seg.fields, r.seg.count, t.fieldExpiry) } : {}),
    };
    // Every row gone (all expired or deleted): the coordinator discards the segment, with no file to write.
    if (r.seg.count === 0) return { ...outcome, compacted: true, rows: 0 };
    if (r.strippedColumns.length === 0 && (r.removed === 0 || r.removed < t.minRatio * seg.count)) return outcome;
    const dataKey = compactedDataKey(s.collectionId, s.segmentId, untilTso);
    await this.putSegment(dataKey, r.seg, t.jsonColumns);
    this.opts.log?.(`segment ${s.segmentId}: compacted to ${dataKey}, ${r.removed} deleted or expired rows removed, ${r.seg.count} kept${r.strippedColumns.length ? `, dropped columns ${r.strippedColumns.join(', ')} left out` : ''}`);
    return { ...outcome, compacted: true, dataKey, rows: r.seg.count, rowsFromTso: r.seg.tsos.reduce(minTso) };
  }

  /** The segment files a rewrite reads: one or more segments of one partition of one shard, each decoded. */
  private async partsOf<S extends { segmentId: number; collectionId: number; partitionId: number; vchannel: string; dataKey: string }>(segments: readonly S[], what: string) {
    const first = segments[0];
    if (!first || segments.some((s) => s.collectionId !== first.collectionId || s.partitionId !== first.partitionId || s.vchannel !== first.vchannel)) {
      throw new NuthatchError('InvalidArgument', `${what} takes one or more segments of one partition of one shard`);
    }
    const parts = [];
    for (const s of segments) {
      const bytes = await this.opts.objects.get(s.dataKey);
      if (!bytes) throw new NuthatchError('NotFound', `segment data ${s.dataKey} is missing`);
      parts.push(asRecorded(decodeSegmentFile(bytes), s));
    }
    return { first, parts };
  }

  /** Merge compaction of small segments of one partition into a new one (see core/segmentMerge.ts). */
  private async merge(t: DataNodeProtocol['mergeSegments']['req']): Promise<MergeOutcome> {
    const { first, parts } = await this.partsOf(t.segments, 'a merge');
    const log = await this.deleteLog(first.pchannel, first.vchannel, t.untilTso);
    const appliedTso = appliedTsoOf(t.untilTso, log);
    const r = mergeSegments(parts, { segmentId: t.segmentId }, log.byKey, appliedTso, rewriteRules(t));
    const dataKey = segmentDataKey(first.collectionId, t.segmentId);
    await this.putSegment(dataKey, r.seg, t.jsonColumns);
    this.opts.log?.(`segments ${t.segments.map((s) => s.segmentId).join(', ')}: merged into ${t.segmentId} (${r.seg.count} rows, ${r.removed} deleted rows left out)`);
    return { dataKey, rows: r.seg.count, removed: r.removed, pending: r.pending, deleteSeq: log.seq, appliedTso, ...(r.seg.count > 0 ? { rowsFromTso: r.seg.tsos.reduce(minTso) } : {}) };
  }

  /** Clustering compaction of a partition's segments into key ranges (see core/segmentCluster.ts). */
  private async cluster(t: DataNodeProtocol['clusterSegments']['req']): Promise<ClusterOutcome> {
    if (!Number.isInteger(t.targetRows) || t.targetRows < 1) throw new NuthatchError('InvalidArgument', `targetRows must be a positive integer, got ${t.targetRows}`);
    const { first, parts } = await this.partsOf(t.segments, 'a clustering compaction');
    const log = await this.deleteLog(first.pchannel, first.vchannel, t.untilTso);
    const appliedTso = appliedTsoOf(t.untilTso, log);
    const r = clusterSegments(parts, t.segmentIds, t.key, t.targetRows, log.byKey, appliedTso, rewriteRules(t));
    const outputs: ClusterOutcome['outputs'] = [];
    for (const { seg, range } of r.segs) {
      const dataKey = segmentDataKey(first.collectionId, seg.segmentId);
      await this.putSegment(dataKey, seg, t.jsonColumns);
      outputs.push({ segmentId: seg.segmentId, dataKey, rows: seg.count, ...(seg.count > 0 ? { rowsFromTso: seg.tsos.reduce(minTso) } : {}), ...(range ? { keyRange: range } : {}) });
    }
    this.opts.log?.(`segments ${t.segments.map((s) => s.segmentId).join(', ')}: clustered by '${t.key}' into ${outputs.map((o) => o.segmentId).join(', ')} (${r.removed} deleted rows left out)`);
    return { outputs, removed: r.removed, pending: r.pending, deleteSeq: log.seq, appliedTso };
  }

  /**
   * The shard's whole delete log by key, page by page, from its owner (any delegator when the owner is away),
   * each replica asked to fold up to `untilTso` first; how far the read is complete (core/deleteLogRead.ts).
   */
  private async deleteLog(pchannel: string, vchannel: string, untilTso: Tso): Promise<DeleteLogRead> {
    const read = newDeleteLogRead();
    for (let attempt = 0; ;) {
      const subject = attempt % 2 === 0 ? streamingSubject(pchannel) : streamingReadSubject(pchannel);
      let r: StreamingProtocol['deletes']['res'];
      try {
        r = await client<StreamingProtocol>(this.opts.bus, subject, 30_000)('deletes', { vchannel, fromSeq: read.seq, syncTso: untilTso });
      } catch (e) {
        if (++attempt >= 10) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (addDeletePage(read, r)) return read;
    }
  }

  private async purge(collectionId: number, keep: unknown[]): Promise<{ objects: number }> {
    if (!Number.isSafeInteger(collectionId) || collectionId < 0) throw new NuthatchError('InvalidArgument', `bad collection id ${collectionId}`);
    if (!Array.isArray(keep) || keep.some((k) => typeof k !== 'string')) throw new NuthatchError('InvalidArgument', 'keep must be a list of keys');
    const kept = new Set(keep as string[]);
    for (const k of keep as string[]) if (k.endsWith('.seg')) kept.add(shreddedSidecarKey(k));
    const files = (await this.opts.objects.list(collectionFilesPrefix(collectionId))).filter((f) => !kept.has(f.key));
    for (const f of files) await this.opts.objects.delete(f.key);
    this.opts.log?.(`collection ${collectionId}: ${files.length} files purged`);
    return { objects: files.length };
  }

  private async flush(t: DataNodeProtocol['flushSegment']['req']): Promise<DataNodeProtocol['flushSegment']['res']> {
    const scan = client<StreamingProtocol>(this.opts.bus, streamingSubject(t.pchannel), 120_000);
    const fold = newFold(t.vchannel, t.segmentId);
    let dim = -1;
    for (let from = t.from; from <= t.to;) {
      const r = await scan('scan', { from, to: t.to, maxBytes: 4 * 1024 * 1024 });
      if (r.records.length === 0) throw new NuthatchError('Unavailable', `WAL range ${from}..${t.to} of ${t.pchannel} is not readable`);
      for (const rec of r.records) {
        const m = decodeMessage(rec.payload, rec.position);
        if (m.header.type === 'Insert') { const rows = bodyOf(m, 'Insert').rows; if (rows.count > 0) dim = rows.vectors.length / rows.count; }
        foldMessage(fold, m);
      }
      from = r.next;
    }
    // No rows: any dim does; 0 rows of a block: the collection has no FloatVector.
    const seg = finishFold(fold, dim < 0 ? 1 : dim);
    seg.collectionId = t.collectionId;
    seg.partitionId = t.partitionId;
    const dataKey = segmentDataKey(t.collectionId, t.segmentId);
    await this.putSegment(dataKey, seg, t.jsonColumns);
    this.metrics.flushedRows.inc(seg.count);
    this.opts.log?.(`segment ${t.segmentId}: ${seg.count} rows persisted to ${dataKey}`);
    const keyRange = t.keyField === undefined ? undefined : rangeOf(seg.fields[t.keyField] ?? [], seg.count);
    return { rows: seg.count, dataKey, ...(seg.count > 0 ? { rowsFromTso: seg.tsos.reduce(minTso) } : {}), ...(keyRange ? { keyRange } : {}) };
  }

  /**
   * Writes a segment file and, when it has JSON columns (`jsonColumns`, from the
   * schema) and shredding is on, their shredded layout beside it
   * (shared/segment/shreddedSidecar.ts), so query nodes load it instead of
   * shredding at each load. Written before the file is reported, so whatever
   * names the file finds its sidecar; a failed sidecar only costs that shredding.
   */
  private async putSegment(dataKey: string, seg: SealedSegment, jsonColumns: readonly string[] | undefined): Promise<void> {
    const bytes = encodeSegmentFile(seg);
    await this.opts.objects.put(dataKey, bytes);
    if (jsonColumns !== undefined && (!Array.isArray(jsonColumns) || jsonColumns.some((c) => typeof c !== 'string'))) throw new NuthatchError('InvalidArgument', 'jsonColumns must be a list of column names');
    if (!this.shredding.enabledJSONShredding || !jsonColumns?.length || seg.count === 0) return;
    try {
      const columns = shredColumns(seg, jsonColumns, this.shredding);
      if (columns.size > 0) await this.opts.objects.put(shreddedSidecarKey(dataKey), encodeSidecar(sidecarOrigin(bytes, this.shredding), columns));
    } catch (e) {
      this.opts.log?.(`segment ${seg.segmentId}: shredded JSON sidecar not written (${(e as Error).message}); query nodes shred at load`);
    }
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    await this.session?.end();
  }
}

/** What a rewrite request leaves out besides deleted rows (core/segmentCompaction.ts). */
function rewriteRules(t: { expiredBelow?: Tso; fieldExpiry?: FieldExpiry[]; droppedFields?: string[] }): RewriteRules {
  return { expiredBelow: t.expiredBelow, fieldExpiry: t.fieldExpiry, droppedFields: t.droppedFields };
}
