/**
 * Reading an object-WAL pchannel: the index (metadata store) says which fragments
 * are committed and in what order; each fragment object is fetched, checked whole
 * against the length and crc32 recorded at commit, and decoded before any of its
 * entries is returned.
 * Catch-up reads fetch a few fragments ahead; tails follow the index through a
 * metadata watch (notification, not polling).
 */
import { Observable } from 'rxjs';
import { asNuthatchError, NuthatchError } from '../../../messages/errors.js';
import type { MetaStore } from '../../ports/metaStore.js';
import type { ObjectStore } from '../../ports/objectStore.js';
import type { WalPosition, WalRecord } from '../../ports/walBackend.js';
import { decodeFragment } from './fragmentCodec.js';
import type { SlotIndex } from './slotIndex.js';
import { decodeJson, nextAfter, slotNumber, type FragmentSlot, type SlotRecord } from './walMetadata.js';

/**
 * The records of a committed fragment, or undefined when truncation removed it
 * while we were reading. A damaged or missing object is an error, never a partial read.
 */
export async function loadFragment(store: ObjectStore, index: SlotIndex, n: number, rec: FragmentSlot): Promise<WalRecord[] | undefined> {
  const data = await store.get(rec.key);
  if (!data) {
    if ((await index.get(n)) === undefined) return undefined;
    throw new NuthatchError('StorageMismatch', `object WAL: committed fragment ${rec.key} is missing`, { key: rec.key });
  }
  let records: WalRecord[];
  try {
    records = decodeFragment(data, rec);
  } catch (e) {
    throw new NuthatchError('StorageMismatch', `object WAL: fragment ${rec.key} is damaged or is not the one committed: ${(e as Error).message}`, { key: rec.key }, e);
  }
  if (records.length !== rec.count || (records[0] && records[0].position !== rec.first)) {
    throw new NuthatchError('StorageMismatch', `object WAL: fragment ${rec.key} holds other positions than its commit record`, { key: rec.key });
  }
  return records;
}

/** Durable records with from <= position < to, one batch per fragment. */
export async function* readRecords(store: ObjectStore, index: SlotIndex, from: WalPosition, to: WalPosition | undefined, readAhead: number): AsyncIterable<WalRecord[]> {
  const slots = await index.list();
  const last = slots[slots.length - 1];
  if (!last) return;
  const end = Math.min(to ?? Number.POSITIVE_INFINITY, nextAfter(last.rec));
  const wanted = slots.filter((s): s is { n: number; rec: FragmentSlot } => s.rec.kind === 'fragment' && s.rec.first + s.rec.count > from && s.rec.first < end);
  const pending: Promise<WalRecord[] | undefined>[] = [];
  let next = 0;
  const fill = (): void => {
    while (pending.length < readAhead && next < wanted.length) {
      const s = wanted[next++]!;
      const p = loadFragment(store, index, s.n, s.rec);
      p.catch(() => undefined);
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const recs = await pending.shift()!;
    fill();
    if (!recs) continue;
    const out = recs.filter((r) => r.position >= from && r.position < end);
    if (out.length > 0) yield out;
  }
}

/** Every durable record with position >= from, then new ones as slots are committed. */
export function tailRecords(meta: MetaStore, store: ObjectStore, index: SlotIndex, from: WalPosition): Observable<WalRecord> {
  return new Observable<WalRecord>((sub) => {
    const pending = new Map<number, SlotRecord>();
    let nextSlot: number | undefined;
    let chain = Promise.resolve();
    let stopped = false;
    const failed = (e: unknown): void => { if (!stopped) { stopped = true; sub.error(asNuthatchError(e)); } };

    const drain = (): void => {
      if (nextSlot === undefined) return;
      while (pending.has(nextSlot)) {
        const n = nextSlot++;
        const rec = pending.get(n)!;
        pending.delete(n);
        if (rec.kind !== 'fragment' || rec.first + rec.count <= from) continue;
        chain = chain.then(async () => {
          if (stopped) return;
          for (const r of (await loadFragment(store, index, n, rec)) ?? []) if (r.position >= from && !stopped) sub.next(r);
        }).catch(failed);
      }
      // A slot we heard of is ahead of one we never saw (the watch started late): fetch the gap.
      if ([...pending.keys()].some((k) => k > nextSlot!)) {
        const want = nextSlot;
        index.get(want).then((rec) => { if (rec && !pending.has(want) && nextSlot === want) { pending.set(want, rec); drain(); } }, failed);
      }
    };
    const watch = meta.watch(index.keys.slotPrefix).subscribe({
      next: (ev) => {
        if (ev.type !== 'put' || !ev.value) return;
        const n = slotNumber(ev.key);
        if (nextSlot !== undefined && n < nextSlot) return;
        pending.set(n, decodeJson<SlotRecord>(ev.value));
        drain();
      },
      error: failed,
    });
    index.list().then((slots) => {
      for (const s of slots) if (!pending.has(s.n)) pending.set(s.n, s.rec);
      nextSlot = slots[0]?.n ?? 0;
      for (const k of [...pending.keys()]) if (k < nextSlot) pending.delete(k);
      drain();
    }, failed);
    return () => { stopped = true; watch.unsubscribe(); };
  });
}
