import { ValidationError } from '../../../messages/errors.js';

/**
 * Milvus 2.6.4's Tiered Storage knobs (milvus.yaml `queryNode.segcore.tieredStorage.*`),
 * under Milvus's names, plus nuthatch's `enabled` switch and `memoryBudgetBytes`.
 * Off by default: a query node then loads every segment whole, as before.
 */
export type Warmup = 'sync' | 'disable';

export interface TieredStorageConfig {
  /** nuthatch: lazy load and the cache on (Milvus has it on from 2.6.4; here it is asked for). */
  enabled: boolean;
  /** What a load fetches before the segment serves (`sync`) or leaves for the first read (`disable`). */
  warmup: { scalarField: Warmup; scalarIndex: Warmup; vectorField: Warmup; vectorIndex: Warmup };
  /** Evict least recently used data when the cache passes its high watermark (Milvus default false). */
  evictionEnabled: boolean;
  /** Also evict in the background (watermarks and `cacheTtl`); needs `evictionEnabled`. */
  backgroundEvictionEnabled: boolean;
  /** Eviction stops once the cache holds at most this share of the budget. */
  memoryLowWatermarkRatio: number;
  /** Eviction starts once the cache would hold more than this share of the budget. */
  memoryHighWatermarkRatio: number;
  /** Seconds a cached unit may go unused before the background sweep evicts it; 0: never. */
  cacheTtl: number;
  /** Share of the machine's memory the cache may fill, when `memoryBudgetBytes` is not given. */
  evictableMemoryCacheRatio: number;
  /** nuthatch: the cache's budget in bytes (overrides `evictableMemoryCacheRatio`). */
  memoryBudgetBytes?: number;
  /**
   * nuthatch: the disk tier (Milvus keeps cold data on the query node's local disk, under
   * `localStorage.path`): files fetched from object storage are kept in a local directory, so a
   * read after a memory eviction loads them from disk instead of object storage.
   */
  diskCacheEnabled: boolean;
  /** nuthatch: the disk tier's directory (default: `cache/tiered/<node>` under the node's data dir, else the temp dir). */
  diskCachePath?: string;
  /** nuthatch: the disk tier's budget in bytes (overrides `evictableDiskCacheRatio`). */
  diskCapacityBytes?: number;
  /** Share of the cache disk's capacity the disk tier may fill (never more than the disk had free at start). */
  evictableDiskCacheRatio: number;
  /** Disk eviction stops once the disk tier holds at most this share of its budget. */
  diskLowWatermarkRatio: number;
  /** Disk eviction starts once the disk tier would hold more than this share of its budget. */
  diskHighWatermarkRatio: number;
  /**
   * How long a read whose cold data cannot fit the memory budget (what in-flight reads hold leaves
   * no room) waits for room before it fails with CacheFull (Milvus's sync eviction timeout).
   */
  evictionTimeoutMs: number;
  /** nuthatch: the behaviour before the timeout: such a read is answered over budget, the cache shrinking after it. */
  allowOverBudgetReads: boolean;
}

export const TIERED_STORAGE_DEFAULTS: TieredStorageConfig = {
  enabled: false,
  warmup: { scalarField: 'sync', scalarIndex: 'sync', vectorField: 'disable', vectorIndex: 'sync' },
  evictionEnabled: false, backgroundEvictionEnabled: false,
  memoryLowWatermarkRatio: 0.75, memoryHighWatermarkRatio: 0.8, cacheTtl: 0, evictableMemoryCacheRatio: 0.3,
  diskCacheEnabled: false, evictableDiskCacheRatio: 0.3, diskLowWatermarkRatio: 0.75, diskHighWatermarkRatio: 0.8,
  evictionTimeoutMs: 10_000, allowOverBudgetReads: false,
};
/** Knobs with no default (absent: derived). */
const OPTIONAL_KEYS = ['memoryBudgetBytes', 'diskCachePath', 'diskCapacityBytes'];

/** What a caller may give: any knob, the warm-up kinds one by one. */
export type TieredStorageOptions = Partial<Omit<TieredStorageConfig, 'warmup'>> & { warmup?: Partial<TieredStorageConfig['warmup']> };

const WARMUP_KINDS = ['scalarField', 'scalarIndex', 'vectorField', 'vectorIndex'] as const;
const fail = (msg: string, field: string): never => { throw new ValidationError(`tieredStorage: ${msg}`, { field }); };

/** The full config from a partial one; an unknown knob or a value of the wrong type or range is a ValidationError. */
export function tieredStorageConfig(o: TieredStorageOptions = {}): TieredStorageConfig {
  for (const k of Object.keys(o)) if (!Object.hasOwn(TIERED_STORAGE_DEFAULTS, k) && !OPTIONAL_KEYS.includes(k)) fail(`unknown setting '${k}'`, k);
  for (const k of Object.keys(o.warmup ?? {})) if (!(WARMUP_KINDS as readonly string[]).includes(k)) fail(`unknown setting 'warmup.${k}'`, `warmup.${k}`);
  const c: TieredStorageConfig = { ...TIERED_STORAGE_DEFAULTS, ...o, warmup: { ...TIERED_STORAGE_DEFAULTS.warmup, ...o.warmup } };
  for (const k of ['enabled', 'evictionEnabled', 'backgroundEvictionEnabled', 'diskCacheEnabled', 'allowOverBudgetReads'] as const) if (typeof c[k] !== 'boolean') fail(`${k} must be true or false`, k);
  for (const k of WARMUP_KINDS) if (c.warmup[k] !== 'sync' && c.warmup[k] !== 'disable') fail(`warmup.${k} must be sync or disable, not ${String(c.warmup[k])}`, `warmup.${k}`);
  for (const k of ['memoryLowWatermarkRatio', 'memoryHighWatermarkRatio', 'diskLowWatermarkRatio', 'diskHighWatermarkRatio'] as const) if (typeof c[k] !== 'number' || !(c[k] > 0 && c[k] <= 1)) fail(`${k} must be a number in (0, 1], not ${String(c[k])}`, k);
  if (c.memoryLowWatermarkRatio > c.memoryHighWatermarkRatio) fail(`memoryLowWatermarkRatio (${c.memoryLowWatermarkRatio}) must not exceed memoryHighWatermarkRatio (${c.memoryHighWatermarkRatio})`, 'memoryLowWatermarkRatio');
  if (c.diskLowWatermarkRatio > c.diskHighWatermarkRatio) fail(`diskLowWatermarkRatio (${c.diskLowWatermarkRatio}) must not exceed diskHighWatermarkRatio (${c.diskHighWatermarkRatio})`, 'diskLowWatermarkRatio');
  for (const k of ['evictableMemoryCacheRatio', 'evictableDiskCacheRatio'] as const) if (typeof c[k] !== 'number' || !(c[k] >= 0 && c[k] <= 1)) fail(`${k} must be a number in [0, 1], not ${String(c[k])}`, k);
  if (!Number.isSafeInteger(c.evictionTimeoutMs) || c.evictionTimeoutMs < 0) fail(`evictionTimeoutMs must be a whole number of milliseconds >= 0, not ${String(c.evictionTimeoutMs)}`, 'evictionTimeoutMs');
  if (c.diskCapacityBytes !== undefined && (!Number.isSafeInteger(c.diskCapacityBytes) || c.diskCapacityBytes <= 0)) fail(`diskCapacityBytes must be a positive integer, not ${String(c.diskCapacityBytes)}`, 'diskCapacityBytes');
  if (c.diskCachePath !== undefined && (typeof c.diskCachePath !== 'string' || c.diskCachePath.trim() === '')) fail(`diskCachePath must be a directory path, not ${JSON.stringify(c.diskCachePath)}`, 'diskCachePath');
  if (!Number.isSafeInteger(c.cacheTtl) || c.cacheTtl < 0) fail(`cacheTtl must be a whole number of seconds >= 0, not ${String(c.cacheTtl)}`, 'cacheTtl');
  if (c.memoryBudgetBytes !== undefined && (!Number.isSafeInteger(c.memoryBudgetBytes) || c.memoryBudgetBytes <= 0)) fail(`memoryBudgetBytes must be a positive integer, not ${String(c.memoryBudgetBytes)}`, 'memoryBudgetBytes');
  // As in Milvus: background eviction rides on eviction, and the TTL on the background sweep.
  if (c.backgroundEvictionEnabled && !c.evictionEnabled) fail('backgroundEvictionEnabled needs evictionEnabled: true', 'backgroundEvictionEnabled');
  if (c.cacheTtl > 0 && !c.backgroundEvictionEnabled) fail('cacheTtl needs backgroundEvictionEnabled: true (the background sweep expires data)', 'cacheTtl');
  return c;
}

/**
 * `K=V[,K=V]` as the `--tiered-storage` flag gives it, under Milvus's names (an optional
 * `queryNode.segcore.tieredStorage.` prefix is dropped): `enabled=true,warmup.vectorIndex=disable,...`.
 */
export function parseTieredStorage(text: string): TieredStorageConfig {
  const o: Record<string, unknown> = {};
  const warmup: Record<string, unknown> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().replace(/^queryNode\.segcore\.tieredStorage\./, '');
    const raw = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key.startsWith('warmup.')) { warmup[key.slice(7)] = raw; continue; }
    const def = (TIERED_STORAGE_DEFAULTS as unknown as Record<string, unknown>)[key];
    if (key === 'diskCachePath') { o[key] = raw; continue; }
    o[key] = typeof def === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw)
      : raw === '' || !Number.isFinite(Number(raw)) ? raw : Number(raw);
  }
  return tieredStorageConfig({ ...o, ...(Object.keys(warmup).length > 0 ? { warmup } : {}) } as TieredStorageOptions);
}
