import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { dueForRemoval, type UnreferencedMarks } from '../../shared/gc/unreferencedMarks.js';
import type { ArchivedDeletes } from './deleteArchive.js';

/** How often an owner looks for stray archives, and how long one must stay unlisted before it goes. */
export interface ArchiveSweepPolicy { intervalMs: number; toleranceMs: number }

export const DEFAULT_ARCHIVE_SWEEP: ArchiveSweepPolicy = { intervalMs: 600_000, toleranceMs: 3_600_000 };

/**
 * Delete archives of a pchannel's shards that its newest checkpoint does not
 * list: written by an owner that died before the checkpoint naming them, or by
 * an owner already replaced (its successor archives other ranges), or left
 * when freeing one failed. Only the owner whose checkpoint is the newest
 * sweeps, after storing it, and an archive goes only after it has stayed
 * unlisted for the tolerance (marks live in this owner's memory: a new owner
 * starts waiting anew), so a newer owner's fresh archives are never taken.
 */
export class ArchiveSweep {
  private marks: UnreferencedMarks = {};
  private lastMs = -Infinity;

  constructor(private readonly pchannel: string, private readonly policy: ArchiveSweepPolicy) {}

  /** Called after a checkpoint listing `listed` was stored as the newest; returns the archives removed. */
  async afterCheckpoint(store: ObjectStore, listed: Iterable<readonly ArchivedDeletes[]>, nowMs: number): Promise<string[]> {
    if (this.policy.intervalMs <= 0 || nowMs - this.lastMs < this.policy.intervalMs) return [];
    this.lastMs = nowMs;
    const keep = new Set([...listed].flat().map((a) => a.key));
    // A vchannel is named after its pchannel: `<pchannel>_<collection>v<shard>`.
    const stray = (await store.list(`deletes/${this.pchannel}_`)).map((o) => o.key).filter((k) => !keep.has(k));
    const due = dueForRemoval(stray, this.marks, nowMs, this.policy.toleranceMs);
    this.marks = due.marks;
    for (const k of due.remove) await store.delete(k);
    return due.remove;
  }
}
