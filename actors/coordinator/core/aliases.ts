import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { checkName } from '../../../messages/schema.js';
import type { Namespace } from './catalog.js';

/**
 * Collection aliases (pure): another name for a collection, which every read,
 * write and description through it reaches, and which can be moved to another
 * collection in one step (a blue/green swap of a rebuilt collection). An alias
 * names a collection, never another alias; alias and collection names share
 * one namespace. A collection with aliases is not dropped (drop them first),
 * and is dropped by its own name only, as Milvus does.
 */

/** The collection a name stands for: the name itself, or the collection its alias names. */
export function resolveName(c: Namespace, name: string): string {
  return c.aliases.get(name) ?? name;
}

/** The aliases of a collection, sorted. */
export function aliasesOf(c: Namespace, collection: string): string[] {
  return [...c.aliases].filter(([, target]) => target === collection).map(([alias]) => alias).sort();
}

function target(c: Namespace, collection: string): string {
  if (c.aliases.has(collection)) throw new ValidationError(`'${collection}' is an alias: an alias names a collection, not another alias`);
  const r = c.byName.get(collection);
  if (!r || r.state === 'dropping') throw new NuthatchError('CollectionNotFound', `collection '${collection}' does not exist`, { collection });
  return collection;
}

export function decideCreateAlias(c: Namespace, alias: string, collection: string): { alias: string; collection: string } {
  checkName('alias', alias);
  if (c.aliases.has(alias)) throw new NuthatchError('AliasExists', `alias '${alias}' already exists (it names '${c.aliases.get(alias)}')`, { alias });
  if (c.byName.has(alias)) throw new NuthatchError('AliasExists', `'${alias}' is a collection's name`, { alias });
  return { alias, collection: target(c, collection) };
}

export function decideAlterAlias(c: Namespace, alias: string, collection: string): { alias: string; collection: string } {
  if (!c.aliases.has(alias)) throw new NuthatchError('AliasNotFound', `alias '${alias}' does not exist`, { alias });
  return { alias, collection: target(c, collection) };
}

export function decideDropAlias(c: Namespace, alias: string): string {
  if (!c.aliases.has(alias)) throw new NuthatchError('AliasNotFound', `alias '${alias}' does not exist`, { alias });
  return alias;
}

/** Why a collection may not be dropped by this name, if it may not. */
export function dropRefusal(c: Namespace, name: string): NuthatchError | null {
  const via = c.aliases.get(name);
  if (via !== undefined) return new ValidationError(`'${name}' is an alias of '${via}': drop a collection by its own name`);
  const held = aliasesOf(c, name);
  if (held.length > 0) return new ValidationError(`collection '${name}' has aliases (${held.join(', ')}): drop them first`);
  return null;
}
