import type { CollectionRecord } from '../../messages/rpc/records.js';

/**
 * Collection records a client has fetched, keyed by (database, name): a name
 * means a collection only within its database, and two databases may each
 * hold one of the same name. A name may be an alias; the record says which
 * collection it reached.
 */
export class RecordCache {
  private readonly dbs = new Map<string, Map<string, { rec: CollectionRecord; at: number }>>();

  /** The record and when it was fetched (ms). */
  get(db: string, name: string): { rec: CollectionRecord; at: number } | undefined {
    return this.dbs.get(db)?.get(name);
  }

  set(db: string, name: string, rec: CollectionRecord, at: number): void {
    let names = this.dbs.get(db);
    if (!names) this.dbs.set(db, names = new Map());
    names.set(name, { rec, at });
  }

  delete(db: string, name: string): void { this.dbs.get(db)?.delete(name); }

  /** Forgets records of these names in `db`, and those reached through an alias that now names one of them. */
  forget(db: string, names: readonly string[]): void {
    const gone = new Set(names), cached = this.dbs.get(db);
    if (!cached) return;
    for (const [name, e] of cached) if (gone.has(name) || gone.has(e.rec.name)) cached.delete(name);
  }
}
