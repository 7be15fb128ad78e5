import { addToIndex, trimIndex, type DeleteIndex } from '../../shared/segment/deleteIndex.js';
import { minTso } from '../../shared/segment/deleteCover.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';

/**
 * A query node's copy of one shard's delete log (pure): the entries up to
 * `seq`, by key. `floorTso` is what the copy may lack: it holds every logged
 * delete above it, none at or below it is promised. A file can be read with
 * this copy only if no delete at or below `floorTso` hides one of its rows,
 * that is, if its delete cover (shared/segment/deleteCover.ts) reaches the
 * floor (`readsFile`). The coordinator trims the log only below every current
 * segment record's cover, so a current record always qualifies; the copy of a
 * record held here may not (`heldFileVerdict`): its cover may have been raised
 * since it was loaded, or it names a file the records no longer name (a load
 * that lost a race with a compaction's switch and trim), which is refused
 * rather than read with deleted rows showing.
 */
export interface ShardDeletes { seq: number; floorTso: Tso; maxTso: Tso; index: DeleteIndex }

export const newShardDeletes = (): ShardDeletes => ({ seq: 0, floorTso: 0n, maxTso: 0n, index: new Map() });

/** A page of the shard's log (streaming node's `deletes`): entries from `from`; the log's trim floor. */
export interface DeletePageOf { entries: readonly DeleteEntry[]; from: number; floorTso: Tso }

/**
 * Applies the page that answered a request from `d.seq`. A page that starts
 * past `d.seq` skipped entries the log trimmed before this node read them:
 * the copy lacks deletes up to the log's floor, whatever the files held here
 * need, so its floor rises to the log's. Then trims (trimShardDeletes).
 */
export function applyDeletePage(d: ShardDeletes, page: DeletePageOf, heldCovers: Iterable<Tso>): void {
  const skipped = page.from > d.seq;
  addToIndex(d.index, page.entries);
  for (const e of page.entries) if (e.tso > d.maxTso) d.maxTso = e.tso;
  d.seq = page.from + page.entries.length;
  if (skipped && page.floorTso > d.floorTso) {
    d.floorTso = page.floorTso;
    trimIndex(d.index, page.floorTso);
  }
  trimShardDeletes(d, page.floorTso, heldCovers);
}

/**
 * Drops deletes at or below the log's floor, but never past what the files
 * held here need (the least of their covers): a replica still serving a file
 * that a compaction replaced keeps the deletes that file needs.
 */
export function trimShardDeletes(d: ShardDeletes, logFloor: Tso, heldCovers: Iterable<Tso>): void {
  if (logFloor <= d.floorTso) return;
  let floor = logFloor;
  for (const c of heldCovers) floor = minTso(floor, c);
  if (floor <= d.floorTso) return;
  d.floorTso = floor;
  trimIndex(d.index, floor);
}

/** Whether a file whose delete cover is `cover` reads right with `d` (no delete `d` may lack reaches its rows). */
export const readsFile = (d: Pick<ShardDeletes, 'floorTso'>, cover: Tso): boolean => cover >= d.floorTso;

/** A segment's file and its delete cover, as held here or as its current record names it. */
export interface FileCover { dataKey: string; cover: Tso }

/**
 * What a read does with a held file that `readsFile` turns down, given the
 * segment's current record (undefined: the segment is gone, dropped or merged):
 * - `adopt`: it is the current file, whose cover was raised after this node
 *   loaded it (compaction examined it and found no row the deletes up to its
 *   new cover reach, so it kept the file): read it, with the current cover;
 * - `reload`: a superseded file (a load that lost a race with a compaction's
 *   switch and trim): refuse the read (Unavailable, the delegator retries) and
 *   load the current file;
 * - `refuse`: no file here reads right with these deletes.
 * Only a held file's cover can be stale: a record's cover is a property of its
 * file's rows against its own shard's log, so a restored snapshot's records
 * (their files the source's, their covers the source's TSOs, their log the
 * source's deletes above those covers, with the same TSOs) qualify as any do.
 */
export function heldFileVerdict(d: Pick<ShardDeletes, 'floorTso'>, held: FileCover, current: FileCover | undefined): 'adopt' | 'reload' | 'refuse' {
  if (!current) return 'refuse';
  if (current.dataKey !== held.dataKey) return 'reload';
  return readsFile(d, current.cover) ? 'adopt' : 'refuse';
}
