/**
 * Segment file names and the rule that says which files make up the log. Pure.
 *
 * A segment file is named `<first position>-<term>.wal`. A writer that takes a
 * pchannel over with a higher term never writes into an older writer's file: it
 * starts a new segment at the position where the old log ended. The log is then
 * the chain of live segments sorted by first position, each holding positions up
 * to the next one's first. A segment is dead when a segment with a higher term
 * starts at or before it: a stale writer that kept writing (or rolled a new file)
 * after the takeover only ever adds dead bytes.
 */

/** One segment file as its name describes it. */
export interface SegmentName {
  name: string;
  first: number;
  term: number;
}

const PATTERN = /^(\d{16})-(\d{10})\.wal$/;

/** The file name of the segment starting at `first`, written under `term`. */
export function segmentFileName(first: number, term: number): string {
  return `${String(first).padStart(16, '0')}-${String(term).padStart(10, '0')}.wal`;
}

/** The segment a file name describes, or undefined for other files. */
export function parseSegmentName(name: string): SegmentName | undefined {
  const m = PATTERN.exec(name);
  return m ? { name, first: Number(m[1]), term: Number(m[2]) } : undefined;
}

/** Splits segment files into the live chain (in log order) and the dead ones. */
export function liveChain(files: readonly SegmentName[]): { live: SegmentName[]; dead: SegmentName[] } {
  const sorted = [...files].sort((a, b) => a.first - b.first || a.term - b.term);
  const live: SegmentName[] = [];
  const dead: SegmentName[] = [];
  let maxTerm = 0;
  for (const s of sorted) {
    if (s.term < maxTerm) { dead.push(s); continue; }
    // Same first position: the higher term (sorted later) supersedes, the older one is empty.
    if (live.length > 0 && live[live.length - 1]!.first === s.first) dead.push(live.pop()!);
    live.push(s);
    maxTerm = s.term;
  }
  return { live, dead };
}
