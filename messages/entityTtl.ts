import { ValidationError } from './errors.js';
import type { CollectionSchema } from './schema.js';
import { physicalMs, type Tso } from './types.js';

/**
 * Entity-level TTL (Milvus's `ttl_field` collection property): one Timestamptz
 * field holds each entity's absolute expiry time. An entity whose value is at
 * or before a read's time (its TSO's physical part) is not read, and
 * compaction removes it later; NULL never expires. Upserting the entity with
 * NULL or a later time brings it back (the new row has the new value).
 *
 * Dropping the property (or naming another field) does not bring back what
 * had expired: rows written before that change whose value was at or before
 * its time stay hidden — the "residual" rule below. Only the last dropped
 * field is remembered so.
 *
 * Pure: times come from TSOs the shells hand in.
 */

/**
 * One rule hiding rows by a Timestamptz field, as a read or a compaction
 * applies it: a row whose `field` value (µs since the epoch; a stored null
 * reads as `nullAs`, the field's default, when it has one) is at or before
 * `atUs` has expired; with `writtenBefore`, only rows written below that TSO
 * (a dropped ttl_field's residual).
 */
export interface FieldExpiry {
  field: string;
  atUs: number;
  writtenBefore?: Tso;
  nullAs?: number;
}

/** What a collection (record or vchannel context) says of its entity TTL. */
export interface EntityTtlState {
  /** The `ttl_field` property: the Timestamptz field of each entity's expiry. */
  ttlField?: string;
  /** The ttl_field last dropped (or replaced), and the TSO of that change on this shard. */
  droppedTtlField?: string;
  droppedTtlFieldTso?: Tso;
}

/** µs of a TSO's physical part: the "now" of a read at that TSO. */
export function tsoMicros(t: Tso): number {
  return physicalMs(t) * 1000;
}

/**
 * The rules a read (or a compaction) at `readTso` applies, or undefined when
 * none: the active ttl_field's as of the read, and the dropped one's residual
 * (fixed at its drop time, or at the read's when the read is older).
 */
export function fieldExpiriesAt(state: EntityTtlState, readTso: Tso, defaults?: ReadonlyMap<string, unknown>): FieldExpiry[] | undefined {
  const nowUs = tsoMicros(readTso);
  const out: FieldExpiry[] = [];
  const nullAs = (field: string) => {
    const d = defaults?.get(field);
    return typeof d === 'number' ? { nullAs: d } : {};
  };
  if (state.ttlField) out.push({ field: state.ttlField, atUs: nowUs, ...nullAs(state.ttlField) });
  if (state.droppedTtlField && state.droppedTtlFieldTso !== undefined) {
    const at = Math.min(nowUs, tsoMicros(state.droppedTtlFieldTso));
    out.push({ field: state.droppedTtlField, atUs: at, writtenBefore: state.droppedTtlFieldTso, ...nullAs(state.droppedTtlField) });
  }
  return out.length > 0 ? out : undefined;
}

/** Whether a stored value has expired at `atUs`: NULL (with no default) never does. */
export function valueExpired(v: unknown, atUs: number, nullAs?: number): boolean {
  const t = v === null || v === undefined ? nullAs : v;
  return typeof t === 'number' && t <= atUs;
}

/**
 * Checks a collection's TTL properties against its schema, as they will be
 * once a create or alter applies: `ttl_field` names a Timestamptz field, and
 * `collection.ttl.seconds` and `ttl_field` are not both set (Milvus's two TTL
 * modes are mutually exclusive). Throws a ValidationError; writes nothing.
 */
export function checkTtlProperties(schema: CollectionSchema, p: { ttlSeconds?: number; ttlField?: string }): void {
  if (p.ttlField === undefined) return;
  if (p.ttlSeconds) {
    throw new ValidationError(`collection.ttl.seconds and ttl_field are mutually exclusive: drop collection.ttl.seconds before setting ttl_field (or the other way round)`, { field: 'ttl_field' });
  }
  const f = schema.fields.find((x) => x.name === p.ttlField);
  if (!f) throw new ValidationError(`ttl_field '${p.ttlField}' is not a field of the collection`, { field: 'ttl_field' });
  if (f.dataType !== 'Timestamptz') throw new ValidationError(`ttl_field '${p.ttlField}' is ${f.dataType}: the TTL field must be Timestamptz`, { field: 'ttl_field' });
}
