import { decodeMessage } from '../../../messages/codec.js';
import { NuthatchError } from '../../../messages/errors.js';
import { bodyOf } from '../../../messages/types.js';
import { streamingSubject, type StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import { DATA_NODE_SUBJECT, dataNodeChecks, type DataNodeProtocol } from '../../../messages/rpc/workers.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { client, serveProtocol } from '../../../runtime/rpc/typedBus.js';
import { encodeSegmentFile } from '../../shared/segment/segmentFile.js';
import { finishFold, foldMessage, newFold } from '../core/segmentFold.js';

export interface DataNodeOptions { nodeId: string; bus: Bus; objects: ObjectStore; log?: (...a: unknown[]) => void }

export const segmentDataKey = (collectionId: number, segmentId: number) => `segments/${collectionId}/${segmentId}/data.seg`;
/** Every file of a collection (data and indexes) lies under this prefix. */
export const collectionFilesPrefix = (collectionId: number) => `segments/${collectionId}/`;

/**
 * The data node: persists a sealed segment by scanning its WAL range from the
 * pchannel's owner and folding it into columnar form. Idempotent: the object key is
 * a function of the segment, so a retried task overwrites the same bytes.
 */
export class DataNode {
  private sub?: BusSubscription;
  constructor(private readonly opts: DataNodeOptions) {}

  start(): void {
    this.sub = serveProtocol<DataNodeProtocol>(this.opts.bus, DATA_NODE_SUBJECT, dataNodeChecks, {
      flushSegment: (t) => this.flush(t),
      purgeCollection: ({ collectionId }) => this.purge(collectionId),
    }, { queue: 'dn' });
  }

  private async purge(collectionId: number): Promise<{ objects: number }> {
    if (!Number.isSafeInteger(collectionId) || collectionId < 0) throw new NuthatchError('InvalidArgument', `bad collection id ${collectionId}`);
    const files = await this.opts.objects.list(collectionFilesPrefix(collectionId));
    for (const f of files) await this.opts.objects.delete(f.key);
    this.opts.log?.(`collection ${collectionId}: ${files.length} files purged`);
    return { objects: files.length };
  }

  private async flush(t: DataNodeProtocol['flushSegment']['req']): Promise<{ rows: number; dataKey: string }> {
    const scan = client<StreamingProtocol>(this.opts.bus, streamingSubject(t.pchannel), 120_000);
    const fold = newFold(t.vchannel, t.segmentId);
    let dim = 0;
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
    const seg = finishFold(fold, dim || 1);
    seg.collectionId = t.collectionId;
    seg.partitionId = t.partitionId;
    const dataKey = segmentDataKey(t.collectionId, t.segmentId);
    await this.opts.objects.put(dataKey, encodeSegmentFile(seg));
    this.opts.log?.(`segment ${t.segmentId}: ${seg.count} rows persisted to ${dataKey}`);
    return { rows: seg.count, dataKey };
  }

  stop(): void { this.sub?.unsubscribe(); }
}
