import { checkDatabaseName, checkDatabaseProperties, dbOf, DEFAULT_DB, MAX_DATABASES, type DatabaseRecord } from '../../../messages/database.js';
import { policyOf } from '../../../messages/databaseProperties.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { findCollection, type Catalog, type CollectionRef, type Database } from './catalog.js';

/**
 * Databases (pure): each is a namespace of collections and aliases, so two
 * databases may hold collections of the same name. 'default' always exists
 * (the shell makes it at first start) and is never dropped; a database is
 * dropped only once it holds no collection (aliases go with their collections).
 */

/** The record of 'default' when a store has none yet (Milvus gives it id 1; allocated ids start higher). */
export const defaultDatabase = (createdTso: bigint): DatabaseRecord => ({ name: DEFAULT_DB, id: 1, createdTso, properties: {} });

/** A database with nothing in it. */
export const emptyDatabase = (record: DatabaseRecord): Database => ({ record, byName: new Map(), aliases: new Map() });

/** The database of this name, or DatabaseNotFound. */
export function namespaceOf(c: Catalog, db: string): Database {
  const d = c.databases.get(db);
  if (!d) throw new NuthatchError('DatabaseNotFound', `database not found: '${db}'`, { database: db });
  return d;
}

/** The collection a (database, name-or-alias) key stands for. */
export function collectionAt(c: Catalog, ref: CollectionRef): CollectionRecord {
  return findCollection(namespaceOf(c, ref.db), ref.name);
}

/**
 * The record, when it is still its collection's one in the catalogue: in its
 * database under its name (a drop removes it last, under the lock). Else
 * CollectionNotFound: a request that waited (behind the collection's earlier
 * DDL, on its shards, for the lock) must not save a record a drop removed,
 * which would bring it back, or write over the record of a collection made
 * again under its name.
 */
export function stillCatalogued(c: Catalog, rec: CollectionRecord): CollectionRecord {
  if (c.databases.get(dbOf(rec))?.byName.get(rec.name) === rec) return rec;
  throw droppedWhileRunning(rec);
}

/** Whether the record is live: catalogued and not being dropped (a DDL step is refused otherwise). */
export function isLive(c: Catalog, rec: CollectionRecord): boolean {
  return rec.state === 'created' && c.databases.get(dbOf(rec))?.byName.get(rec.name) === rec;
}

/** The record, when live (isLive); else CollectionNotFound. */
export function stillLive(c: Catalog, rec: CollectionRecord): CollectionRecord {
  if (isLive(c, rec)) return rec;
  throw droppedWhileRunning(rec);
}

/** CollectionNotFound for a request its collection's drop overtook. */
export function droppedWhileRunning(rec: CollectionRecord): NuthatchError {
  return new NuthatchError('CollectionNotFound', `collection '${rec.name}' was dropped while the request ran`, { collection: rec.name });
}

/** Every collection record of every database (any state). */
export function allCollections(c: Catalog): CollectionRecord[] {
  return [...c.databases.values()].flatMap((d) => [...d.byName.values()]);
}

/** A collection by id, whatever its database and name. */
export function collectionById(c: Catalog, collectionId: number): CollectionRecord | undefined {
  for (const d of c.databases.values()) for (const r of d.byName.values()) if (r.collectionId === collectionId) return r;
  return undefined;
}

export function decideCreateDatabase(c: Catalog, name: string, properties: unknown, id: number, createdTso: bigint): DatabaseRecord {
  checkDatabaseName(name);
  if (c.databases.has(name)) throw new NuthatchError('DatabaseExists', `database already exists: '${name}'`, { database: name });
  if (c.databases.size >= MAX_DATABASES) throw new NuthatchError('DatabaseLimitExceeded', `at most ${MAX_DATABASES} databases may exist`, { database: name });
  return { name, id, createdTso, properties: properties === undefined || properties === null ? {} : checkDatabaseProperties(properties) };
}

/** The database to drop: not 'default', and holding no collection (not even one being created or dropped). */
export function decideDropDatabase(c: Catalog, name: string): DatabaseRecord {
  if (name === DEFAULT_DB) throw new ValidationError(`the '${DEFAULT_DB}' database cannot be dropped`, { database: name });
  const d = namespaceOf(c, name);
  if (d.byName.size > 0) {
    throw new NuthatchError('DatabaseNotEmpty', `database '${name}' is not empty: drop its collections (${[...d.byName.keys()].sort().join(', ')}) first`, { database: name });
  }
  return d.record;
}

/** The record after setting `set` and unsetting `drop` (keys it does not hold are ignored, as Milvus ignores them). */
export function decideAlterDatabase(c: Catalog, name: string, set: unknown, drop: readonly unknown[]): DatabaseRecord {
  const d = namespaceOf(c, name);
  const properties = { ...d.record.properties, ...checkDatabaseProperties(set ?? {}) };
  for (const k of drop) {
    if (typeof k !== 'string') throw new ValidationError('property keys to drop must be strings', { field: 'propertyKeys' });
    delete properties[k];
  }
  return { ...d.record, properties: checkDatabaseProperties(properties) };
}

/** The record as describeCollection answers it: with its database's force-deny switches (never stored). */
export function withDenied(c: Catalog, rec: CollectionRecord): CollectionRecord {
  const p = policyOf(namespaceOf(c, dbOf(rec)).record.properties);
  const out = p.denyWriting || p.denyReading ? { ...rec, denied: { writing: p.denyWriting, reading: p.denyReading } } : rec;
  return p.timezone ? { ...out, dbTimezone: p.timezone } : out;
}

/** Refuses a collection past the database's `database.max.collections`. */
export function checkRoomForCollection(c: Catalog, db: string): void {
  const d = namespaceOf(c, db);
  const { maxCollections } = policyOf(d.record.properties);
  if (maxCollections === undefined) return;
  const live = [...d.byName.values()].filter((r) => r.state !== 'dropping').length;
  if (live >= maxCollections) throw new NuthatchError('DatabaseLimitExceeded', `database '${db}' holds ${live} collections, its database.max.collections`, { database: db });
}
