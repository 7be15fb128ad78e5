import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { EVENTS } from '../../../messages/rpc/workers.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import { decideRename, unfinishedRenames } from '../core/rename.js';
import type { AliasRecord } from './aliasDdl.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { broadcast } from './broadcast.js';

/** Tells clients that these names changed meaning, so their cached records for them go. */
export function announceCatalogChange(ctx: CoordinatorContext, names: string[]): void {
  ctx.opts.bus.publish(EVENTS.catalog, encodeValue({ names }));
}

/**
 * Renames a collection: a RenameCollection on every shard first (so
 * delegators, followers and replays name it anew from one TSO; a retry after
 * a crash appends the same name again), then the record under its new name
 * (with `renamedFrom`), then its aliases repointed and the old name deleted,
 * so a crash at any step leaves what finishRenames completes. The record
 * object is renamed in place: work holding it (compaction, loads) sees the new name.
 */
export async function renameCollection(ctx: CoordinatorContext, from: string, to: string): Promise<CollectionRecord> {
  const planned = decideRename(ctx.catalog, from, to);
  await broadcast(ctx, 'RenameCollection', planned.rec.vchannels, () => ({ collectionId: planned.rec.collectionId, name: to }));
  const { rec, aliases } = await ctx.lock(async () => {
    const d = decideRename(ctx.catalog, from, to);
    await putRecord(ctx.opts.meta, Keys.collection(to), { ...d.rec, name: to, renamedFrom: from });
    for (const alias of d.aliases) await putRecord(ctx.opts.meta, Keys.alias(alias), { alias, collection: to } satisfies AliasRecord);
    await ctx.opts.meta.delete(Keys.collection(from));
    d.rec.name = to;
    d.rec.renamedFrom = from;
    ctx.catalog.byName.delete(from);
    ctx.catalog.byName.set(to, d.rec);
    for (const alias of d.aliases) ctx.catalog.aliases.set(alias, to);
    return d;
  });
  ctx.log(`collection '${from}' renamed to '${to}'`);
  announceCatalogChange(ctx, [from, to, ...aliases]);
  return rec;
}

/** At start, before the catalog is used: completes renames a previous coordinator was cut off in. */
export async function finishRenames(ctx: CoordinatorContext): Promise<void> {
  const records = [...ctx.catalog.byName.values()];
  const { staleNames, repoint } = unfinishedRenames(records, ctx.catalog.aliases);
  for (const name of staleNames) {
    await ctx.opts.meta.delete(Keys.collection(name));
    ctx.catalog.byName.delete(name);
  }
  for (const a of repoint) {
    await putRecord(ctx.opts.meta, Keys.alias(a.alias), a satisfies AliasRecord);
    ctx.catalog.aliases.set(a.alias, a.collection);
  }
  if (staleNames.length + repoint.length > 0) ctx.log(`finished renames: ${staleNames.length} old names deleted, ${repoint.length} aliases repointed`);
}
