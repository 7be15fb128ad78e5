import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { checkName } from '../../../messages/schema.js';
import { aliasesOf } from './aliases.js';
import type { CollectionRef, Namespace } from './catalog.js';
import { dbOf } from '../../../messages/database.js';

/**
 * Renaming a collection (pure): by its own name, to a name no collection or
 * alias holds in the target database (`target`, by default its own); its
 * aliases follow it. Moving it to another database is refused while it has
 * aliases, as Milvus refuses it: an alias and its collection share a database.
 * Returns the record and the aliases to repoint.
 */
export function decideRename(c: Namespace, from: string, to: string, target: Namespace = c): { rec: CollectionRecord; aliases: string[] } {
  const via = c.aliases.get(from);
  if (via !== undefined) throw new ValidationError(`'${from}' is an alias of '${via}': rename a collection by its own name`);
  const rec = c.byName.get(from);
  if (!rec || rec.state !== 'created') throw new NuthatchError('CollectionNotFound', `collection '${from}' does not exist`, { collection: from });
  checkName('collection', to);
  if (to === from && target === c) throw new ValidationError(`collection '${from}' already has that name`);
  if (target.byName.has(to)) throw new NuthatchError('CollectionExists', `collection '${to}' already exists`, { collection: to });
  if (target.aliases.has(to)) throw new NuthatchError('CollectionExists', `'${to}' is an alias of '${target.aliases.get(to)}'`, { collection: to });
  const aliases = aliasesOf(c, from);
  if (target !== c && aliases.length > 0) throw new ValidationError(`collection '${from}' has aliases (${aliases.join(', ')}): drop them before moving it to another database`, { collection: from });
  return { rec, aliases };
}

/** An alias as the meta store keeps it, with its database. */
export interface AliasEntry { db: string; alias: string; collection: string }

/**
 * What a rename cut off by a crash left, put right (pure): a rename writes the
 * record under its new key (with `renamedFrom`, and `renamedFromDb` when it
 * moved databases) before it deletes the old one and repoints aliases.
 * Returns the stale keys to delete and the aliases to repoint.
 */
export function unfinishedRenames(records: readonly CollectionRecord[], aliases: readonly AliasEntry[]): { stale: CollectionRef[]; repoint: AliasEntry[] } {
  const byId = new Map<number, CollectionRecord[]>();
  for (const r of records) byId.set(r.collectionId, [...(byId.get(r.collectionId) ?? []), r]);
  const stale: CollectionRef[] = [];
  const renamedAway = (o: CollectionRecord, r: CollectionRecord) => o.renamedFrom === r.name && (o.renamedFromDb ?? dbOf(o)) === dbOf(r);
  for (const same of byId.values()) {
    if (same.length < 2) continue;
    for (const r of same) if (same.some((o) => renamedAway(o, r))) stale.push({ db: dbOf(r), name: r.name });
  }
  const isStale = (r: CollectionRecord) => stale.some((s) => s.db === dbOf(r) && s.name === r.name);
  const live = records.filter((r) => !isStale(r));
  const repoint: AliasEntry[] = [];
  for (const a of aliases) {
    if (live.some((r) => dbOf(r) === a.db && r.name === a.collection)) continue;
    // Aliases never cross databases: a collection with aliases is renamed within its own.
    const renamed = live.find((r) => dbOf(r) === a.db && r.renamedFrom === a.collection && r.renamedFromDb === undefined);
    if (renamed) repoint.push({ db: a.db, alias: a.alias, collection: renamed.name });
  }
  return { stale, repoint };
}
