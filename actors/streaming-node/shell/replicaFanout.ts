import { NuthatchError, asNuthatchError } from '../../../messages/errors.js';
import type { Distribution } from '../../../messages/rpc/records.js';

/** Sealed segment -> the query nodes that serve it (its replicas). */
export type Holders = Map<number, string[]>;

/**
 * The holders of each sealed segment of a distribution; with `partitions`, of
 * those segments only that may be in them (a partition-key read pruned to a
 * tenant's partition asks no node that serves other partitions alone); with
 * `may`, of those only it keeps (a clustering key range the filter may match).
 */
export function holdersOf(d: Distribution | undefined, partitions: ReadonlySet<number> | null = null, may?: (s: Distribution['segments'][number]) => boolean): Holders {
  const out: Holders = new Map();
  for (const s of d?.segments ?? []) {
    if (partitions && s.partitionId !== undefined && !partitions.has(s.partitionId)) continue;
    if (may && !may(s)) continue;
    out.set(s.segmentId, [...(out.get(s.segmentId) ?? []), s.nodeId]);
  }
  return out;
}

/** How long a query node that failed a request is asked only when no other replica is left. */
const SUSPECT_MS = 5_000;

/**
 * Asks query nodes for a shard's sealed segments so that every segment is
 * answered by exactly one replica. Segments are grouped by a preferred replica
 * (rotating, to spread load, avoiding nodes that failed lately); when a node
 * fails with a retryable error (no responders, timeout, segment not loaded,
 * node gone) its segments are asked of their other replicas. A segment no
 * longer in the distribution (released) is skipped; one with no replica left
 * fails the read with the last error.
 */
export class ReplicaFanout {
  private readonly suspects = new Map<string, number>();
  private turn = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async run<T>(holders: () => Holders, call: (nodeId: string, segmentIds: number[]) => Promise<T>): Promise<T[]> {
    const tried = new Map<number, Set<string>>();
    const results: T[] = [];
    let pending = [...holders().keys()];
    let lastError: NuthatchError | undefined;
    const turn = this.turn++;
    while (pending.length > 0) {
      const current = holders();
      const plan = new Map<string, number[]>();
      for (const seg of pending) {
        const all = current.get(seg);
        if (!all) continue;
        const seen = tried.get(seg) ?? new Set<string>();
        tried.set(seg, seen);
        const left = all.filter((n) => !seen.has(n));
        if (left.length === 0) throw lastError ?? new NuthatchError('Unavailable', `segment ${seg} has no query node left to serve it`);
        const healthy = left.filter((n) => !this.isSuspect(n));
        const pool = healthy.length > 0 ? healthy : left;
        const node = pool[(seg + turn) % pool.length]!;
        seen.add(node);
        plan.set(node, [...(plan.get(node) ?? []), seg]);
      }
      const outcomes = await Promise.allSettled([...plan].map(([node, segs]) => call(node, segs)));
      pending = [];
      [...plan].forEach(([node, segs], i) => {
        const o = outcomes[i]!;
        if (o.status === 'fulfilled') { results.push(o.value); return; }
        const err = asNuthatchError(o.reason);
        if (!err.retryable) throw err;
        this.suspects.set(node, this.now() + SUSPECT_MS);
        lastError = err;
        pending.push(...segs);
      });
    }
    return results;
  }

  private isSuspect(node: string): boolean {
    const until = this.suspects.get(node);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.suspects.delete(node);
    return false;
  }
}
