import type { StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import type { Tso } from '../../../messages/types.js';
import { deleteEnd, type ShardData } from './shardData.js';

/** Most bytes of delete entries one page carries (far below any bus payload limit). */
const DELETES_PAGE_BYTES = 256 * 1024;

/**
 * A page of a shard's delete log from a sequence number (or from the first
 * entry kept, when earlier ones were trimmed), with the log's length and trim
 * floor: query nodes and data nodes catch up page by page (a log of millions
 * of deletes would not fit one bus message). `completeTso`: the replica's
 * serviceable TSO, taken with the page (no await between): every delete at or
 * below it was folded into `s` by then. A data node's compaction claims to
 * have applied no delete past it (data-node/core/deleteLogRead.ts). Pure.
 */
export function deletePage(s: ShardData | undefined, fromSeq: number, completeTso: Tso): StreamingProtocol['deletes']['res'] {
  if (!s) return { entries: [], seq: 0, from: fromSeq, base: 0, floorTso: 0n, completeTso };
  const base = s.deleteBase, seq = deleteEnd(s);
  const from = Math.max(fromSeq, base);
  let end = from, bytes = 0;
  while (end < seq && bytes < DELETES_PAGE_BYTES) {
    const pk = s.deletes[end++ - base]!.pk;
    bytes += 16 + (typeof pk === 'string' ? pk.length * 3 : 8);
  }
  return { entries: s.deletes.slice(from - base, end - base), seq, from, base, floorTso: s.deleteFloorTso, completeTso };
}
