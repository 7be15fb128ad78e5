import type { Tso } from '../../../messages/types.js';
import { packVectorColumns } from '../../shared/vector/vectorColumn.js';
import type { GrowingChunk } from './shardData.js';

/**
 * Merging a growing segment's small chunks. Each insert appends one chunk
 * (its rows, its TSO, its partition), and every read visits every chunk: a
 * filter is bound, the delete index consulted, a vector block scanned per
 * chunk. A segment filled by one-row inserts is thousands of one-row chunks,
 * and reads of it cost about ten times those of the same rows in one chunk.
 * So once the tail of a segment holds MERGE_FANIN chunks of fewer than
 * MERGED_ROWS rows in a row, they become one chunk carrying each row's TSO
 * (`rowTsos`); a chunk of MERGED_ROWS rows or more is never merged again
 * (Milvus's growing segments hold rows in chunks of 128, segcore.chunkRows).
 * A segment holds fewer than MERGE_FANIN chunks besides its full ones, and a
 * row is copied at most MERGED_ROWS / (MERGE_FANIN - 1) times (one-row
 * inserts; fewer the larger the inserts), a copy costing far less than the
 * insert that brought it.
 *
 * Only chunks of one partition and the same columns merge (a field added or
 * dropped between them keeps them apart: a column a chunk lacks reads
 * differently from a stored null). Visibility is per row: a read at TSO t
 * sees a merged chunk's rows written at or before t, exactly as it saw the
 * chunks they came from. Pure: the same chunks merge the same way on a
 * replay.
 */

/** Small chunks merged at once. */
export const MERGE_FANIN = 16;
/** Chunks of at least this many rows are never merged. */
export const MERGED_ROWS = 256;

/** The TSO a chunk's row was written at. */
export const rowTso = (c: GrowingChunk, row: number): Tso => (c.rowTsos ? c.rowTsos[row]! : c.tso);

/** The earliest TSO of a chunk's rows (its `tso` is the latest). */
export const firstTso = (c: GrowingChunk): Tso => c.minTso ?? c.tso;

const mergeable = (c: GrowingChunk, last: GrowingChunk): boolean => {
  if (c.count >= MERGED_ROWS || c.partitionId !== last.partitionId) return false;
  const ka = Object.keys(c.fields), kb = Object.keys(last.fields);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(last.fields, k));
};

/**
 * Merges the tail of `chunks` once its run of small chunks (of the last
 * one's partition and columns) is MERGE_FANIN long. Mutates `chunks`; calls
 * `merged` with the chunks replaced and the one that replaced them.
 */
export function mergeTail(chunks: GrowingChunk[], merged?: (gone: readonly GrowingChunk[], into: GrowingChunk) => void): void {
  const last = chunks.at(-1);
  if (last === undefined) return;
  let from = chunks.length;
  while (from > 0 && mergeable(chunks[from - 1]!, last)) from--;
  if (chunks.length - from < MERGE_FANIN) return;
  const gone = chunks.slice(from), into = mergeChunks(gone);
  chunks.splice(from, gone.length, into);
  merged?.(gone, into);
}

/** One chunk holding the rows of `group` in order (one partition, the same columns), each with its TSO. */
export function mergeChunks(group: readonly GrowingChunk[]): GrowingChunk {
  const count = group.reduce((n, c) => n + c.count, 0);
  const rowTsos = new BigUint64Array(count);
  const vectors = new Float32Array(group.reduce((n, c) => n + c.vectors.length, 0));
  const pks: GrowingChunk['pks'] = [];
  const fields: Record<string, unknown[]> = {};
  for (const name of Object.keys(group[0]!.fields)) fields[name] = [];
  let row = 0, at = 0, minTso = group[0]!.tso, maxTso = minTso;
  for (const c of group) {
    for (let i = 0; i < c.count; i++) rowTsos[row + i] = rowTso(c, i);
    vectors.set(c.vectors, at);
    for (let i = 0; i < c.count; i++) pks.push(c.pks[i]!);
    for (const [name, column] of Object.entries(c.fields)) {
      const into = fields[name]!;
      for (let i = 0; i < c.count; i++) into.push(column[i]);
    }
    if (firstTso(c) < minTso) minTso = firstTso(c);
    if (c.tso > maxTso) maxTso = c.tso;
    row += c.count;
    at += c.vectors.length;
  }
  // Vector rows are views of their old chunks' blocks: packed anew, the merged column is one block again.
  packVectorColumns(fields, count);
  return { count, pks, vectors, fields, tso: maxTso, minTso, rowTsos, partitionId: group[0]!.partitionId };
}
