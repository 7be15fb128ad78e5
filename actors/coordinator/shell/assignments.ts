import { allCollections, collectionById } from '../core/databases.js';
import type { PchannelAssignment } from '../../../messages/rpc/records.js';
import { pchannelOf } from '../core/catalog.js';
import { placeFollowers } from '../core/followers.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { loadSegment, replicasOf } from './segmentFlow.js';
import { decodeSession } from '../../../messages/nodeSession.js';
import { scheduleRebalance } from './resourceGroupPlacement.js';
import { client, withRetry } from '../../../runtime/rpc/typedBus.js';
import { EVENTS, queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';

/**
 * Binds every pchannel to one live streaming node, and evens the load out when a
 * node joins (at most one pchannel more on any node than on another). A move
 * bumps the fencing term, so the storage refuses the previous owner's appends;
 * the new assignment is persisted before it is published, and streaming nodes
 * open WALs only from it.
 */
export async function rebalance(ctx: CoordinatorContext): Promise<void> {
  let changed = false;
  await ctx.lock(async () => {
    // The nodes live when it runs, not when it was asked for: a coordinator starting hears every session at once,
    // and a rebalance that saw only the first would move every pchannel to it, and the next move half of them back.
    const live = [...ctx.streamingNodes].sort();
    if (live.length === 0) return;
    const count = new Map(live.map((n) => [n, 0]));
    for (const a of ctx.assignments.values()) if (count.has(a.nodeId)) count.set(a.nodeId, count.get(a.nodeId)! + 1);
    const byLoad = () => [...count].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const move = async (pchannel: string, nodeId: string) => {
      const a = ctx.assignments.get(pchannel);
      const next: PchannelAssignment = { pchannel, nodeId, term: (a?.term ?? 0) + 1, followers: (a?.followers ?? []).filter((n) => n !== nodeId) };
      await putRecord(ctx.opts.meta, Keys.assignment(pchannel), next);
      ctx.assignments.set(pchannel, next);
      if (a && count.has(a.nodeId)) count.set(a.nodeId, count.get(a.nodeId)! - 1);
      count.set(nodeId, count.get(nodeId)! + 1);
      changed = true;
      ctx.log(`pchannel ${pchannel} -> ${nodeId} (term ${next.term})`);
    };
    for (const pchannel of ctx.opts.pchannels) {
      const a = ctx.assignments.get(pchannel);
      if (!a || !count.has(a.nodeId)) await move(pchannel, byLoad()[0]![0]);
    }
    for (;;) {
      const order = byLoad();
      const [least, most] = [order[0]!, order[order.length - 1]!];
      if (most[1] - least[1] <= 1) break;
      const pchannel = ctx.opts.pchannels.filter((p) => ctx.assignments.get(p)?.nodeId === most[0]).at(-1)!;
      await move(pchannel, least[0]);
    }
    if (await refreshFollowers(ctx, live)) changed = true;
  });
  if (changed) publishAssignments(ctx);
}

/**
 * Sets the follower delegators of every pchannel (core/followers.ts) from the
 * replica numbers of the loaded collections; persists what changed and returns
 * whether anything did (the caller publishes). Runs under the lock.
 */
async function refreshFollowers(ctx: CoordinatorContext, live: string[]): Promise<boolean> {
  const want = new Map<string, number>();
  for (const rec of allCollections(ctx.catalog)) {
    if (!rec.loaded || rec.state === 'dropping') continue;
    for (const v of rec.vchannels) want.set(pchannelOf(v), Math.max(want.get(pchannelOf(v)) ?? 0, replicasOf(ctx, rec) - 1));
  }
  const changed = placeFollowers(ctx.opts.pchannels.flatMap((p) => ctx.assignments.get(p) ?? []), want, live);
  for (const next of changed) {
    await putRecord(ctx.opts.meta, Keys.assignment(next.pchannel), next);
    ctx.assignments.set(next.pchannel, next);
    ctx.log(`pchannel ${next.pchannel} (term ${next.term}, owner ${next.nodeId}) followers: ${next.followers!.join(',') || 'none'}`);
  }
  return changed.length > 0;
}

export function publishAssignments(ctx: CoordinatorContext): void {
  ctx.assignmentVersion++;
  ctx.opts.bus.publish(EVENTS.assignments, encodeValue({ version: ctx.assignmentVersion, pchannels: [...ctx.assignments.values()] }));
}

/**
 * Follows node sessions (leased keys) in the metadata store; data and index
 * nodes' go to their worker pools (workerPool.ts). A session put again
 * with another incarnation is a node started again under its id before its old
 * lease ran out (messages/nodeSession.ts): it never left, but it holds nothing.
 * A query node that joins may hold nothing either (it came back after its
 * session ended, and the distributions still name it where no other node could
 * take its place). Either way it is asked what it holds, and what the
 * distributions say it serves is loaded on it again (reads meanwhile get
 * Unavailable and retry, as when a node dies).
 */
export async function watchSessions(ctx: CoordinatorContext): Promise<() => void> {
  const parse = (key: string) => { const [, role, nodeId] = key.split('/'); return { role: role!, nodeId: nodeId! }; };
  const incarnations = new Map<string, string>();
  const apply = (key: string, present: boolean, value?: Uint8Array) => {
    const { role, nodeId } = parse(key);
    const pool = role === 'data-node' ? ctx.dataNodes : role === 'index-node' ? ctx.indexNodes : undefined;
    if (pool) { pool.onSession(nodeId, present ? decodeSession(value)?.incarnation : undefined); return; }
    const set = role === 'streaming-node' ? ctx.streamingNodes : role === 'query-node' ? ctx.queryNodes : undefined;
    if (!set) return;
    const incarnation = present ? decodeSession(value)?.incarnation : undefined;
    const before = incarnations.get(key);
    if (incarnation === undefined) incarnations.delete(key); else incarnations.set(key, incarnation);
    if (present && !set.has(nodeId)) {
      set.add(nodeId); ctx.log(`${role} ${nodeId} joined`);
      if (role === 'query-node') { scheduleRebalance(ctx); reloadMissing(ctx, nodeId); }
    }
    else if (present && before !== undefined && incarnation !== undefined && before !== incarnation) {
      ctx.log(`${role} ${nodeId} restarted (a new process under its id)`);
      if (role === 'query-node') reloadMissing(ctx, nodeId);
    }
    else if (!present && set.has(nodeId)) {
      set.delete(nodeId); ctx.log(`${role} ${nodeId} left`);
      // Its segments are served by their other replicas meanwhile, and load on the nodes the placement picks.
      if (role === 'query-node') scheduleRebalance(ctx);
    }
    if (role === 'streaming-node') void rebalance(ctx).catch((e) => ctx.log('rebalance failed:', e.message));
  };
  const sub = ctx.opts.meta.watch('sessions/').subscribe((ev) => apply(ev.key, ev.type === 'put', ev.value));
  for (const e of await ctx.opts.meta.list('sessions/')) apply(e.key, true, e.value);
  return () => sub.unsubscribe();
}

/**
 * Loads again every segment the distributions say `nodeId` serves and it does
 * not hold. A node found at a coordinator's start usually holds all of them: it
 * costs one status call then.
 */
function reloadMissing(ctx: CoordinatorContext, nodeId: string): void {
  const named = () => [...ctx.distributions.values()].flatMap((d) => d.segments.filter((x) => x.nodeId === nodeId).map((x) => x.segmentId));
  if (named().length === 0) return;
  const status = client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId));
  void withRetry(() => status('status', {}), { deadlineMs: 60_000, signal: { get aborted() { return ctx.stopped || !ctx.queryNodes.has(nodeId); } } })
    .then(({ segments }) => {
      const held = new Set(segments);
      for (const id of new Set(named())) {
        const seg = ctx.segments.get(id);
        const rec = seg && collectionById(ctx.catalog, seg.collectionId);
        if (held.has(id) || !seg || !rec?.loaded) continue;
        void loadSegment(ctx, rec, seg).catch((e) => ctx.log(`reload of segment ${id} on ${nodeId} failed:`, (e as Error).message));
      }
    })
    .catch((e) => ctx.log(`could not ask ${nodeId} what it holds:`, (e as Error).message));
}
