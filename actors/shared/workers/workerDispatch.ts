/**
 * Which data node (or index node) a task goes to, and what becomes of a task
 * whose node went away. Data and index nodes hold sessions (leased keys
 * `sessions/<role>/<nodeId>`, as streaming and query nodes do); the coordinator
 * (compactions, index builds, backup, restore and import steps, purges) and the
 * streaming nodes (segment flushes) send each task to one live node's own
 * subject and, when that node's session
 * ends (its lease ran out: the process died or froze) or comes back under a new
 * incarnation (a new process that never heard of the task), gives the task up
 * there and sends it to another live node at once, rather than waiting out the
 * task's timeout. Every task these nodes run is safe twice (a node frozen past
 * its lease that wakes and finishes too): it writes under keys fixed by the
 * request, or its appends carry ids the WAL takes once (an import batch), or
 * it makes only what is not made yet (a restore's collection).
 *
 * Pure: the shell (runtime/rpc/workerPool.ts) feeds session events and task ends.
 */

/** The live nodes of one role by id, each with its incarnation. */
export interface WorkerSessions { readonly nodes: ReadonlyMap<string, string> }

export const noWorkers = (): WorkerSessions => ({ nodes: new Map() });

/**
 * A session event: `incarnation` when the key was put, undefined when it was
 * deleted (its lease ended). `ended`: the node whose tasks in flight are lost
 * (gone, or a new process under its id).
 */
export function applySession(s: WorkerSessions, nodeId: string, incarnation: string | undefined): { sessions: WorkerSessions; ended: boolean; joined: boolean } {
  const before = s.nodes.get(nodeId);
  const nodes = new Map(s.nodes);
  if (incarnation === undefined) nodes.delete(nodeId); else nodes.set(nodeId, incarnation);
  return { sessions: { nodes }, ended: before !== undefined && before !== incarnation, joined: before === undefined && incarnation !== undefined };
}

/**
 * The node a task goes to: a live one it has not been lost on yet, the one
 * with the fewest tasks in flight (ties by id, so a test can tell where it
 * goes). When every live node has lost it once, any live node (a node lost by
 * a restart serves again). Undefined when none is live: the caller uses the
 * role's queue group.
 */
export function chooseWorker(s: WorkerSessions, inFlight: ReadonlyMap<string, number>, lostOn: ReadonlySet<string>): string | undefined {
  const live = [...s.nodes.keys()];
  const fresh = live.filter((n) => !lostOn.has(n));
  const pool = fresh.length > 0 ? fresh : live;
  return pool.sort((a, b) => (inFlight.get(a) ?? 0) - (inFlight.get(b) ?? 0) || a.localeCompare(b))[0];
}

/** How one attempt of a task ended. */
export type AttemptEnd =
  | { kind: 'done' }
  /** Its node's session ended while it ran, or no process answered on the node's subject (gone before its lease ran out). */
  | { kind: 'lost' }
  /** The node answered with an error (or the attempt timed out): the task's own failure. */
  | { kind: 'failed' };

/**
 * How an attempt that threw ended. Lost: the request found no process on the
 * node's own subject, or the bus failed carrying it there (an Unavailable
 * about that subject). Anything else, an Unavailable the node answered
 * itself included (a collection still loading, a shard away), is the task's
 * own failure: another node would answer the same, and the caller's retry
 * decides.
 */
export function failedAttempt(e: { code: string; info: Readonly<Record<string, unknown>> }, nodeSubject: string): AttemptEnd {
  return e.code === 'Unavailable' && e.info.subject === nodeSubject ? { kind: 'lost' } : { kind: 'failed' };
}

/** At most this many nodes are tried for one task before its loss is the caller's failure. */
export const MAX_LOSSES = 5;

/** What to do after an attempt: a task lost with its node goes to another, up to MAX_LOSSES times; anything else is final. */
export function afterAttempt(end: AttemptEnd, losses: number): 'return' | 'reroute' | 'throw' {
  if (end.kind === 'done') return 'return';
  if (end.kind === 'lost') return losses < MAX_LOSSES ? 'reroute' : 'throw';
  return 'throw';
}
