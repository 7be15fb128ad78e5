import { NuthatchError } from '../../../messages/errors.js';
import { aliasesOf, decideAlterAlias, decideCreateAlias, decideDropAlias, resolveName } from '../core/aliases.js';
import { findCollection } from '../core/catalog.js';
import { namespaceOf } from '../core/databases.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';

/** An alias as stored in the metadata store; `dbName` absent in records written before databases: 'default'. */
export interface AliasRecord { alias: string; collection: string; dbName?: string }

/**
 * Alias DDL: decided by core/aliases.ts under the catalogue's lock, stored, then
 * applied in memory. An alias lives in its collection's database, as Milvus has it.
 */
export const createAlias = (ctx: CoordinatorContext, db: string, alias: string, collection: string) => setAlias(ctx, decideCreateAlias, db, alias, collection);

/** Moves an alias in one metadata write: a reader resolves it to the old collection or the new, never to none. */
export const alterAlias = (ctx: CoordinatorContext, db: string, alias: string, collection: string) => setAlias(ctx, decideAlterAlias, db, alias, collection);

async function setAlias(ctx: CoordinatorContext, decide: typeof decideCreateAlias, db: string, alias: string, collection: string): Promise<null> {
  await ctx.lock(async () => {
    const ns = namespaceOf(ctx.catalog, db);
    const a = decide(ns, alias, collection);
    await putRecord(ctx.opts.meta, Keys.alias(db, a.alias), { ...a, dbName: db } satisfies AliasRecord);
    ns.aliases.set(a.alias, a.collection);
  });
  return null;
}

export async function dropAlias(ctx: CoordinatorContext, db: string, alias: string): Promise<null> {
  await ctx.lock(async () => {
    const ns = namespaceOf(ctx.catalog, db);
    decideDropAlias(ns, alias);
    await ctx.opts.meta.delete(Keys.alias(db, alias));
    ns.aliases.delete(alias);
  });
  return null;
}

export function describeAlias(ctx: CoordinatorContext, db: string, alias: string): { alias: string; collectionName: string } {
  const collectionName = namespaceOf(ctx.catalog, db).aliases.get(alias);
  if (collectionName === undefined) throw new NuthatchError('AliasNotFound', `alias '${alias}' does not exist in database '${db}'`, { alias, database: db });
  return { alias, collectionName };
}

export function listAliases(ctx: CoordinatorContext, db: string, collection?: string): { aliases: string[]; collectionName?: string } {
  const ns = namespaceOf(ctx.catalog, db);
  if (collection === undefined) return { aliases: [...ns.aliases.keys()].sort() };
  const collectionName = findCollection(ns, resolveName(ns, collection)).name;
  return { aliases: aliasesOf(ns, collectionName), collectionName };
}
