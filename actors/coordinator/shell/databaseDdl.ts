import { DEFAULT_DB, dbOf, type DatabaseRecord } from '../../../messages/database.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { decideAlterDatabase, decideCreateDatabase, decideDropDatabase, defaultDatabase, emptyDatabase, namespaceOf } from '../core/databases.js';
import type { AliasRecord } from './aliasDdl.js';
import type { CoordinatorContext } from './context.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';
import { announceCatalogChange } from './renameCollection.js';

/**
 * Database DDL (decided by core/databases.ts under the catalogue's lock, then
 * stored and applied in memory), and the catalogue's load at start.
 */

export async function createDatabase(ctx: CoordinatorContext, name: string, properties: unknown): Promise<DatabaseRecord> {
  return ctx.lock(async () => {
    const id = await ctx.allocIds(1);
    const rec = decideCreateDatabase(ctx.catalog, name, properties, id, await ctx.tso(1));
    await putRecord(ctx.opts.meta, Keys.database(name), rec);
    ctx.catalog.databases.set(name, emptyDatabase(rec));
    return rec;
  });
}

export async function dropDatabase(ctx: CoordinatorContext, name: string): Promise<null> {
  await ctx.lock(async () => {
    decideDropDatabase(ctx.catalog, name);
    await ctx.opts.meta.delete(Keys.database(name));
    ctx.catalog.databases.delete(name);
  });
  return null;
}

export async function alterDatabase(ctx: CoordinatorContext, name: string, set: unknown, drop: readonly unknown[]): Promise<DatabaseRecord> {
  return ctx.lock(async () => {
    const rec = decideAlterDatabase(ctx.catalog, name, set, drop);
    await putRecord(ctx.opts.meta, Keys.database(name), rec);
    const ns = namespaceOf(ctx.catalog, name);
    ns.record = rec;
    // Clients keep collection records, which carry the database's force-deny switches: they read them again.
    if (ns.byName.size > 0) announceCatalogChange(ctx, name, [...ns.byName.keys()]);
    return rec;
  });
}

/**
 * Reads databases, collections and aliases into the catalogue. 'default' is
 * made at first start; records from before databases (no `dbName`) are in it.
 */
export async function loadCatalog(ctx: CoordinatorContext): Promise<void> {
  const { meta } = ctx.opts;
  for (const d of await listRecords<DatabaseRecord>(meta, Keys.databases)) ctx.catalog.databases.set(d.name, emptyDatabase(d));
  if (!ctx.catalog.databases.has(DEFAULT_DB)) {
    const rec = (await getRecord<DatabaseRecord>(meta, Keys.database(DEFAULT_DB))) ?? defaultDatabase(await ctx.tso(1));
    await putRecord(meta, Keys.database(DEFAULT_DB), rec);
    ctx.catalog.databases.set(DEFAULT_DB, emptyDatabase(rec));
  }
  const namespace = (db: string) => {
    // Never expected (a database is dropped only when empty): its collections are kept, under a record made up here.
    if (!ctx.catalog.databases.has(db)) {
      ctx.log(`database '${db}' has collections but no record; keeping them`);
      ctx.catalog.databases.set(db, emptyDatabase({ name: db, id: 0, createdTso: 0n, properties: {} }));
    }
    return namespaceOf(ctx.catalog, db);
  };
  const records = await listRecords<CollectionRecord>(meta, Keys.catalog);
  // Records saved before schema versions: a TSO from now is above any schema DDL their shards took, so
  // writes shaped against them pass and a later DDL's version is above it (messages/schemaVersion.ts).
  const unversioned = records.filter((r) => r.schemaVersion === undefined);
  if (unversioned.length > 0) { const now = await ctx.tso(1); for (const r of unversioned) r.schemaVersion = now; }
  for (const r of records) namespace(dbOf(r)).byName.set(r.name, r);
  for (const a of await listRecords<AliasRecord>(meta, Keys.aliases)) namespace(dbOf(a)).aliases.set(a.alias, a.collection);
}
