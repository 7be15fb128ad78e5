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
 * A bulk import's batch ids (`import/...`) are kept a day: a job resumed after
 * its coordinator was down for longer than the window still writes no batch
 * twice (a few ids per thousand rows: little to keep).
 */
export class AppendDedup {
  private readonly done = new Map<string, Map<string, AppendResult>>();
  /** Bulk import batch ids, kept `importWindowMs`. */
  private readonly imported = new Map<string, Map<string, AppendResult>>();
  private readonly inflight = new Map<string, Promise<AppendResult>>();

  constructor(private readonly windowMs: number, private readonly importWindowMs: number = IMPORT_WINDOW_MS) {}

  /**
   * Runs `append` unless the id was seen: a durable one answers with its result,
   * one still in flight shares the first attempt's outcome.
   */
  run(vchannel: string, id: string, append: () => Promise<AppendResult>): Promise<AppendResult> {
    const seen = (id.startsWith(IMPORT_PREFIX) ? this.imported : this.done).get(vchannel)?.get(id);
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
    const ids = this.idsOf(this.done, m.header.vchannel), imports = this.idsOf(this.imported, m.header.vchannel);
    (id.startsWith(IMPORT_PREFIX) ? imports : ids).set(id, { tso: m.header.tso, position: m.header.walPosition });
    prune(ids, tsoAddMs(m.header.tso, -this.windowMs));
    prune(imports, tsoAddMs(m.header.tso, -this.importWindowMs));
  }

  private idsOf(by: Map<string, Map<string, AppendResult>>, vchannel: string): Map<string, AppendResult> {
    let ids = by.get(vchannel);
    if (!ids) { ids = new Map(); by.set(vchannel, ids); }
    return ids;
  }

  /** How many ids are remembered (for logs and tests). */
  get size(): number { let n = 0; for (const by of [this.done, this.imported]) for (const m of by.values()) n += m.size; return n; }

  persist(): PersistedAppendIds {
    const out: PersistedAppendIds = {};
    for (const by of [this.done, this.imported]) for (const [v, ids] of by) (out[v] ??= []).push(...[...ids].map(([id, r]) => ({ id, ...r })));
    return out;
  }

  restore(p: PersistedAppendIds | undefined): void {
    for (const [v, list] of Object.entries(p ?? {})) {
      for (const e of list) this.idsOf(e.id.startsWith(IMPORT_PREFIX) ? this.imported : this.done, v).set(e.id, { tso: e.tso, position: e.position });
    }
  }
}

/** The append ids of bulk import batches (data-node/shell/importReader.ts). */
export const IMPORT_PREFIX = 'import/';
/** How long they are kept. */
export const IMPORT_WINDOW_MS = 24 * 3600_000;

/** Drops the ids (in WAL order) older than `cutoff`. */
function prune(ids: Map<string, AppendResult>, cutoff: Tso): void {
  for (const [old, r] of ids) {
    if (r.tso >= cutoff) break;
    ids.delete(old);
  }
}
