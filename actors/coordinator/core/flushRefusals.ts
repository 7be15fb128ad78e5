/**
 * Segments whose flush report the coordinator refused (their partition was
 * dropped, their collection truncated since they were sealed), kept only for
 * the flushes that may wait for them. A flush (shell/ddl.ts) asks the
 * streaming nodes to seal, then waits until each segment they named is
 * persisted, merged away, or refused. A segment is named by a seal only
 * while its report is not answered (its record comes before its Flush; the
 * seal waits for a report in flight and leaves out an answered one:
 * streaming-node sealAll); so a refusal matters only to the flushes open when
 * it comes, and is forgotten when the last of them ends. What is held is
 * bounded by the refusals during the flushes in progress, not by the
 * coordinator's life.
 *
 * Pure: the shell opens a flush before it seals and closes it when its wait ends.
 */
export interface FlushRefusals {
  /** Per open flush (by token), the segments refused while it was open. */
  readonly open: ReadonlyMap<number, ReadonlySet<number>>;
  readonly nextToken: number;
}

export const noFlushRefusals = (): FlushRefusals => ({ open: new Map(), nextToken: 1 });

/** A flush begins (before its seal): it hears of every refusal from now until it closes. */
export function openFlush(s: FlushRefusals): { state: FlushRefusals; token: number } {
  const open = new Map(s.open);
  open.set(s.nextToken, new Set());
  return { state: { open, nextToken: s.nextToken + 1 }, token: s.nextToken };
}

/** A flush ended (done, timed out or failed): what it heard of goes with it. */
export function closeFlush(s: FlushRefusals, token: number): FlushRefusals {
  if (!s.open.has(token)) return s;
  const open = new Map(s.open);
  open.delete(token);
  return { ...s, open };
}

/** A segment's flush report was refused: every open flush hears of it; with none open it is not kept. */
export function refuseFlush(s: FlushRefusals, segmentId: number): FlushRefusals {
  if (s.open.size === 0) return s;
  const open = new Map<number, ReadonlySet<number>>();
  for (const [token, ids] of s.open) open.set(token, new Set(ids).add(segmentId));
  return { ...s, open };
}

/** Whether the flush holding `token` heard that `segmentId` was refused. */
export function wasRefused(s: FlushRefusals, token: number, segmentId: number): boolean {
  return s.open.get(token)?.has(segmentId) ?? false;
}

/** How many refusals are held (over every open flush): what the bound is about. */
export function heldRefusals(s: FlushRefusals): number {
  let n = 0;
  for (const ids of s.open.values()) n += ids.size;
  return n;
}
