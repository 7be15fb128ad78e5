import type { PchannelAssignment } from '../../../messages/rpc/records.js';

/**
 * Places follower delegators (DESIGN.md 7, REFERENCE "Query delegator": with N
 * replicas, N-1 more delegators run on other streaming nodes). Per pchannel,
 * `want` followers (the largest replica number of a loaded collection on it,
 * minus one), capped by the live streaming nodes other than the owner. A live
 * follower keeps its place; new places go to the nodes that follow the fewest
 * pchannels (then by name). Returns the assignments whose followers changed,
 * with the new list (sorted); terms are untouched: followers never write.
 */
export function placeFollowers(assignments: readonly PchannelAssignment[], want: ReadonlyMap<string, number>, live: readonly string[]): PchannelAssignment[] {
  const load = new Map(live.map((n) => [n, 0]));
  for (const a of assignments) for (const n of a.followers ?? []) if (load.has(n)) load.set(n, load.get(n)! + 1);
  const changed: PchannelAssignment[] = [];
  for (const a of assignments) {
    const before = [...(a.followers ?? [])].sort();
    const count = Math.max(0, Math.min(want.get(a.pchannel) ?? 0, live.length - 1));
    const kept = before.filter((n) => load.has(n) && n !== a.nodeId).slice(0, count);
    const others = [...load].filter(([n]) => n !== a.nodeId && !kept.includes(n))
      .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0])).map(([n]) => n);
    const followers = [...kept, ...others.slice(0, count - kept.length)].sort();
    for (const n of before) if (load.has(n)) load.set(n, load.get(n)! - 1);
    for (const n of followers) load.set(n, load.get(n)! + 1);
    if (followers.join(',') !== before.join(',')) changed.push({ ...a, followers });
  }
  return changed;
}
