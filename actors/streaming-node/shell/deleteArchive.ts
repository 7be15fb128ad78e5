import { DecodeError } from '../../../messages/errors.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import { decodeValue, encodeValue } from '../../../messages/valueCodec.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';

/**
 * A shard's delete log grows until a trim (TrimDeletes) drops its head.
 * Checkpoints would rewrite all of it every time; instead each long enough run
 * past the last archive is stored once as an immutable object, and a checkpoint
 * holds the list of archives and the short tail after them. Its entries keep
 * their sequence numbers (query nodes catch up by them): archive i holds
 * entries [from, to), archives are contiguous. Once a trim passes an archive's
 * last entry, the archive is no longer listed and its object is freed.
 */
export interface ArchivedDeletes { key: string; from: number; to: number }

/** Entries a run needs before it is archived (about 300 KB; a checkpoint's tail stays below it). */
export const DELETE_ARCHIVE_ENTRIES = 16_384;

const pad = (n: number) => String(n).padStart(12, '0');
export const deleteArchiveKey = (vchannel: string, from: number, to: number) => `deletes/${vchannel}/${pad(from)}-${pad(to)}.del`;

/**
 * What one checkpoint stores of a shard's deletes, and the archive it must write
 * first (if any). `from` is the sequence number of the first entry stored (the
 * first archive's, else the tail's).
 */
export interface DeletesSnapshot {
  archives: ArchivedDeletes[];
  tail: DeleteEntry[];
  from: number;
  write?: { archive: ArchivedDeletes; entries: DeleteEntry[] };
}

/**
 * Taken synchronously with the rest of the checkpoint, so that it matches the
 * same position. `log` holds the entries from sequence number `deleteBase` on.
 */
export function snapshotDeletes(vchannel: string, log: { deletes: readonly DeleteEntry[]; deleteBase: number }, archives: readonly ArchivedDeletes[], minEntries = DELETE_ARCHIVE_ENTRIES): DeletesSnapshot {
  const base = log.deleteBase, end = base + log.deletes.length;
  // Archives wholly trimmed are no longer listed.
  const kept = archives.filter((a) => a.to > base);
  const start = kept.at(-1)?.to ?? base;
  // Shorter than what is archived: the log was cleared (the collection was dropped).
  if (end < start) return snapshotDeletes(vchannel, log, [], minEntries);
  const from = kept[0]?.from ?? start;
  if (end - start < minEntries) return { archives: kept, tail: log.deletes.slice(start - base, end - base), from };
  const archive = { key: deleteArchiveKey(vchannel, start, end), from: start, to: end };
  return { archives: [...kept, archive], tail: [], from, write: { archive, entries: log.deletes.slice(start - base, end - base) } };
}

export async function writeArchive(store: ObjectStore, w: NonNullable<DeletesSnapshot['write']>): Promise<void> {
  await store.put(w.archive.key, encodeValue(w.entries));
}

/** Every archived entry, in sequence order; a missing, miscounted or discontiguous archive is an error, never a shorter log. */
export async function readArchives(store: ObjectStore, archives: readonly ArchivedDeletes[]): Promise<DeleteEntry[]> {
  const out: DeleteEntry[] = [];
  const first = archives[0]?.from ?? 0;
  for (const a of archives) {
    if (a.from !== first + out.length) throw new DecodeError(`delete archive ${a.key} starts at ${a.from}, expected ${first + out.length}`);
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
