import { clusteringKeyField } from '../../../messages/schema.js';
import { jsonColumnsRequest } from '../../shared/segment/jsonShredding.js';
import { newMessage } from '../../../messages/types.js';
import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import { withRetry, type Caller } from '../../../runtime/rpc/typedBus.js';
import type { WorkerPool } from '../../../runtime/rpc/workerPool.js';
import type { PchannelWal } from './pchannelWal.js';
import { readFromOf } from '../core/shardData.js';

/** A streaming node's flushes: each sealed segment persisted by a data node, recorded by the coordinator, then marked flushed in its WAL. */
export class SegmentFlusher {
  private readonly flushing = new Set<number>();
  /** Segments whose report to the coordinator is in flight (dispatch): a flush waits for the answer (sealAll). */
  private readonly reports = new Map<number, Promise<void>>();
  /**
   * Segments whose report the coordinator answered (recorded, or refused: their rows went with a truncation or
   * a dropped partition) and whose Flush is not written yet: a flush has nothing to wait for in them (sealAll).
   */
  private readonly answered = new Set<number>();

  constructor(
    /** The data nodes flushes go to: one live node per flush, handed to another when its session ends (runtime/rpc/workerPool.ts). */
    private readonly dataNodes: WorkerPool<DataNodeProtocol>,
    private readonly coordinator: Caller<CoordinatorProtocol>,
    private readonly log: (...a: unknown[]) => void,
    /** Whether the node stopped: a stopped node stops asking the coordinator. */
    private readonly stopped: () => boolean,
  ) {}

  /**
   * Seal -> data node persists the segment from the WAL range -> the coordinator records it -> Flush message.
   * The record comes first, as in Milvus (the segment is saved in the meta before it is marked flushed): a
   * segment flushed in the log always has its record. The other order left a window: a release takes every
   * flushed segment's rows out of memory (they wait in object storage, under their record), and a restart
   * before the report landed lost a segment whose Flush was in the log but whose record was not made.
   * Now a segment whose report is in flight is only sealed: it is held through a release, and after a
   * restart it is persisted and reported again (afterRecovery). A report made twice is safe (the coordinator
   * keeps the record it has), as is a persist made twice (the same WAL range into the same key).
   */
  dispatch(wal: PchannelWal, vchannel: string, segmentId: number): void {
    if (this.flushing.has(segmentId)) return;
    const seg = wal.shards.get(vchannel)?.segments.get(segmentId);
    if (!seg || seg.sealPos === null) return;
    this.flushing.add(segmentId);
    const schema = wal.durable.get(vchannel)?.context.collection?.schema;
    const keyField = schema ? clusteringKeyField(schema)?.name : undefined;
    const task = { pchannel: wal.pchannel, vchannel, collectionId: seg.collectionId, partitionId: seg.partitionId, segmentId, from: readFromOf(seg), to: seg.sealPos, ...(keyField === undefined ? {} : { keyField }), ...(schema ? jsonColumnsRequest(schema) : {}) };
    // A flush sent again (its data node died, or it timed out) folds the same WAL range into the same key: safe twice.
    void withRetry(() => this.dataNodes.call('flushSegment', task, 10 * 60_000, ` of segment ${segmentId}`), { deadlineMs: 24 * 3600_000, maxMs: 5000 })
      .then(async (r) => {
        const report = this.report(wal, task, r);
        this.reports.set(segmentId, report);
        try { await report; } finally { this.reports.delete(segmentId); }
        this.answered.add(segmentId);
        // Not written when the report failed (the segment stays sealed: the pchannel's next open flushes it again).
        if (!seg.flushed) await wal.submit(newMessage('Flush', vchannel, { collectionId: seg.collectionId, segmentId }));
        // Kept when the Flush could not be written (its WAL closed): recorded or refused all the same.
        this.answered.delete(segmentId);
      })
      .catch((e) => this.log(`flush of segment ${segmentId} failed:`, e.message))
      .finally(() => this.flushing.delete(segmentId));
  }

  /**
   * Whether a flush must wait for the record of a segment it named: not when its report was answered, nor when it was
   * named unflushed and its Flush is written since (written only once its report was answered).
   */
  private awaitsRecord(wal: PchannelWal, n: { id: number; vchannel: string; held: boolean }): boolean {
    if (this.answered.has(n.id)) return false;
    const status = wal.admitted.get(n.vchannel)?.context.segments[n.id]?.status;
    return n.held || status === 'growing' || status === 'sealed';
  }

  /** Records a persisted segment with the coordinator; throws when it could not (a stopped node stops asking). */
  private async report(wal: PchannelWal, task: DataNodeProtocol['flushSegment']['req'], r: DataNodeProtocol['flushSegment']['res']): Promise<void> {
    const { vchannel, collectionId, partitionId, segmentId, from, to } = task;
    const stopped = this.stopped;
    await withRetry(() => this.coordinator('segmentFlushed', { segment: {
      collectionId, partitionId, segmentId, vchannel, pchannel: wal.pchannel,
      rows: r.rows, dataKey: r.dataKey, indexKeys: {}, from, to, ...(r.rowsFromTso === undefined ? {} : { rowsFromTso: r.rowsFromTso }), ...(r.keyRange === undefined ? {} : { keyRange: r.keyRange }),
    } }), { deadlineMs: 3600_000, signal: { get aborted() { return stopped(); } } });
  }

  /**
   * Seals a collection's growing segments on the shards named (a flush), and names the segments whose record
   * the flush must wait for.
   */
  async sealAll(wal: PchannelWal, { collectionId, vchannels }: StreamingProtocol['sealAll']['req']): Promise<StreamingProtocol['sealAll']['res']> {
    const named: Array<{ id: number; vchannel: string; held: boolean }> = [];
    for (const v of vchannels) {
      // The growing segments it seals, and those sealed before and not flushed yet (by size or age, by a flush whose caller
      // went away, or recovered sealed after a restart): a flush returns once every row written before it is persisted.
      const unflushed = Object.values(wal.admitted.get(v)?.context.segments ?? {}).filter((s) => s.status === 'growing' || s.status === 'sealed').map((s) => s.id);
      // And those flushed and still held: recorded before their Flush, but a log written before that order may hold one whose report was lost (made again at open: afterRecovery).
      const held = [...wal.shards.get(v)?.segments.values() ?? []].filter((s) => s.flushed && !s.partitionDropped && !unflushed.includes(s.id)).map((s) => s.id);
      await wal.submit(newMessage('ManualFlush', v, { collectionId }));
      named.push(...unflushed.map((id) => ({ id, vchannel: v, held: false })), ...held.map((id) => ({ id, vchannel: v, held: true })));
    }
    // A segment is recorded before its Flush is written: one whose report was answered holds nothing to wait for, and the
    // answer may be a refusal made before this flush opened (the coordinator tells a flush only of those made while it is
    // open), so it would wait for a record that never comes. One whose report is in flight is waited for here, for the same reason.
    await Promise.all(named.map(({ id }) => this.reports.get(id)?.catch(() => {})));
    return { segmentIds: named.filter((n) => this.awaitsRecord(wal, n)).map((n) => n.id) };
  }
}
