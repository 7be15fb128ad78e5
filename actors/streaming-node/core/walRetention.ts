/**
 * WAL retention (pure): when a pchannel's log may be truncated. Each checkpoint
 * names `replayFrom`, the first position recovery from it still reads; replay
 * points only grow, so the log before an older checkpoint's replay point is
 * needed by neither it nor any later one. The log keeps at least `keepMs` of
 * history behind the newest checkpoint (replay debugging, followers that trail):
 * it is truncated to the replay point of the newest sampled checkpoint that is at
 * least `keepMs` old. Time is the checkpoint's TSO, never the clock. Milvus 2.6
 * does the same with its walTruncate sample interval and retention interval.
 */
export interface RetentionPolicy {
  /** History kept behind the newest checkpoint; Infinity keeps the whole log. */
  keepMs: number;
  /** At most one mark per this interval (the marks are persisted with each checkpoint). */
  sampleMs: number;
}

/**
 * A policy keeping `keepMs` of history, sampled often enough that the log holds
 * at most about an eighth more than that (and at most 30 minutes more).
 */
export function retentionPolicy(keepMs: number): RetentionPolicy {
  return { keepMs, sampleMs: Math.min(30 * 60_000, keepMs / 8) };
}

/** A sampled checkpoint: its replay point and its TSO's physical time. */
export interface RetentionMark { position: number; atMs: number }

export interface TruncationPlan {
  /** The marks to persist with the checkpoint (oldest first). */
  marks: RetentionMark[];
  /** Truncate the log before this position; null when nothing is old enough. */
  truncateBefore: number | null;
}

/** Folds a checkpoint with replay point `replayFrom` taken at `atMs` into the marks, and plans the truncation. */
export function planTruncation(marks: readonly RetentionMark[], replayFrom: number, atMs: number, policy: RetentionPolicy): TruncationPlan {
  const last = marks[marks.length - 1];
  const sampled = !last || atMs - last.atMs >= policy.sampleMs ? [...marks, { position: replayFrom, atMs }] : [...marks];
  if (!Number.isFinite(policy.keepMs)) return { marks: sampled.slice(-1), truncateBefore: null };
  let cut = -1;
  for (let i = 0; i < sampled.length; i++) if (atMs - sampled[i]!.atMs >= policy.keepMs) cut = i;
  if (cut < 0) return { marks: sampled, truncateBefore: null };
  // The cut mark stays: it is where the log now starts, and later marks measure from it.
  return { marks: sampled.slice(cut), truncateBefore: Math.min(sampled[cut]!.position, replayFrom) };
}
