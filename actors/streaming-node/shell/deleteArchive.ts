import { DecodeError } from '../../../messages/errors.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import { decodeValue, encodeValue } from '../../../messages/valueCodec.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';

/**
 * A shard's delete log only grows. Checkpoints would rewrite all of it every
 * time; instead each long enough run past the last archive is stored once as an
 * immutable object, and a checkpoint holds the list of archives and the short
 * tail after them. Its entries keep their sequence numbers (query nodes catch up
 * by them): archive i holds entries [from, to), archives are contiguous from 0.
 */
export interface ArchivedDeletes { key: string; from: number; to: number }

/** Entries a run needs before it is archived (about 300 KB; a checkpoint's tail stays below it). */
export const DELETE_ARCHIVE_ENTRIES = 16_384;

const pad = (n: number) => String(n).padStart(12, '0');
export const deleteArchiveKey = (vchannel: string, from: number, to: number) => `deletes/${vchannel}/${pad(from)}-${pad(to)}.del`;

/** What one checkpoint stores of a shard's deletes, and the archive it must write first (if any). */
export interface DeletesSnapshot {
  archives: ArchivedDeletes[];
  tail: DeleteEntry[];
  write?: { archive: ArchivedDeletes; entries: DeleteEntry[] };
}

/** Taken synchronously with the rest of the checkpoint, so that it matches the same position. */
export function snapshotDeletes(vchannel: string, deletes: readonly DeleteEntry[], archives: readonly ArchivedDeletes[], minEntries = DELETE_ARCHIVE_ENTRIES): DeletesSnapshot {
  const start = archives.at(-1)?.to ?? 0, end = deletes.length;
  // Shorter than what is archived: the log was cleared (the collection was dropped).
  if (end < start) return snapshotDeletes(vchannel, deletes, [], minEntries);
  if (end - start < minEntries) return { archives: [...archives], tail: deletes.slice(start, end) };
  const archive = { key: deleteArchiveKey(vchannel, start, end), from: start, to: end };
  return { archives: [...archives, archive], tail: [], write: { archive, entries: deletes.slice(start, end) } };
}

export async function writeArchive(store: ObjectStore, w: NonNullable<DeletesSnapshot['write']>): Promise<void> {
  await store.put(w.archive.key, encodeValue(w.entries));
}

/** Every archived entry, in sequence order; a missing or miscounted archive is an error, never a shorter log. */
export async function readArchives(store: ObjectStore, archives: readonly ArchivedDeletes[]): Promise<DeleteEntry[]> {
  const out: DeleteEntry[] = [];
  for (const a of archives) {
    if (a.from !== out.length) throw new DecodeError(`delete archive ${a.key} starts at ${a.from}, expected ${out.length}`);
    const bytes = await store.get(a.key);
    if (!bytes) throw new DecodeError(`delete archive ${a.key} is missing`);
    const entries = decodeValue(bytes) as unknown as DeleteEntry[];
    if (!Array.isArray(entries) || entries.length !== a.to - a.from) throw new DecodeError(`delete archive ${a.key} holds ${Array.isArray(entries) ? entries.length : 'no'} entries, expected ${a.to - a.from}`);
    for (const e of entries) out.push(e);
  }
  return out;
}

/** Archives listed before and not after: their objects are no longer referenced once `after`'s checkpoint is stored. */
export function unreferenced(before: ReadonlyMap<string, readonly ArchivedDeletes[]>, after: ReadonlyMap<string, readonly ArchivedDeletes[]>): string[] {
  const kept = new Set([...after.values()].flat().map((a) => a.key));
  return [...before.values()].flat().map((a) => a.key).filter((k) => !kept.has(k));
}
