import { ValidationError } from './errors.js';

/**
 * What the coordinator tells streaming nodes about admitting each collection's
 * requests (Milvus's QuotaCenter, which sets the proxies' limiters): its
 * database's force-deny switches, whether a disk quota is exceeded, and its
 * rate limits (collection properties, else the cluster's defaults). The
 * coordinator publishes the whole snapshot on `EVENTS.admission` whenever an
 * input changes and every few seconds; a node also asks for it at start. A
 * node keeps the newest by `(epoch, seq)`: `epoch` is a TSO drawn when the
 * coordinator took the lead, so a new leader's snapshots win over an old one's.
 */
export interface AdmissionSnapshot {
  epoch: bigint;
  seq: number;
  /** By collection id; a collection absent here is admitted without limits. */
  collections: Record<string, CollectionAdmission>;
}

export interface CollectionAdmission {
  /** Shards of the collection: a write rate is split evenly over them (each shard's owner enforces its part). */
  shards: number;
  denyWriting?: boolean;
  denyReading?: boolean;
  /** Set while stored bytes are over a quota: why (which quota, how many MB), for the QuotaExceeded error. */
  quotaExceeded?: string;
  rates?: AdmissionRates;
}

/** Per second over the whole collection; absent: unlimited. */
export interface AdmissionRates { insertMb?: number; upsertMb?: number; deleteMb?: number; searchVps?: number; queryQps?: number }

/** The kinds of request a rate applies to. */
export type RateKind = keyof AdmissionRates;

/** True when `a` was issued after `b`. */
export function isNewer(a: Pick<AdmissionSnapshot, 'epoch' | 'seq'>, b: Pick<AdmissionSnapshot, 'epoch' | 'seq'> | undefined): boolean {
  return b === undefined || a.epoch > b.epoch || (a.epoch === b.epoch && a.seq > b.seq);
}

/**
 * The cluster's defaults (a node's configuration), by Milvus's quotaAndLimits
 * names without the `quotaAndLimits.` prefix. Rates are per collection, as
 * Milvus's `dml.insertRate.collection.max`; a collection property overrides them.
 */
export interface QuotaDefaults {
  insertMb?: number;
  upsertMb?: number;
  deleteMb?: number;
  searchVps?: number;
  queryQps?: number;
  /** Stored MB of the whole cluster past which every write is refused. */
  diskQuotaMb?: number;
  /** Stored MB of one collection (a collection or database property overrides it). */
  diskQuotaPerCollectionMb?: number;
  /**
   * A streaming node refuses inserts and upserts while its process's resident
   * memory is at or over this fraction of the machine's (0 < level <= 1; Milvus's
   * memProtection high water level, checked by the node itself, which holds the growing data).
   */
  memoryHighWaterLevel?: number;
}

export const QUOTA_CONFIG_KEYS = {
  'dml.insertRate.collection.max': 'insertMb',
  'dml.upsertRate.collection.max': 'upsertMb',
  'dml.deleteRate.collection.max': 'deleteMb',
  'dql.searchRate.collection.max': 'searchVps',
  'dql.queryRate.collection.max': 'queryQps',
  'limitWriting.diskProtection.diskQuota': 'diskQuotaMb',
  'limitWriting.diskProtection.diskQuotaPerCollection': 'diskQuotaPerCollectionMb',
  'limitWriting.memProtection.dataNodeMemoryHighWaterLevel': 'memoryHighWaterLevel',
} as const satisfies Record<string, keyof QuotaDefaults>;

/**
 * Parses `key=value,key=value` (the `--quota` flag, NUTHATCH_QUOTA): keys as
 * QUOTA_CONFIG_KEYS, with or without `quotaAndLimits.`; values numbers >= 0.
 */
export function parseQuotaDefaults(text: string): QuotaDefaults {
  const out: QuotaDefaults = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().replace(/^quotaAndLimits\./, '');
    const raw = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!Object.hasOwn(QUOTA_CONFIG_KEYS, key)) throw new ValidationError(`unknown quota setting '${key}' (nuthatch knows ${Object.keys(QUOTA_CONFIG_KEYS).join(', ')})`, { field: key });
    const n = Number(raw);
    const name = QUOTA_CONFIG_KEYS[key as keyof typeof QUOTA_CONFIG_KEYS];
    if (raw === '' || !Number.isFinite(n) || n < 0) throw new ValidationError(`quota setting '${key}' must be a number >= 0, got '${raw}'`, { field: key });
    if (name === 'memoryHighWaterLevel' && !(n > 0 && n <= 1)) throw new ValidationError(`quota setting '${key}' must be a fraction in (0, 1], got '${raw}'`, { field: key });
    out[name] = n;
  }
  return out;
}
