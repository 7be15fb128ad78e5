import { NuthatchError, type CollectionSchema } from '../../messages/index.js';
import type { NuthatchApi } from '../client/api.js';

/**
 * The gateway checks rows and vectors against a collection's schema before it
 * calls the api, so it keeps the schemas it has seen. A cached schema can be
 * stale (another client dropped and recreated the collection): `check` runs
 * with the cached one first and, if that check fails, fetches the schema again
 * and runs once more, so a stale entry never refuses a good request. A stale
 * entry that lets a bad request through is harmless: the api validates too.
 */
export class SchemaCache {
  private readonly schemas = new Map<string, CollectionSchema>();

  constructor(private readonly api: NuthatchApi, private readonly maxEntries = 1024) {}

  /** Runs `fn` with the collection's schema; retries once with a fresh schema if it throws. */
  async check<T>(collectionName: string, fn: (schema: CollectionSchema) => T): Promise<T> {
    const cached = this.schemas.get(collectionName);
    if (cached) {
      try { return fn(cached); } catch (e) { if (!(e instanceof NuthatchError)) throw e; }
    }
    return fn(await this.fetch(collectionName));
  }

  /** Forgets a collection (after this gateway dropped or created it). */
  forget(collectionName: string): void { this.schemas.delete(collectionName); }

  private async fetch(collectionName: string): Promise<CollectionSchema> {
    this.schemas.delete(collectionName);
    const { schema } = await this.api.describeCollection(collectionName);
    if (this.schemas.size >= this.maxEntries) this.schemas.delete(this.schemas.keys().next().value!);
    this.schemas.set(collectionName, schema);
    return schema;
  }
}
