import type { AnyMessage, Message, MessageType } from '../../../../messages/types.js';
import type { VchannelContext } from './context.js';

/**
 * One invariant's test: given the state and an incoming message, the reason the
 * message breaks the invariant, or null when it keeps it. Checks are pure and
 * total (they never throw on a well-typed message); each only looks at the
 * message types it is about and returns null for the others.
 */
export type Check = (ctx: VchannelContext, m: AnyMessage) => string | null;

/** Narrows a message by type (TypeScript does not narrow on the nested header.type). */
export function isType<T extends MessageType>(m: AnyMessage, type: T): m is Message<T> { return m.header.type === type; }

/** The collection id a message names, if its body carries one. */
export function collectionIdOf(m: AnyMessage): number | undefined {
  const b = m.body as { collectionId?: unknown };
  return typeof b.collectionId === 'number' ? b.collectionId : undefined;
}

/** Renders a TSO for an error text. */
export function tsoText(t: bigint | string): string { return typeof t === 'bigint' ? t.toString() : t; }

/** A record entry by key, own properties only (index names like 'constructor' are legal). */
export function own<V>(rec: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}
