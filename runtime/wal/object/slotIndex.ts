/**
 * The fragment index and fencing term of one pchannel in the metadata store.
 *
 * Fencing works without locks: slots are created once, in order, by
 * compare-and-swap against "absent". A writer commits fragment k only after it
 * created (or skipped) slot k-1; a new owner first raises the term key, then
 * creates a fence in the first free slot. The old writer's next commit targets
 * that very slot, finds it taken, and fails with 'Fenced'. Nobody ever overwrites
 * a slot, so a committed fragment stays committed.
 */
import { NuthatchError } from '../../../messages/errors.js';
import type { MetaStore } from '../../ports/metaStore.js';
import { decodeJson, encodeJson, slotNumber, type Slot, type SlotRecord, type WalKeys, nextAfter } from './walMetadata.js';

export class SlotIndex {
  constructor(private readonly meta: MetaStore, readonly keys: WalKeys) {}

  /** Every slot, in order. */
  async list(): Promise<Slot[]> {
    const entries = await this.meta.list(this.keys.slotPrefix);
    return entries.map((e) => ({ n: slotNumber(e.key), rec: decodeJson<SlotRecord>(e.value) }));
  }

  async get(n: number): Promise<SlotRecord | undefined> {
    const e = await this.meta.get(this.keys.slot(n));
    return e ? decodeJson<SlotRecord>(e.value) : undefined;
  }

  /** Creates slot n if nobody has; false if it is taken. */
  async create(n: number, rec: SlotRecord): Promise<boolean> {
    return (await this.meta.compareAndSwap(this.keys.slot(n), 0, encodeJson(rec))) !== undefined;
  }

  async delete(n: number): Promise<void> {
    await this.meta.delete(this.keys.slot(n));
  }

  /** The highest term that opened the pchannel (0 if none). */
  async term(): Promise<number> {
    const e = await this.meta.get(this.keys.term);
    return e ? decodeJson<{ term: number }>(e.value).term : 0;
  }

  /** Raises the term key to `term` (equal is allowed: a restart); 'Fenced' if it is higher. */
  async claimTerm(term: number): Promise<void> {
    for (;;) {
      const e = await this.meta.get(this.keys.term);
      const cur = e ? decodeJson<{ term: number }>(e.value).term : 0;
      if (cur > term) throw fenced(this.keys.term, term, cur);
      if (await this.meta.compareAndSwap(this.keys.term, e?.modRevision ?? 0, encodeJson({ term })) !== undefined) return;
    }
  }

  /**
   * Puts a fence for `term` in the first free slot. Returns its slot, the next
   * position, and every slot before the fence (all final: no slot below a taken
   * one can appear later).
   */
  async placeFence(term: number): Promise<{ slot: number; next: number; before: Slot[] }> {
    for (;;) {
      const before = await this.list();
      const last = before[before.length - 1];
      const slot = last ? last.n + 1 : 0;
      const next = last ? nextAfter(last.rec) : 0;
      if (await this.create(slot, { kind: 'fence', term, next })) {
        // A higher term may have claimed the pchannel and fenced below us while we
        // listed; our fence is then harmless (readers skip fences) but we are stale.
        const now = await this.term();
        if (now > term) throw fenced(this.keys.term, term, now);
        return { slot, next, before };
      }
    }
  }
}

export function fenced(what: string, term: number, by: number): NuthatchError {
  return new NuthatchError('Fenced', `object WAL ${what}: term ${term} was fenced by term ${by}`, { term, by });
}
