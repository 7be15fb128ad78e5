import { ValidationError } from './errors.js';
import { isTimeZone } from './timestamptz.js';

/**
 * A collection's properties, as Milvus names them on the wire
 * (`collection.ttl.seconds`) and as nuthatch keeps them. Only what nuthatch
 * acts on is accepted: a property it would store and ignore (mmap.enabled,
 * ...) is refused, so no client believes a setting took effect.
 */
export interface CollectionProperties extends QuotaProperties, WarmupProperties {
  /** Rows older than this (by insert time) are expired: never read, and removed by compaction. 0: never. */
  ttlSeconds?: number;
  /** `ttl_field`: the Timestamptz field holding each entity's expiry time (messages/entityTtl.ts); not with ttlSeconds. */
  ttlField?: string;
  /** The IANA zone of Timestamptz text without an offset, and of Timestamptz output (messages/timestamptzFields.ts). */
  timezone?: string;
  /** An autoID collection also takes keys its rows give (rows without one get a generated key), as a migration or a restore needs. */
  allowInsertAutoId?: boolean;
  /**
   * Milvus's partition key isolation (`partitionkey.isolation`): each sealed
   * segment's vector index is built per partition key value, and every search
   * must pin the key to one value (actors/shared/partitionKey/keyIsolation.ts).
   * Only with a partition key field; changed only while no vector index exists.
   */
  partitionKeyIsolation?: boolean;
}

/**
 * Milvus 2.6.11's collection-level warm-up (`warmup.scalarField`, ...): what a tiered-storage
 * query node fetches at load for this collection, over its node-wide `warmup.*` settings
 * (actors/query-node/core/warmupPolicy.ts). Takes effect at the next load of a segment.
 */
export interface WarmupProperties {
  warmupScalarField?: Warmup;
  warmupScalarIndex?: Warmup;
  warmupVectorField?: Warmup;
  warmupVectorIndex?: Warmup;
}

/** A warm-up setting: fetched before a segment serves, or by the first read that needs it. */
export type Warmup = 'sync' | 'disable';

/** Milvus's collection-level warm-up property keys. */
export const WARMUP_PROPERTY_KEYS = {
  'warmup.scalarField': 'warmupScalarField',
  'warmup.scalarIndex': 'warmupScalarIndex',
  'warmup.vectorField': 'warmupVectorField',
  'warmup.vectorIndex': 'warmupVectorIndex',
} as const satisfies Record<string, keyof CollectionProperties>;
const WARMUP_NAMES: ReadonlyMap<string, string> = new Map(Object.entries(WARMUP_PROPERTY_KEYS).map(([k, n]) => [n, k]));

/** A warm-up value (Milvus's `sync` or `disable`), else a ValidationError naming `key`. */
export function warmupValue(v: unknown, key: string): Warmup {
  if (v === 'sync' || v === 'disable') return v;
  throw new ValidationError(`${key} must be sync or disable, got ${JSON.stringify(v)}`, { field: key });
}

/**
 * A collection's rate limits and disk quota (Milvus's quotaAndLimits, per
 * collection): enforced by the streaming node that owns each shard
 * (messages/admission.ts). Rates are per second over the whole collection; 0
 * refuses every such request, as Milvus's 0 does.
 */
export interface QuotaProperties {
  /** Insert MB/s (`collection.insertRate.max.mb`). */
  insertRateMaxMb?: number;
  /** Upsert MB/s (`collection.upsertRate.max.mb`). */
  upsertRateMaxMb?: number;
  /** Delete MB/s (`collection.deleteRate.max.mb`). */
  deleteRateMaxMb?: number;
  /** Search query vectors a second (`collection.searchRate.max.vps`). */
  searchRateMaxVps?: number;
  /** Query requests a second (`collection.queryRate.max.qps`). */
  queryRateMaxQps?: number;
  /** Stored MB past which writes are refused (`collection.diskProtection.diskQuota.mb`). */
  diskQuotaMb?: number;
}

export const QUOTA_PROPERTY_KEYS = {
  'collection.insertRate.max.mb': 'insertRateMaxMb',
  'collection.upsertRate.max.mb': 'upsertRateMaxMb',
  'collection.deleteRate.max.mb': 'deleteRateMaxMb',
  'collection.searchRate.max.vps': 'searchRateMaxVps',
  'collection.queryRate.max.qps': 'queryRateMaxQps',
  'collection.diskProtection.diskQuota.mb': 'diskQuotaMb',
} as const satisfies Record<string, keyof QuotaProperties>;

type QuotaName = (typeof QUOTA_PROPERTY_KEYS)[keyof typeof QUOTA_PROPERTY_KEYS];
const QUOTA_NAMES: ReadonlyMap<string, string> = new Map(Object.entries(QUOTA_PROPERTY_KEYS).map(([k, n]) => [n, k]));

export const PROPERTY_KEYS = { 'collection.ttl.seconds': 'ttlSeconds', ttl_field: 'ttlField', timezone: 'timezone', allow_insert_auto_id: 'allowInsertAutoId', 'partitionkey.isolation': 'partitionKeyIsolation', ...QUOTA_PROPERTY_KEYS, ...WARMUP_PROPERTY_KEYS } as const satisfies Record<string, keyof CollectionProperties>;
export type PropertyKey = keyof typeof PROPERTY_KEYS;

/** Most seconds a TTL may be (100 years): more would overflow a TSO's physical part. */
export const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;

const known = (k: string): k is PropertyKey => Object.hasOwn(PROPERTY_KEYS, k);

function unknownKey(k: string): ValidationError {
  return new ValidationError(`unknown collection property '${k}' (nuthatch supports ${Object.keys(PROPERTY_KEYS).join(', ')})`, { field: k });
}

/** Properties by Milvus's names (values may be numeric strings, as Milvus clients send them), checked. */
export function parseProperties(input: Record<string, unknown>): CollectionProperties {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(input)) {
    if (!known(k)) throw unknownKey(k);
    const name = PROPERTY_KEYS[k];
    const numeric = name === 'ttlSeconds' || QUOTA_NAMES.has(name);
    // A number-looking string becomes the number; anything else stays as sent, for checkProperties to refuse.
    out[name] = numeric && typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return checkProperties(out);
}

/** Properties by nuthatch's names (as the typed client and the coordinator's RPC carry them), checked. */
export function checkProperties(p: object): CollectionProperties {
  const out: CollectionProperties = {};
  for (const [name, v] of Object.entries(p)) {
    if (name === 'allowInsertAutoId') {
      out.allowInsertAutoId = booleanProperty(v, 'allow_insert_auto_id');
      continue;
    }
    if (name === 'ttlField') {
      // Whether it names a Timestamptz field, and not with collection.ttl.seconds: checkTtlProperties, which knows the schema.
      if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`ttl_field must name a Timestamptz field, got ${JSON.stringify(v)}`, { field: 'ttl_field' });
      out.ttlField = v;
      continue;
    }
    if (name === 'partitionKeyIsolation') {
      out.partitionKeyIsolation = booleanProperty(v, 'partitionkey.isolation');
      continue;
    }
    if (name === 'timezone') {
      if (!isTimeZone(v)) throw new ValidationError(`timezone must be an IANA time zone (such as 'Asia/Shanghai', 'America/Chicago' or 'UTC'), got ${JSON.stringify(v)}`, { field: 'timezone' });
      out.timezone = v;
      continue;
    }
    if (WARMUP_NAMES.has(name)) {
      out[name as keyof WarmupProperties] = warmupValue(v, WARMUP_NAMES.get(name)!);
      continue;
    }
    if (QUOTA_NAMES.has(name)) {
      const key = QUOTA_NAMES.get(name)!;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValidationError(`${key} must be a number >= 0, got ${JSON.stringify(v)}`, { field: key });
      out[name as QuotaName] = v;
      continue;
    }
    if (name !== 'ttlSeconds') throw unknownKey(name);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TTL_SECONDS) {
      throw new ValidationError(`collection.ttl.seconds must be a whole number of seconds in 0..${MAX_TTL_SECONDS}, got ${JSON.stringify(v)}`, { field: 'collection.ttl.seconds' });
    }
    out.ttlSeconds = v;
  }
  return out;
}

/** The names of properties to drop, checked. */
export function propertyNames(keys: readonly unknown[]): Array<keyof CollectionProperties> {
  return keys.map((k) => {
    if (typeof k !== 'string' || !known(k)) throw unknownKey(String(k));
    return PROPERTY_KEYS[k];
  });
}

/** The set properties as Milvus lists them in a description: `[{key, value}]`, values as strings. */
export function propertyList(p: CollectionProperties): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const [key, name] of Object.entries(PROPERTY_KEYS)) {
    const v = p[name];
    // A TTL of 0 is no TTL; a rate or quota of 0 is a limit (everything refused), so it is listed.
    // false is allow_insert_auto_id's and partitionkey.isolation's default: not listed.
    if (v !== undefined && v !== false && (v !== 0 || QUOTA_NAMES.has(name))) out.push({ key, value: String(v) });
  }
  return out;
}

/** A boolean property: true or false, or Milvus's strings "true" and "false" (any case). */
function booleanProperty(v: unknown, key: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw new ValidationError(`${key} must be true or false, got ${JSON.stringify(v)}`, { field: key });
}
