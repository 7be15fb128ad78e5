import { membersOf } from './resourceGroups.js';

/**
 * Which query nodes each replica of a loaded collection uses. A replica uses
 * nodes of its own resource group only; the replicas of one collection in one
 * group split that group's nodes, so no two of them share a node. A replica
 * keeps the nodes it had while they stay in its group; nodes it lost are made
 * up from the group's unused nodes, then the replicas are evened out (at most
 * one node more on any than on another). Pure and deterministic.
 */

/** A loaded collection's replicas: `groups[i]` is replica i's resource group. */
export interface ReplicaSpec { collectionId: number; groups: readonly string[] }

/** Nodes of each replica of each collection: `[collectionId] -> [replica i] -> node ids (sorted)`. */
export type ReplicaNodes = Map<number, string[][]>;

export function placeReplicas(placement: ReadonlyMap<string, string>, replicas: readonly ReplicaSpec[], previous: ReadonlyMap<number, readonly (readonly string[])[]>): ReplicaNodes {
  const members = membersOf(placement);
  const out: ReplicaNodes = new Map();
  for (const { collectionId, groups } of [...replicas].sort((a, b) => a.collectionId - b.collectionId)) {
    const before = previous.get(collectionId) ?? [];
    const nodes: string[][] = groups.map(() => []);
    for (const group of new Set(groups)) {
      const ids = groups.flatMap((g, i) => (g === group ? [i] : []));
      const pool = members.get(group) ?? [];
      const taken = new Set<string>();
      for (const i of ids) for (const n of before[i] ?? []) if (pool.includes(n) && !taken.has(n)) { nodes[i]!.push(n); taken.add(n); }
      const fewest = () => ids.reduce((best, i) => (nodes[i]!.length < nodes[best]!.length ? i : best), ids[0]!);
      for (const n of pool) if (!taken.has(n)) nodes[fewest()]!.push(n);
      // Even out: the replica with most nodes gives its last one to the one with fewest.
      for (;;) {
        const most = ids.reduce((best, i) => (nodes[i]!.length > nodes[best]!.length ? i : best), ids[0]!);
        const least = fewest();
        if (nodes[most]!.length - nodes[least]!.length <= 1) break;
        nodes[least]!.push(nodes[most]!.sort().pop()!);
      }
    }
    out.set(collectionId, nodes.map((n) => [...n].sort()));
  }
  return out;
}

/** Whether two placements of replicas are the same. */
export function sameReplicaNodes(a: ReadonlyMap<number, readonly (readonly string[])[]>, b: ReadonlyMap<number, readonly (readonly string[])[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, list] of a) if (JSON.stringify(list) !== JSON.stringify(b.get(id))) return false;
  return true;
}
