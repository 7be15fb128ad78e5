/**
 * What the client adds to reads with `orderByFields` (messages/orderBy.ts):
 * the fields an order needs read beside those asked for, dropped again before
 * rows are shown, and a search's page of hits reordered.
 */
import { orderComparator, type OrderKey } from '../../messages/orderBy.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { parseTimestamptz } from '../../messages/timestamptz.js';
import type { Hit } from './api.js';

/** The fields of an order not among `fields` (unless `fields` holds '*', which reads them all) nor `shown` (always shown, as a hit's primary key). */
export function orderFieldsToAdd(order: readonly OrderKey[], fields: readonly string[], shown: readonly string[] = []): string[] {
  return fields.includes('*') ? [] : order.map((k) => k.field).filter((f) => !fields.includes(f) && !shown.includes(f));
}

/** A row's fields without `names`. */
export function withoutFields<T extends Record<string, unknown>>(fields: T, names: readonly string[]): T {
  const out = { ...fields };
  for (const n of names) delete out[n];
  return out;
}

/**
 * One query's hits in the order (the node SDK's search with order_by_fields
 * sorts the top-k hits by the field). Hits equal on every key keep their
 * ranking: the sort is stable and breaks no tie by key. Timestamptz values
 * are shown as text by now: read back as instants to compare.
 */
export function orderHits(hits: readonly Hit[], order: readonly OrderKey[], schema: CollectionSchema): Hit[] {
  const cmp = orderComparator(order);
  const instant = new Set(schema.fields.filter((f) => f.dataType === 'Timestamptz').map((f) => f.name));
  const valueOf = (h: Hit, field: string) => {
    const v = h.fields[field] ?? null;
    if (!instant.has(field) || typeof v !== 'string') return v;
    const t = parseTimestamptz(v);
    return typeof t === 'number' ? t : v;
  };
  const keyed = hits.map((h, rank) => ({ h, rank, pk: 0, values: order.map((k) => valueOf(h, k.field)) }));
  // pk 0 for all: the comparator's last tie-break (by key) does not apply; the rank does.
  return keyed.sort((a, b) => cmp(a, b) || a.rank - b.rank).map((x) => x.h);
}
