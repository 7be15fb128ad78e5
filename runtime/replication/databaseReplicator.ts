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
import { checkpointedCollections, dropCheckpoint, loadCheckpoint, saveCheckpoint, type TargetName } from './checkpointStore.js';
import { startReplication, type ReplicationHandle, type ReplicationOptions } from './replicator.js';

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

  constructor(private readonly o: DatabaseReplicationOptions) { this.db = o.target.client.dbName; }

  private log(...a: unknown[]): void { this.o.log?.(...a); }
  private target(collection: string): TargetName { return { db: this.db, collection }; }
  private included(name: string): boolean { return this.o.include?.(name) ?? true; }
  private retryMs(): number { return this.o.retryMs ?? 2000; }

  async run(): Promise<'stopped'> {
    await this.ensureDatabase();
    await this.reconcileCheckpoints();
    let failures = 0;
    while (!this.stopping) {
      try { await this.discover(); failures = 0; } catch (e) {
        // The source may be restarting; only a listing that fails for a minute ends the replication.
        if (++failures * (this.o.discoverMs ?? 1000) > 60_000) { await this.stopAll(); throw e; }
        this.log('reading the source collections failed:', (e as Error).message);
      }
      await new Promise<void>((res) => { this.wakeUp = res; setTimeout(res, this.o.discoverMs ?? 1000); });
      this.wakeUp = null;
    }
    await this.stopAll();
    return 'stopped';
  }

  async stop(): Promise<void> { this.stopping = true; this.wakeUp?.(); }

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
    for (const [id, name] of await this.sourceCollections()) {
      const e = this.entries.get(id);
      if (e && e.name !== name) await this.rename(e, name);
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

  /** A source collection renamed: its replicator stops, the mirror and its checkpoint take the new name, and it goes on. */
  private async rename(e: Entry, name: string): Promise<void> {
    const old = e.name, handle = e.handle;
    delete e.handle;
    await handle?.stop();
    await this.moveMirror(old, name);
    e.name = name;
    if (e.state === 'replicating') e.state = 'retrying', e.retryAt = 0;
    this.log(`collection ${old} was renamed ${name}: its mirror too`);
  }

  /**
   * Renames the mirror `old` to `name`, then moves its checkpoint. Each step is skipped
   * when already done, so a move cut short by a crash is finished by the next start.
   */
  private async moveMirror(old: string, name: string): Promise<void> {
    const c = this.o.target.client, meta = this.o.target.meta;
    if ((await c.hasCollection(old)) && !(await c.hasCollection(name))) await c.renameCollection(old, name);
    const cp = await loadCheckpoint(meta, this.target(old));
    if (cp) { await saveCheckpoint(meta, this.target(name), cp); await dropCheckpoint(meta, this.target(old)); }
  }

  /** A mirror drops what its source dropped: the target collection, then its checkpoint (a crash between leaves a gap, never mixed rows). */
  private async dropTarget(name: string, why: string): Promise<void> {
    const c = this.o.target.client;
    if (await c.hasCollection(name)) {
      await c.releaseCollection(name);
      await c.dropCollection(name);
    }
    await dropCheckpoint(this.o.target.meta, this.target(name));
    this.log(`dropped target collection ${name}: ${why}`);
  }

  /** The target database, made when absent (its properties, such as quotas, are the target cluster's own). */
  private async ensureDatabase(): Promise<void> {
    const c = this.o.target.client;
    if (!(await c.listDatabases()).includes(this.db)) await c.createDatabase(this.db);
  }

  /**
   * At start, what happened on the source while nothing replicated: a checkpointed mirror
   * whose source collection was renamed is renamed too (and resumes from its checkpoint,
   * rather than being dropped and copied again from a WAL that may no longer hold it);
   * one whose source collection is gone is dropped. Repeated until nothing moves, for
   * chains of renames (a to b, b to c).
   */
  private async reconcileCheckpoints(): Promise<void> {
    const meta = this.o.target.meta, c = this.o.target.client;
    const source = await this.sourceCollections();
    const live = new Set(source.values());
    for (let moved = true; moved;) {
      moved = false;
      const checkpointed = (await checkpointedCollections(meta, this.db)).filter((n) => this.included(n));
      for (const name of checkpointed) {
        const cp = await loadCheckpoint(meta, this.target(name));
        const now = cp && source.get(cp.sourceCollectionId);
        if (now === undefined || now === name) {
          if (!live.has(name)) await this.dropTarget(name, 'its source collection no longer exists');
          continue;
        }
        // Renamed on the source. A mirror under the new name whose source is gone goes first;
        // one whose source lives on (renamed too) moves first, in a later round.
        if (checkpointed.includes(now)) {
          const other = await loadCheckpoint(meta, this.target(now));
          // A move cut short after its checkpoint was copied: only the old copy is left to drop.
          if (other?.sourceCollectionId === cp!.sourceCollectionId) { await dropCheckpoint(meta, this.target(name)); continue; }
          if (other && source.has(other.sourceCollectionId)) continue;
          await this.dropTarget(now, 'its source collection no longer exists');
        }
        if ((await c.hasCollection(now)) && (await c.hasCollection(name))) {
          this.log(`collection ${name} was renamed ${now} on the source, but the target already has a collection ${now} that is no mirror: left alone`);
          continue;
        }
        await this.moveMirror(name, now);
        this.log(`collection ${name} was renamed ${now} while nothing replicated: its mirror too`);
        moved = true;
      }
    }
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.handle?.stop()));
  }
}
