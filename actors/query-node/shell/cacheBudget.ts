import { totalmem } from 'node:os';
import type { TieredStorageConfig } from '../core/tieredStorageConfig.js';

/**
 * The bytes a tiered-storage query node's cache may hold: `memoryBudgetBytes` when given,
 * else `evictableMemoryCacheRatio` of the machine's memory (as Milvus sizes its evictable cache).
 */
export function cacheBudget(c: TieredStorageConfig): number {
  return c.memoryBudgetBytes ?? Math.floor(totalmem() * c.evictableMemoryCacheRatio);
}
