import type { PrimaryKey } from '../../../messages/schema.js';
import { bodyOf, type AnyMessage, type Tso } from '../../../messages/types.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';

/**
 * Folds a WAL range into one sealed segment: the inserts that name it, with
 * transaction bodies released at their commit TSO and rolled-back ones dropped.
 * Pure: the data node shell feeds it the scanned messages in WAL order.
 */
export interface SegmentFold {
  vchannel: string;
  segmentId: number;
  pks: PrimaryKey[];
  tsos: Tso[];
  vectors: Float32Array[];
  fields: Array<{ count: number; fields: Record<string, unknown[]> }>;
  txns: Map<number, AnyMessage[]>;
  collectionId: number;
  partitionId: number;
}

export function newFold(vchannel: string, segmentId: number): SegmentFold {
  return { vchannel, segmentId, pks: [], tsos: [], vectors: [], fields: [], txns: new Map(), collectionId: -1, partitionId: -1 };
}

function take(f: SegmentFold, m: AnyMessage, tso: Tso): void {
  const b = bodyOf(m, 'Insert');
  if (b.segmentId !== f.segmentId) return;
  f.collectionId = b.collectionId;
  f.partitionId = b.partitionId;
  for (const pk of b.rows.pks) { f.pks.push(pk); f.tsos.push(tso); }
  f.vectors.push(b.rows.vectors);
  f.fields.push({ count: b.rows.count, fields: b.rows.fields });
}

export function foldMessage(f: SegmentFold, m: AnyMessage): void {
  if (m.header.vchannel !== f.vchannel) return;
  const txn = m.header.txn?.id;
  switch (m.header.type) {
    case 'BeginTxn': if (txn !== undefined) f.txns.set(txn, []); break;
    case 'RollbackTxn': if (txn !== undefined) f.txns.delete(txn); break;
    case 'CommitTxn': {
      const body = txn === undefined ? undefined : f.txns.get(txn);
      if (body) { for (const b of body) take(f, b, m.header.tso); f.txns.delete(txn!); }
      break;
    }
    case 'Insert':
      if (txn !== undefined) f.txns.get(txn)?.push(m);
      else take(f, m, m.header.tso);
      break;
    default: break;
  }
}

/** The folded rows as a sealed segment (columns of absent fields are filled with null). */
export function finishFold(f: SegmentFold, dim: number): SealedSegment {
  const count = f.pks.length;
  const vectors = new Float32Array(count * dim);
  let off = 0;
  for (const v of f.vectors) { vectors.set(v, off); off += v.length; }
  const names = new Set<string>();
  for (const c of f.fields) for (const k of Object.keys(c.fields)) names.add(k);
  const fields: Record<string, unknown[]> = {};
  for (const name of names) {
    const col: unknown[] = [];
    for (const c of f.fields) {
      const src = c.fields[name];
      for (let i = 0; i < c.count; i++) col.push(src ? src[i] ?? null : null);
    }
    fields[name] = col;
  }
  return { segmentId: f.segmentId, collectionId: f.collectionId, partitionId: f.partitionId, vchannel: f.vchannel, count, dim, pks: f.pks, tsos: f.tsos, vectors, fields };
}
