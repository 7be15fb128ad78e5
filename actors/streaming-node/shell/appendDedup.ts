import { tsoAddMs, type AnyMessage, type Tso, type WalPosition } from '../../../messages/types.js';

/** What an append answered: a retry of the same append id gets the same. */
export interface AppendResult { tso: Tso; position: WalPosition }

/** The checkpointed form: per vchannel, ids in WAL order. */
export type PersistedAppendIds = Record<string, Array<{ id: string; tso: Tso; position: WalPosition }>>;

/**
 * Idempotent appends. A writer puts a unique append id on each message and
 * sends the same id when it retries (after a timeout, or when the WAL moved to
 * another node). The ids of durable messages are folded from the log like any
 * other state, per vchannel, so a new owner that recovered from the checkpoint
 * and the log recognises a retry of an append the old owner made durable but
 * never acknowledged. Ids are kept for `windowMs` of TSO time, measured on the
 * vchannel's newest message, so replay keeps exactly what live appends kept.
 */
export class AppendDedup {
  private readonly done = new Map<string, Map<string, AppendResult>>();
  private readonly inflight = new Map<string, Promise<AppendResult>>();

  constructor(private readonly windowMs: number) {}

  /**
   * Runs `append` unless the id was seen: a durable one answers with its result,
   * one still in flight shares the first attempt's outcome.
   */
  run(vchannel: string, id: string, append: () => Promise<AppendResult>): Promise<AppendResult> {
    const seen = this.done.get(vchannel)?.get(id);
    if (seen) return Promise.resolve(seen);
    const key = `${vchannel}\n${id}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = append().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Folds a durable message (live or on replay). */
  record(m: AnyMessage): void {
    const id = m.header.appendId;
    if (id === undefined) return;
    let ids = this.done.get(m.header.vchannel);
    if (!ids) { ids = new Map(); this.done.set(m.header.vchannel, ids); }
    ids.set(id, { tso: m.header.tso, position: m.header.walPosition });
    const cutoff = tsoAddMs(m.header.tso, -this.windowMs);
    for (const [old, r] of ids) {
      if (r.tso >= cutoff) break;
      ids.delete(old);
    }
  }

  /** How many ids are remembered (for logs and tests). */
  get size(): number { let n = 0; for (const m of this.done.values()) n += m.size; return n; }

  persist(): PersistedAppendIds {
    return Object.fromEntries([...this.done].map(([v, ids]) => [v, [...ids].map(([id, r]) => ({ id, ...r }))]));
  }

  restore(p: PersistedAppendIds | undefined): void {
    for (const [v, list] of Object.entries(p ?? {})) this.done.set(v, new Map(list.map((e) => [e.id, { tso: e.tso, position: e.position }])));
  }
}
