import type { CoordinatorContext } from './context.js';

/** Per coordinator, per collection id: the tail of its chain of journaled DDL. */
const chains = new WeakMap<CoordinatorContext, Map<number, Promise<unknown>>>();

/**
 * Runs `fn` after every DDL of the collection queued before it (one at a
 * time, in order): journaled steps and renames.
 */
export function inDdlOrder<T>(ctx: CoordinatorContext, collectionId: number, fn: () => Promise<T>): Promise<T> {
  let byCollection = chains.get(ctx);
  if (!byCollection) { byCollection = new Map(); chains.set(ctx, byCollection); }
  const run = (byCollection.get(collectionId) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  byCollection.set(collectionId, tail);
  void tail.then(() => { if (byCollection.get(collectionId) === tail) byCollection.delete(collectionId); });
  return run;
}
