import { NuthatchError } from '../../../messages/errors.js';
import { aliasesOf, decideAlterAlias, decideCreateAlias, decideDropAlias, resolveName } from '../core/aliases.js';
import { findCollection } from '../core/catalog.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';

/** An alias as stored in the metadata store. */
export interface AliasRecord { alias: string; collection: string }

/** Alias DDL: decided by core/aliases.ts under the catalogue's lock, stored, then applied in memory. */
export const createAlias = (ctx: CoordinatorContext, alias: string, collection: string) => setAlias(ctx, decideCreateAlias, alias, collection);

/** Moves an alias in one metadata write: a reader resolves it to the old collection or the new, never to none. */
export const alterAlias = (ctx: CoordinatorContext, alias: string, collection: string) => setAlias(ctx, decideAlterAlias, alias, collection);

async function setAlias(ctx: CoordinatorContext, decide: typeof decideCreateAlias, alias: string, collection: string): Promise<null> {
  await ctx.lock(async () => {
    const a = decide(ctx.catalog, alias, collection);
    await putRecord(ctx.opts.meta, Keys.alias(a.alias), a satisfies AliasRecord);
    ctx.catalog.aliases.set(a.alias, a.collection);
  });
  return null;
}

export async function dropAlias(ctx: CoordinatorContext, alias: string): Promise<null> {
  await ctx.lock(async () => {
    decideDropAlias(ctx.catalog, alias);
    await ctx.opts.meta.delete(Keys.alias(alias));
    ctx.catalog.aliases.delete(alias);
  });
  return null;
}

export function describeAlias(ctx: CoordinatorContext, alias: string): { alias: string; collectionName: string } {
  const collectionName = ctx.catalog.aliases.get(alias);
  if (collectionName === undefined) throw new NuthatchError('AliasNotFound', `alias '${alias}' does not exist`, { alias });
  return { alias, collectionName };
}

export function listAliases(ctx: CoordinatorContext, collection?: string): { aliases: string[]; collectionName?: string } {
  if (collection === undefined) return { aliases: [...ctx.catalog.aliases.keys()].sort() };
  const collectionName = findCollection(ctx.catalog, resolveName(ctx.catalog, collection)).name;
  return { aliases: aliasesOf(ctx.catalog, collectionName), collectionName };
}
