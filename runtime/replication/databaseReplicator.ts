/**
 * Replication of a whole database (what Milvus 2.6's CDC gives a standby
 * cluster): one collection replicator (replicator.ts) per source collection,
 * started as collections appear on the source, and, as a mirror should, a
 * target collection dropped when its source collection is. A collection whose
 * replication hits a gap (ReplicationGap) stops alone and is reported; one that
 * fails otherwise (the source or target unreachable past the RPC retries)
 * starts again from its checkpoint after a pause. The others go on.
 */
import { NuthatchError, ReplicationGapError } from '../../messages/errors.js';
import type { Tso } from '../../messages/types.js';
import { planRenames, type MirrorMove } from '../../actors/replicator/core/renamePlan.js';
import { checkpointedCollections, dropCheckpoint, loadCheckpoint, saveCheckpoint, type TargetName } from './checkpointStore.js';
import { startReplication, type ReplicationHandle, type ReplicationOptions } from './replicator.js';
import { retryStartup } from './startupRetry.js';

/** Where a mirror waits while names are swapped (a cycle of renames): by its source collection id, so a crash mid-swap is finished at the next start. */
const PARKED_PREFIX = '_nuthatch_renaming_';
const parkedName = (id: number): string => `${PARKED_PREFIX}${id}`;

export interface DatabaseReplicationOptions extends Omit<ReplicationOptions, 'collection' | 'targetCollection' | 'scan'> {
  /** Which source collections to replicate (default: every one). */
  include?: (collection: string) => boolean;
  /** How often the source's collection list is read (default 1000 ms). */
  discoverMs?: number;
  /** The pause before a failed collection replicator starts again (default 2000 ms). */
  retryMs?: number;
  /** Load and release target collections as their sources are (default true), checked each discovery round. */
  mirrorLoad?: boolean;
}

export type CollectionReplicationState = 'replicating' | 'retrying' | 'gap' | 'dropped';

export interface CollectionReplicationStatus {
  collection: string;
  state: CollectionReplicationState;
  /** Why it stopped (gap) or last failed (retrying). */
  error?: string;
  lagMs: number;
}

export interface DatabaseReplicationHandle {
  /** Each source collection seen, and how its replication stands. */
  collections(): CollectionReplicationStatus[];
  /** The largest lag of the collections replicating. */
  lag(): number;
  /**
   * Resolves once every collection the source holds now is replicating and has
   * applied up to `tso`; rejects if one of them is stopped by a gap.
   */
  until(tso: Tso): Promise<void>;
  stop(): Promise<void>;
  /** Settles when stopped; rejects only if listing the source's collections keeps failing. */
  readonly done: Promise<'stopped'>;
}

/** One source collection (by id: a name may be renamed, or dropped and made again). */
interface Entry { name: string; state: CollectionReplicationState; handle?: ReplicationHandle; error?: string; retryAt?: number; loading?: boolean }

/** Starts replicating the source client's database into the target client's. */
export function startDatabaseReplication(o: DatabaseReplicationOptions): DatabaseReplicationHandle {
  const r = new DatabaseReplicator(o);
  const done = r.run();
  done.catch(() => {});
  return {
    collections: () => r.status(),
    lag: () => Math.max(0, ...r.status().map((s) => s.lagMs)),
    until: (tso) => r.until(tso),
    stop: async () => { await r.stop(); await done.catch(() => {}); },
    done,
  };
}

class DatabaseReplicator {
  /** By source collection id. */
  private readonly entries = new Map<number, Entry>();
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private readonly db: string;
  /** A write refused because another replicator took the lead: everything stops, and `done` rejects with it. */
  private fenced: NuthatchError | null = null;

  constructor(private readonly o: DatabaseReplicationOptions) { this.db = o.target.client.dbName; }

  private log(...a: unknown[]): void { this.o.log?.(...a); }
  private target(collection: string): TargetName { return { db: this.db, collection }; }
  private included(name: string): boolean { return this.o.include?.(name) ?? true; }
  private retryMs(): number { return this.o.retryMs ?? 2000; }
  private get fence() { return this.o.target.fence; }

  async run(): Promise<'stopped'> {
    // Either cluster may still be starting: wait for both rather than exit.
    await retryStartup('making the target database', () => this.ensureDatabase(), { log: this.o.log, stopped: () => this.stopping });
    await retryStartup('reconciling checkpoints with the source collections', () => this.reconcileCheckpoints(), { log: this.o.log, stopped: () => this.stopping });
    let failures = 0;
    while (!this.stopping) {
      try { await this.discover(); failures = 0; } catch (e) {
        // Fenced out: another replicator leads now; nothing more may be written.
        if ((e as NuthatchError).code === 'StaleFence') this.fail(e as NuthatchError);
        // The source may be restarting; only a listing that fails for a minute ends the replication.
        else if (++failures * (this.o.discoverMs ?? 1000) > 60_000) { await this.stopAll(); throw e; }
        this.log('reading the source collections failed:', (e as Error).message);
      }
      await new Promise<void>((res) => { this.wakeUp = res; setTimeout(res, this.o.discoverMs ?? 1000); });
      this.wakeUp = null;
    }
    await this.stopAll();
    if (this.fenced) throw this.fenced;
    return 'stopped';
  }

  async stop(): Promise<void> { this.stopping = true; this.wakeUp?.(); }

  private fail(e: NuthatchError): void {
    this.fenced ??= e;
    this.log('fenced out: another replicator leads this target now; stopping:', e.message);
    void this.stop();
  }

  status(): CollectionReplicationStatus[] {
    return [...this.entries.values()].map((e) => ({
      collection: e.name, state: e.state, ...(e.error === undefined ? {} : { error: e.error }),
      lagMs: e.state === 'replicating' ? e.handle?.lag() ?? 0 : 0,
    }));
  }

  async until(tso: Tso): Promise<void> {
    const source = await this.sourceCollections();
    this.wakeUp?.();
    await Promise.all([...source].map(async ([id, name]) => {
      for (;;) {
        const e = this.entries.get(id);
        if (e?.state === 'gap') throw new ReplicationGapError(`collection '${name}': ${e.error}`);
        if (e?.state === 'dropped') return;
        if (e?.state === 'replicating' && e.handle) {
          try { await e.handle.until(tso); return; } catch (err) {
            // Ended under us: dropped (done), a gap (thrown above) or a failure (started again).
            if (this.stopping) throw err;
          }
        }
        if (this.stopping) throw new NuthatchError('Unavailable', 'database replication stopped');
        await new Promise((res) => setTimeout(res, 50));
      }
    }));
  }

  /** The included source collections: id to name. */
  private async sourceCollections(): Promise<Map<number, string>> {
    const c = this.o.source.client;
    const names = (await c.listCollections()).filter((n) => this.included(n));
    const out = new Map<number, string>();
    for (const name of names) {
      try { out.set((await c.describeCollection(name)).collectionId, name); } catch (e) {
        if ((e as NuthatchError).code !== 'CollectionNotFound') throw e; // dropped since the listing
      }
    }
    return out;
  }

  /**
   * Starts a replicator for each new source collection and again for failed ones whose
   * pause is over; follows renames. A collection made again under a dropped one's name
   * waits until the old one's replicator reached the drop and dropped its mirror.
   */
  private async discover(): Promise<void> {
    const source = await this.sourceCollections();
    const moves: MirrorMove[] = [];
    for (const [id, name] of source) {
      const e = this.entries.get(id);
      if (e && e.state !== 'dropped' && e.name !== name) moves.push({ id, from: e.name, to: name });
    }
    if (moves.length > 0) await this.renameLive(moves);
    for (const [id, name] of source) {
      const e = this.entries.get(id);
      // A rename that could not be made yet (its new name still held): tried again next round.
      if (e && e.name !== name) continue;
      if (e?.state === 'replicating' && (this.o.mirrorLoad ?? true) && !e.loading) {
        e.loading = true;
        void this.mirrorLoad(name).catch((err: unknown) => this.log(`mirroring the load state of ${name}:`, (err as Error).message)).finally(() => { e.loading = false; });
      }
      if (e?.state === 'gap' || e?.state === 'dropped' || (e?.state === 'replicating')) continue;
      if (e?.state === 'retrying' && Date.now() < (e.retryAt ?? 0)) continue;
      const older = [...this.entries].some(([other, x]) => other !== id && x.name === name && x.state !== 'dropped');
      if (!older) await this.start(id, name);
    }
  }

  private async start(id: number, name: string): Promise<void> {
    if (this.stopping) return;
    // A checkpoint for another source collection of this name: the one it was for was dropped
    // while nothing replicated; its mirror goes, and the new collection is replicated afresh.
    const cp = await loadCheckpoint(this.o.target.meta, this.target(name));
    if (cp && cp.sourceCollectionId !== id) await this.dropTarget(name, 'its source collection was dropped and made again');
    if (this.stopping) return;
    const handle = startReplication({ ...this.o, collection: name });
    const entry: Entry = { name, state: 'replicating', handle };
    this.entries.set(id, entry);
    this.log(`replicating collection ${name}`);
    handle.done.then(async (end) => {
      if (end !== 'sourceDropped' || entry.handle !== handle) return;
      await this.dropTarget(entry.name, 'its source collection was dropped');
      entry.state = 'dropped'; delete entry.handle;
    }, (err: unknown) => {
      if (entry.handle !== handle) return;
      delete entry.handle;
      entry.error = (err as Error).message;
      if ((err as NuthatchError).code === 'StaleFence') { entry.state = 'retrying'; this.fail(err as NuthatchError); return; }
      if (err instanceof ReplicationGapError) { entry.state = 'gap'; this.log(`collection ${entry.name} stopped: ${entry.error}`); return; }
      entry.state = 'retrying'; entry.retryAt = Date.now() + this.retryMs();
      this.log(`collection ${entry.name} failed, starting again from its checkpoint: ${entry.error}`);
    }).catch((err: unknown) => { entry.state = 'retrying'; entry.error = (err as Error).message; entry.retryAt = Date.now() + this.retryMs(); });
  }

  /**
   * Loads the target collection while its source is loaded (with the same field set, in
   * the target's own replica and resource group defaults) and releases it when the source
   * is released. A source with only some partitions loaded is mirrored as a collection load.
   */
  private async mirrorLoad(name: string): Promise<void> {
    const c = this.o.target.client;
    const src = await this.o.source.client.getLoadState(name);
    if (!(await c.hasCollection(name))) return;
    const want = src.loadState !== 'LoadStateNotLoad', have = (await c.getLoadState(name)).loadState !== 'LoadStateNotLoad';
    if (want === have) return;
    // The target's indexes arrive through the WAL; a load before them is refused, and tried again next round.
    if (want && (await c.listIndexes(name)).length === 0) return;
    if (want) await c.loadCollection(name, { ...(src.loadFields ? { loadFields: src.loadFields } : {}), ...(src.skipLoadDynamicField ? { skipLoadDynamicField: true } : {}) });
    else await c.releaseCollection(name);
    this.log(`${want ? 'loaded' : 'released'} target collection ${name}, as its source is`);
  }

  /**
   * Source collections renamed while replicating (found by id): their replicators stop,
   * their mirrors and checkpoints take the new names (a swap through a parked name), and
   * they go on from their checkpoints.
   */
  private async renameLive(moves: MirrorMove[]): Promise<void> {
    const moving = moves.map((m) => this.entries.get(m.id)!);
    await Promise.all(moving.map(async (e) => { const h = e.handle; delete e.handle; await h?.stop(); }));
    const moved = await this.applyRenames(moves, 'on the source');
    for (const m of moves) {
      const e = this.entries.get(m.id)!;
      if (moved.has(m.id)) e.name = m.to;
      if (e.state === 'replicating' || e.state === 'retrying') e.state = 'retrying', e.retryAt = 0;
    }
  }

  /**
   * Moves mirrors as `moves` says, in an order where each lands on a free name
   * (renamePlan.ts). A new name held by a target collection that is not a moving
   * mirror is left alone (that mirror stays where it is). Returns the ids moved.
   */
  private async applyRenames(moves: MirrorMove[], when: string): Promise<Set<number>> {
    const c = this.o.target.client, blocked = new Set<number>();
    for (const step of planRenames(moves, parkedName)) {
      if (blocked.has(step.id)) continue;
      if ((await c.hasCollection(step.to)) && (await c.hasCollection(step.from))) {
        this.log(`collection ${step.from} was renamed ${step.to} ${when}, but the target already has a collection ${step.to} that is no mirror: left alone`);
        blocked.add(step.id);
        continue;
      }
      await this.moveMirror(step.from, step.to);
    }
    const moved = new Set<number>();
    for (const m of moves) {
      if (blocked.has(m.id)) continue;
      moved.add(m.id);
      this.log(`collection ${m.from} was renamed ${m.to} ${when}: its mirror too`);
    }
    return moved;
  }

  /**
   * Renames the mirror `old` to `name`, then moves its checkpoint. Each step is skipped
   * when already done, so a move cut short by a crash is finished by the next start.
   */
  private async moveMirror(old: string, name: string): Promise<void> {
    const c = this.o.target.client, meta = this.o.target.meta;
    if ((await c.hasCollection(old)) && !(await c.hasCollection(name))) await c.renameCollection(old, name);
    const cp = await loadCheckpoint(meta, this.target(old));
    if (cp) { await saveCheckpoint(meta, this.target(name), cp, this.fence); await dropCheckpoint(meta, this.target(old), this.fence); }
  }

  /** A mirror drops what its source dropped: the target collection, then its checkpoint (a crash between leaves a gap, never mixed rows). */
  private async dropTarget(name: string, why: string): Promise<void> {
    const c = this.o.target.client;
    if (await c.hasCollection(name)) {
      await c.releaseCollection(name);
      await c.dropCollection(name);
    }
    await dropCheckpoint(this.o.target.meta, this.target(name), this.fence);
    this.log(`dropped target collection ${name}: ${why}`);
  }

  /** The target database, made when absent (its properties, such as quotas, are the target cluster's own). */
  private async ensureDatabase(): Promise<void> {
    const c = this.o.target.client;
    if (!(await c.listDatabases()).includes(this.db)) await c.createDatabase(this.db);
  }

  /**
   * At start, what happened on the source while nothing replicated, found by source
   * collection id (checkpoints name theirs): a mirror whose source is gone is dropped,
   * and one whose source now has another name is renamed too (and resumes from its
   * checkpoint, rather than being dropped and copied again from a WAL that may no
   * longer hold it). Chains (a to b, b to c) and swaps (a to b, b to a) are renamed
   * in an order that needs no mirror dropped (renamePlan.ts).
   */
  private async reconcileCheckpoints(): Promise<void> {
    const meta = this.o.target.meta;
    const source = await this.sourceCollections();
    /** Checkpointed mirror name to its source collection id (a parked one is ours whatever `include` says). */
    const mirrors = new Map<string, number>();
    for (const name of await checkpointedCollections(meta, this.db)) {
      if (!this.included(name) && !name.startsWith(PARKED_PREFIX)) continue;
      const cp = await loadCheckpoint(meta, this.target(name));
      if (cp) mirrors.set(name, cp.sourceCollectionId);
    }
    // A move cut short after its checkpoint was copied: only the old copy is left to drop.
    for (const [name, id] of mirrors) {
      const now = source.get(id);
      if (now !== undefined && now !== name && mirrors.get(now) === id) { await dropCheckpoint(meta, this.target(name), this.fence); mirrors.delete(name); }
    }
    for (const [name, id] of mirrors) {
      if (!source.has(id)) { await this.dropTarget(name, 'its source collection no longer exists'); mirrors.delete(name); }
    }
    const moves = [...mirrors].filter(([name, id]) => source.get(id) !== name).map(([name, id]) => ({ id, from: name, to: source.get(id)! }));
    await this.applyRenames(moves, 'while nothing replicated');
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.handle?.stop()));
  }
}
