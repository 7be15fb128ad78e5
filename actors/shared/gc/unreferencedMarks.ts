/**
 * Garbage collection by waiting (pure): an object no longer referenced is
 * removed only after it has been seen unreferenced, sweep after sweep, for a
 * tolerance, because work in flight writes its objects before it references
 * them. Marks say when each candidate was first seen.
 */
export type UnreferencedMarks = Record<string, number>;

/**
 * The candidates due for removal at `nowMs`, and the marks of those still
 * waiting. Marks of keys that are no longer candidates are dropped: the object
 * is gone, or referenced again.
 */
export function dueForRemoval(candidates: Iterable<string>, marks: Readonly<UnreferencedMarks>, nowMs: number, toleranceMs: number): { remove: string[]; marks: UnreferencedMarks } {
  const remove: string[] = [], kept: UnreferencedMarks = {};
  for (const key of candidates) {
    const since = marks[key] ?? nowMs;
    if (nowMs - since >= toleranceMs) remove.push(key);
    else kept[key] = since;
  }
  return { remove, marks: kept };
}
