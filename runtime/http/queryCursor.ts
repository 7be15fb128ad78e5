import { ValidationError } from '../../messages/errors.js';
import type { OrderKey } from '../../messages/orderBy.js';
import type { PrimaryKey } from '../../messages/schema.js';
import type { QueryIteratorPosition } from '../client/queryIterator.js';

/**
 * The opaque `cursor` of a paged `entities/query`: where a query iterator
 * stands (its snapshot TSO and the last key returned; for an ordered walk
 * its order and the last row's ordered values too), as base64url JSON.
 * Opaque to clients, but not trusted: the client checks a resumed position
 * against the collection (runtime/client/client.ts).
 */

export function encodeQueryCursor(p: QueryIteratorPosition): string {
  // A TSO is a 64-bit integer: a decimal string survives JSON.
  const body: { t: string; a?: PrimaryKey; h?: number; o?: OrderKey[]; v?: unknown[] } = {
    t: String(p.snapshotTso), ...(p.after !== undefined ? { a: p.after } : {}), ...(p.holdId !== undefined ? { h: p.holdId } : {}),
    ...(p.order !== undefined ? { o: p.order } : {}), ...(p.afterValues !== undefined ? { v: p.afterValues } : {}),
  };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** A cursor back to a position; anything but one this gateway made is refused with InvalidArgument. */
export function decodeQueryCursor(cursor: string): QueryIteratorPosition {
  const bad = () => new ValidationError(`field 'cursor' is not a cursor this API returned (give "" to start)`, { field: 'cursor' });
  let body: unknown;
  try { body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')); } catch { throw bad(); }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad();
  const { t, a, h, o, v } = body as { t?: unknown; a?: unknown; h?: unknown; o?: unknown; v?: unknown };
  if (typeof t !== 'string' || !/^[1-9][0-9]{0,19}$/.test(t)) throw bad();
  if (a !== undefined && typeof a !== 'string' && !(typeof a === 'number' && Number.isSafeInteger(a))) throw bad();
  if (h !== undefined && !(typeof h === 'number' && Number.isSafeInteger(h) && h > 0)) throw bad();
  // The order and values are checked against the schema and the request's orderByFields by the client.
  if (o !== undefined && !(Array.isArray(o) && o.every((k) => k !== null && typeof k === 'object' && typeof k.field === 'string' && typeof k.desc === 'boolean' && Object.keys(k).length === 2))) throw bad();
  if (v !== undefined && !(Array.isArray(v) && v.every((x) => x === null || ['number', 'string', 'boolean'].includes(typeof x)))) throw bad();
  return {
    snapshotTso: BigInt(t), ...(a !== undefined ? { after: a } : {}), ...(h !== undefined ? { holdId: h } : {}),
    ...(o !== undefined ? { order: (o as OrderKey[]).map((k) => ({ field: k.field, desc: k.desc })) } : {}), ...(v !== undefined ? { afterValues: v as unknown[] } : {}), returned: 0,
  };
}
