import { asNuthatchError, NuthatchError } from '../../messages/errors.js';
import { decodeSession } from '../../messages/nodeSession.js';
import type { Protocol } from '../../messages/rpc/protocol.js';
import { afterAttempt, applySession, chooseWorker, failedAttempt, noWorkers, type AttemptEnd, type WorkerSessions } from '../../actors/shared/workers/workerDispatch.js';
import type { Bus } from '../ports/bus.js';
import type { MetaStore } from '../ports/metaStore.js';
import { client } from './typedBus.js';

/**
 * Sends tasks to the data nodes (or index nodes) of the cluster, one live node
 * at a time (actors/shared/workers/workerDispatch.ts): a task in flight on a node whose session
 * ends is given up there and sent to another live node, so a compaction or an
 * index build waits for a lease to run out (seconds), not for its timeout.
 * With no session known (nodes of an older version, a standalone without
 * sessions) a task goes to the role's queue group as it always did.
 */
export class WorkerPool<P extends Protocol> {
  private sessions: WorkerSessions = noWorkers();
  private readonly inFlight = new Map<string, number>();
  /** Per node, the attempts running there: each is told when the node's session ends. */
  private readonly lostHooks = new Map<string, Set<() => void>>();

  constructor(
    private readonly bus: Bus,
    readonly role: 'data-node' | 'index-node',
    private readonly queueSubject: string,
    private readonly subjectOf: (nodeId: string) => string,
    private readonly log: (...a: unknown[]) => void,
  ) {}

  /** A session put (`incarnation`) or deleted (undefined) under `sessions/<role>/<nodeId>`. */
  onSession(nodeId: string, incarnation: string | undefined): void {
    const r = applySession(this.sessions, nodeId, incarnation);
    this.sessions = r.sessions;
    if (r.joined) this.log(`${this.role} ${nodeId} joined`);
    if (!r.ended) return;
    this.log(`${this.role} ${nodeId} ${incarnation === undefined ? 'left' : 'restarted'}${this.lostHooks.get(nodeId)?.size ? `: its ${this.lostHooks.get(nodeId)!.size} task(s) go to another node` : ''}`);
    for (const lost of [...this.lostHooks.get(nodeId) ?? []]) lost();
  }

  /** The live nodes, by id. */
  live(): string[] { return [...this.sessions.nodes.keys()].sort(); }

  /**
   * Runs `op` on a live node (the queue group if none is known) and answers
   * its result; a node lost meanwhile hands it to another. `timeoutMs` bounds
   * each attempt, as it bounded the one request before.
   */
  async call<K extends keyof P & string>(op: K, req: P[K]['req'], timeoutMs: number, what = ''): Promise<P[K]['res']> {
    const lostOn = new Set<string>();
    for (let losses = 0; ;) {
      const nodeId = chooseWorker(this.sessions, this.inFlight, lostOn);
      if (nodeId === undefined) return client<P>(this.bus, this.queueSubject, timeoutMs)(op, req);
      if (lostOn.has(nodeId)) await new Promise((r) => setTimeout(r, 250 * losses).unref()); // every live node lost it once: let sessions settle
      // Which node holds which task, for an operator reading the log (and a test).
      this.log(`${op}${what} -> ${this.role} ${nodeId}`);
      const attempt = await this.attempt(nodeId, op, req, timeoutMs);
      const next = afterAttempt(attempt.end, losses + (attempt.end.kind === 'lost' ? 1 : 0));
      if (next === 'return') return attempt.value as P[K]['res'];
      if (next === 'throw') throw attempt.error ?? new NuthatchError('Unavailable', `${op}${what}: lost on ${[...lostOn, nodeId].join(', ')}`);
      losses++;
      lostOn.add(nodeId);
      this.log(`${op}${what} lost on ${this.role} ${nodeId}; sending it to another`);
    }
  }

  private async attempt<K extends keyof P & string>(nodeId: string, op: K, req: P[K]['req'], timeoutMs: number): Promise<{ end: AttemptEnd; value?: unknown; error?: Error }> {
    let onLost!: () => void;
    const lost = new Promise<{ end: AttemptEnd }>((resolve) => { onLost = () => resolve({ end: { kind: 'lost' } }); });
    const hooks = this.lostHooks.get(nodeId) ?? new Set();
    this.lostHooks.set(nodeId, hooks);
    hooks.add(onLost);
    this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 0) + 1);
    try {
      const subject = this.subjectOf(nodeId);
      const sent = client<P>(this.bus, subject, timeoutMs)(op, req).then(
        (value) => ({ end: { kind: 'done' } as AttemptEnd, value }),
        (e) => {
          const err = asNuthatchError(e);
          // No process on the node's subject: it died and its lease has not run out yet.
          return { end: failedAttempt(err, subject), error: err };
        });
      return await Promise.race([sent, lost]);
    } finally {
      hooks.delete(onLost);
      if (hooks.size === 0) this.lostHooks.delete(nodeId);
      const n = (this.inFlight.get(nodeId) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(nodeId); else this.inFlight.set(nodeId, n);
    }
  }
}

/**
 * Feeds a pool the sessions of its role from the metadata store: those held
 * now, then each put and delete (`sessions/<role>/<nodeId>`, leased by
 * workerSession.ts). The coordinator feeds its pools from its own watch of
 * every session (coordinator/shell/assignments.ts); a streaming node, which
 * sends flushes to data nodes, uses this. Answers the unsubscribe.
 */
export async function followWorkerSessions(meta: MetaStore, pool: Pick<WorkerPool<Protocol>, 'role' | 'onSession'>): Promise<() => void> {
  const prefix = `sessions/${pool.role}/`;
  const apply = (key: string, incarnation: string | undefined) => pool.onSession(key.slice(prefix.length), incarnation);
  // Watched before listed: a session put in between is seen twice (the same incarnation: no change), never missed.
  const sub = meta.watch(prefix).subscribe((ev) => apply(ev.key, ev.type === 'put' ? decodeSession(ev.value)?.incarnation : undefined));
  for (const e of await meta.list(prefix)) apply(e.key, decodeSession(e.value)?.incarnation);
  return () => sub.unsubscribe();
}
