import type { SegmentRecord } from '../../../messages/rpc/records.js';

/**
 * What a merged segment remembers of the segments it replaced (pure). Its
 * direct parts (`mergedFrom`) are always kept: a coordinator that crashed
 * mid-merge finishes from them. The parts' own ancestors are kept as
 * `ancestors` [id, retired at ms] only while something could still bring one
 * back: a late flush report (retried for an hour), a load that raced the
 * merge, or files a crash left behind for the orphan sweep (which removes
 * them after its tolerance). After `retainMs` they are forgotten, so a segment
 * rewritten again and again does not carry every segment it ever absorbed.
 */
export type Lineage = Pick<SegmentRecord, 'mergedFrom' | 'mergedAtMs' | 'ancestors'>;

/** Three days: past the hour a flush report is retried, and the orphan sweep's default tolerance (1 day) twice over. */
export const RETAIN_RETIRED_MS = 3 * 86_400_000;

/** How long to remember a retired segment, given the orphan sweep's tolerance (ms). */
export const retainRetiredMs = (orphanToleranceMs: number): number => Math.max(RETAIN_RETIRED_MS, 2 * orphanToleranceMs + 3_600_000);

/**
 * The lineage of a segment merged at `nowMs` from `parts`. A part's own parts
 * retired when the part was written (`mergedAtMs`; a record from before that
 * field counts as retiring them now).
 */
export function lineageOf(parts: readonly (Lineage & Pick<SegmentRecord, 'segmentId'>)[], nowMs: number, retainMs: number): Required<Pick<Lineage, 'mergedFrom' | 'mergedAtMs'>> & Pick<Lineage, 'ancestors'> {
  const ancestors = new Map<number, number>();
  for (const p of parts) {
    for (const id of p.mergedFrom ?? []) ancestors.set(id, p.mergedAtMs ?? nowMs);
    for (const [id, at] of p.ancestors ?? []) ancestors.set(id, at);
  }
  const kept = [...ancestors].filter(([, at]) => nowMs - at < retainMs).sort((a, b) => a[0] - b[0]);
  return { mergedFrom: parts.map((p) => p.segmentId), mergedAtMs: nowMs, ...(kept.length > 0 ? { ancestors: kept } : {}) };
}

/** Every segment id a record says is gone for good: its parts and the ancestors it still remembers. */
export function retiredIds(r: Lineage): number[] {
  const out = [...(r.mergedFrom ?? [])];
  for (const [id] of r.ancestors ?? []) out.push(id);
  return out;
}
