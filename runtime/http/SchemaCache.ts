import { NuthatchError, type CollectionSchema } from '../../messages/index.js';
import type { NuthatchApi } from '../client/api.js';

/** What a row check needs of a collection beyond its schema: its `allow_insert_auto_id` property. */
export interface RowRules { allowInsertAutoId: boolean }

/** The schema cache as a route sees it: bound to the api (and so the database) of its request. */
export interface Schemas {
  /** Runs `fn` with the collection's schema; retries once with a fresh schema if it throws. */
  check<T>(collectionName: string, fn: (schema: CollectionSchema, rules: RowRules) => T): Promise<T>;
  /** Forgets a collection (after this gateway dropped or created it). */
  forget(collectionName: string): void;
}

/**
 * The gateway checks rows and vectors against a collection's schema before it
 * calls the api, so it keeps the schemas it has seen, by database and name
 * (two databases may hold collections of one name). A cached schema can be
 * stale (another client dropped and recreated the collection): `check` runs
 * with the cached one first and, if that check fails, fetches the schema again
 * and runs once more, so a stale entry never refuses a good request. A stale
 * entry that lets a bad request through is harmless: the api validates too.
 */
export class SchemaCache {
  private readonly schemas = new Map<string, { schema: CollectionSchema; rules: RowRules }>();

  constructor(private readonly maxEntries = 1024) {}

  /** The cache as used through `api`, in `api`'s database. */
  for(api: NuthatchApi): Schemas {
    const key = (name: string) => JSON.stringify([api.dbName, name]);
    return {
      check: async (name, fn) => {
        const cached = this.schemas.get(key(name));
        if (cached) {
          try { return fn(cached.schema, cached.rules); } catch (e) { if (!(e instanceof NuthatchError)) throw e; }
        }
        const fresh = await this.fetch(api, key(name), name);
        return fn(fresh.schema, fresh.rules);
      },
      forget: (name) => { this.schemas.delete(key(name)); },
    };
  }

  private async fetch(api: NuthatchApi, key: string, name: string): Promise<{ schema: CollectionSchema; rules: RowRules }> {
    this.schemas.delete(key);
    const { schema, properties } = await api.describeCollection(name);
    const entry = { schema, rules: { allowInsertAutoId: properties.some((p) => p.key === 'allow_insert_auto_id' && p.value === 'true') } };
    if (this.schemas.size >= this.maxEntries) this.schemas.delete(this.schemas.keys().next().value!);
    this.schemas.set(key, entry);
    return entry;
  }
}
