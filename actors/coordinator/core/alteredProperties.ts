import { PROPERTY_KEYS, WARMUP_PROPERTY_KEYS, type CollectionProperties } from '../../../messages/collectionProperties.js';
import { checkTtlProperties } from '../../../messages/entityTtl.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { AlterStep } from '../../../messages/pendingDdl.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';
import { checkIsolationChange, checkIsolationSchema } from '../../shared/partitionKey/keyIsolation.js';
import { refuseWarmupWhileLoaded } from './warmupRefusal.js';

type PropertyName = keyof CollectionProperties;
const NAMES = Object.values(PROPERTY_KEYS) as PropertyName[];

/** A property's value as the record keeps it: a switch off (false) or no TTL (0) is none (null). */
function stored(name: PropertyName, v: unknown): unknown {
  return v === undefined || v === false || (name === 'ttlSeconds' && v === 0) ? null : v;
}

/**
 * An alter of a collection's properties as a journaled step
 * (core/journaledDdl.ts), decided against the record as it is: every
 * property's value after it (`set` over the record, `drop` removed), checked
 * together; null when nothing changes. Only a changed TTL (seconds or field)
 * is a message to the shards: delegators, followers and replays apply it from
 * one TSO. The rest is read from the record alone (where rows enter and
 * leave, index builds, the admission snapshot, query nodes at load).
 */
export function decideAlter(rec: CollectionRecord, set: CollectionProperties, drop: readonly PropertyName[]): AlterStep | null {
  const warmups: readonly PropertyName[] = Object.values(WARMUP_PROPERTY_KEYS);
  if (warmups.some((k) => set[k] !== undefined || drop.includes(k))) refuseWarmupWhileLoaded(rec, 'can not alter warmup properties if collection loaded');
  const after = {} as AlterStep['properties'];
  for (const name of NAMES) (after as Record<string, unknown>)[name] = stored(name, drop.includes(name) ? undefined : set[name] ?? rec[name]);
  const ttlSeconds = after.ttlSeconds ?? 0;
  const ttlField = after.ttlField ?? undefined;
  checkTtlProperties(rec.schema, { ttlSeconds, ...(ttlField === undefined ? {} : { ttlField }) });
  if (ttlField !== undefined && rec.loaded && rec.loadFields && !rec.loadFields.includes(ttlField)) {
    throw new NuthatchError('FailedPrecondition', `ttl_field '${ttlField}' is not loaded (the collection was loaded with load_fields): release the collection before setting it`, { field: 'ttl_field' });
  }
  // Isolation changes how vector indexes are built and searches are checked: refused without a key, or while an index exists.
  const isolation = after.partitionKeyIsolation ?? false;
  checkIsolationSchema(rec.name, rec.schema, isolation);
  checkIsolationChange(rec.name, rec.indexes, rec.partitionKeyIsolation ?? false, isolation);
  if (NAMES.every((name) => after[name] === stored(name, rec[name]))) return null;
  const ttlChanged = ttlSeconds !== (rec.ttlSeconds ?? 0) || ttlField !== rec.ttlField;
  return { type: 'AlterCollection', body: ttlChanged ? { ttlSeconds, ...(ttlField === undefined ? {} : { ttlField }) } : null, properties: after };
}

/**
 * The record with an alter applied (each shard's TSO of it, when it was
 * broadcast). A ttl_field dropped or replaced is kept with those TSOs: what it
 * had expired stays hidden (messages/entityTtl.ts). Applying it again changes
 * nothing.
 */
export function applyAlter(rec: CollectionRecord, step: AlterStep, tsos: readonly Tso[]): CollectionRecord {
  const ttlField = step.properties.ttlField ?? undefined;
  if (step.body && rec.ttlField !== undefined && rec.ttlField !== ttlField) {
    rec.ttlFieldDropped = { field: rec.ttlField, tso: Object.fromEntries(rec.vchannels.map((v, i) => [v, tsos[i] ?? 0n])) };
  }
  for (const name of NAMES) {
    const v = step.properties[name];
    if (v === null || v === undefined) delete rec[name]; else (rec as unknown as Record<string, unknown>)[name] = v;
  }
  return rec;
}
