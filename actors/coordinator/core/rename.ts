import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { checkName } from '../../../messages/schema.js';
import { aliasesOf } from './aliases.js';
import type { Catalog } from './catalog.js';

/**
 * Renaming a collection (pure): by its own name, to a name no collection or
 * alias holds; its aliases follow it. Returns the record and the aliases to
 * repoint.
 */
export function decideRename(c: Catalog, from: string, to: string): { rec: CollectionRecord; aliases: string[] } {
  const via = c.aliases.get(from);
  if (via !== undefined) throw new ValidationError(`'${from}' is an alias of '${via}': rename a collection by its own name`);
  const rec = c.byName.get(from);
  if (!rec || rec.state !== 'created') throw new NuthatchError('CollectionNotFound', `collection '${from}' does not exist`, { collection: from });
  checkName('collection', to);
  if (to === from) throw new ValidationError(`collection '${from}' already has that name`);
  if (c.byName.has(to)) throw new NuthatchError('CollectionExists', `collection '${to}' already exists`, { collection: to });
  if (c.aliases.has(to)) throw new NuthatchError('CollectionExists', `'${to}' is an alias of '${c.aliases.get(to)}'`, { collection: to });
  return { rec, aliases: aliasesOf(c, from) };
}

/**
 * What a rename cut off by a crash left, put right (pure): a rename writes the
 * record under its new name (with `renamedFrom`) before it deletes the old
 * one and repoints aliases. Returns the stale names to delete and the aliases
 * to repoint.
 */
export function unfinishedRenames(records: readonly CollectionRecord[], aliases: ReadonlyMap<string, string>): { staleNames: string[]; repoint: Array<{ alias: string; collection: string }> } {
  const byId = new Map<number, CollectionRecord[]>();
  for (const r of records) byId.set(r.collectionId, [...(byId.get(r.collectionId) ?? []), r]);
  const staleNames: string[] = [];
  for (const same of byId.values()) {
    if (same.length < 2) continue;
    for (const r of same) if (same.some((o) => o.renamedFrom === r.name)) staleNames.push(r.name);
  }
  const live = new Set(records.map((r) => r.name).filter((n) => !staleNames.includes(n)));
  const repoint: Array<{ alias: string; collection: string }> = [];
  for (const [alias, target] of aliases) {
    if (live.has(target)) continue;
    const renamed = records.find((r) => r.renamedFrom === target && live.has(r.name));
    if (renamed) repoint.push({ alias, collection: renamed.name });
  }
  return { staleNames, repoint };
}
