import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { EVENTS } from '../../../messages/rpc/workers.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import type { CollectionRef } from '../core/catalog.js';
import { allCollections, isLive, namespaceOf } from '../core/databases.js';
import { decideRename, unfinishedRenames } from '../core/rename.js';
import type { AliasRecord } from './aliasDdl.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { broadcast } from './broadcast.js';
import { inDdlOrder } from './ddlOrder.js';

/** Tells clients that these names of a database changed meaning, so their cached records for them go. */
export function announceCatalogChange(ctx: CoordinatorContext, dbName: string, names: string[]): void {
  ctx.opts.bus.publish(EVENTS.catalog, encodeValue({ dbName, names }));
  // Streaming nodes enforce what the catalogue says (switches, quotas, rates): they hear it before the DDL's reply.
  ctx.publishAdmission?.();
}

/**
 * Renames a collection, or moves it to another database (`to.db`), in the
 * collection's DDL order (ddlOrder.ts): two renames of one collection, or a
 * rename and a field added, run one after the other, the later decided
 * against what the earlier left. A RenameCollection on every shard first (so
 * delegators, followers and replays name it anew from one TSO; a retry after
 * a crash appends the same name again), then the record under its new key
 * (with `renamedFrom`, and `renamedFromDb` when it moves), then its aliases
 * repointed and the old key deleted, so a crash at any step leaves what
 * finishRenames completes. The record object is renamed in place: work
 * holding it (compaction, loads) sees the new name. Its id, vchannels and
 * files stay: only its key changes.
 */
export async function renameCollection(ctx: CoordinatorContext, from: CollectionRef, to: CollectionRef): Promise<CollectionRecord> {
  const decide = () => decideRename(namespaceOf(ctx.catalog, from.db), from.name, to.name, namespaceOf(ctx.catalog, to.db));
  // Checked on arrival too, so a refusal answers at once rather than behind the collection's queued DDL.
  const arrived = decide();
  const { rec, aliases } = await inDdlOrder(ctx, arrived.rec.collectionId, async () => {
    const planned = decide();
    await broadcast(ctx, 'RenameCollection', planned.rec.vchannels, () => ({ collectionId: planned.rec.collectionId, name: to.name }));
    let refused = false;
    try {
      return await ctx.lock(() => {
        let d: ReturnType<typeof decideRename>;
        try { d = decide(); } catch (e) { refused = true; throw e; }
        return renameRecord(ctx, d, from, to);
      });
    } catch (e) {
      // Another collection took the name meanwhile: the shards, told the new name, hear the one the record keeps.
      if (refused && isLive(ctx.catalog, planned.rec)) await broadcast(ctx, 'RenameCollection', planned.rec.vchannels, () => ({ collectionId: planned.rec.collectionId, name: planned.rec.name }));
      throw e;
    }
  });
  ctx.log(`collection '${from.db}.${from.name}' renamed to '${to.db}.${to.name}'`);
  announceCatalogChange(ctx, from.db, [from.name, ...aliases]);
  announceCatalogChange(ctx, to.db, [to.name]);
  return rec;
}

/** The record under its new key, its aliases repointed, the old key gone (under the lock); in the meta store, then in memory. */
async function renameRecord(ctx: CoordinatorContext, d: ReturnType<typeof decideRename>, from: CollectionRef, to: CollectionRef): Promise<ReturnType<typeof decideRename>> {
  const moved = from.db !== to.db;
  const renamed: CollectionRecord = { ...d.rec, name: to.name, dbName: to.db, renamedFrom: from.name };
  if (moved) renamed.renamedFromDb = from.db; else delete renamed.renamedFromDb;
  await putRecord(ctx.opts.meta, Keys.collection(to.db, to.name), renamed);
  for (const alias of d.aliases) await putRecord(ctx.opts.meta, Keys.alias(to.db, alias), { alias, collection: to.name, dbName: to.db } satisfies AliasRecord);
  await ctx.opts.meta.delete(Keys.collection(from.db, from.name));
  Object.assign(d.rec, renamed);
  if (!moved) delete d.rec.renamedFromDb;
  namespaceOf(ctx.catalog, from.db).byName.delete(from.name);
  namespaceOf(ctx.catalog, to.db).byName.set(to.name, d.rec);
  for (const alias of d.aliases) namespaceOf(ctx.catalog, to.db).aliases.set(alias, to.name);
  return d;
}

/** At start, before the catalog is used: completes renames a previous coordinator was cut off in. */
export async function finishRenames(ctx: CoordinatorContext): Promise<void> {
  const aliases = [...ctx.catalog.databases].flatMap(([db, d]) => [...d.aliases].map(([alias, collection]) => ({ db, alias, collection })));
  const { stale, repoint } = unfinishedRenames(allCollections(ctx.catalog), aliases);
  for (const ref of stale) {
    await ctx.opts.meta.delete(Keys.collection(ref.db, ref.name));
    ctx.catalog.databases.get(ref.db)?.byName.delete(ref.name);
  }
  for (const a of repoint) {
    await putRecord(ctx.opts.meta, Keys.alias(a.db, a.alias), { alias: a.alias, collection: a.collection, dbName: a.db } satisfies AliasRecord);
    namespaceOf(ctx.catalog, a.db).aliases.set(a.alias, a.collection);
  }
  if (stale.length + repoint.length > 0) ctx.log(`finished renames: ${stale.length} old names deleted, ${repoint.length} aliases repointed`);
}
