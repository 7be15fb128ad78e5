import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidationError } from '../../messages/errors.js';
import { parseTieredStorage, TIERED_STORAGE_DEFAULTS, tieredStorageConfig } from '../../actors/query-node/core/tieredStorageConfig.js';

/** Tiered storage's settings: Milvus's names and defaults, off unless asked; bad values are refused with the setting named. */
const refused = (f: () => unknown): string | undefined => { try { f(); return undefined; } catch (e) { return `${(e as ValidationError).code}:${(e as ValidationError).info.field}`; } };

test('off by default, with Milvus 2.6.4 defaults for the rest', () => {
  const c = tieredStorageConfig();
  assert.is(c.enabled, false);
  assert.equal(c.warmup, { scalarField: 'sync', scalarIndex: 'sync', vectorField: 'disable', vectorIndex: 'sync' });
  assert.is(c.evictionEnabled, false);
  assert.is(c.memoryLowWatermarkRatio, 0.75);
  assert.is(c.memoryHighWatermarkRatio, 0.8);
  assert.is(c.cacheTtl, 0);
  assert.equal(parseTieredStorage(''), c);
});

test('the flag form takes Milvus names, with or without the yaml prefix', () => {
  const c = parseTieredStorage('enabled=true, warmup.vectorIndex=disable,queryNode.segcore.tieredStorage.evictionEnabled=true,memoryBudgetBytes=1048576,backgroundEvictionEnabled=true,cacheTtl=60');
  assert.equal(c, { ...TIERED_STORAGE_DEFAULTS, enabled: true, warmup: { ...TIERED_STORAGE_DEFAULTS.warmup, vectorIndex: 'disable' }, evictionEnabled: true, backgroundEvictionEnabled: true, memoryBudgetBytes: 1_048_576, cacheTtl: 60 });
});

test('bad settings are refused, naming the setting', () => {
  assert.is(refused(() => parseTieredStorage('enable=true')), 'InvalidArgument:enable');
  assert.is(refused(() => parseTieredStorage('warmup.vector=sync')), 'InvalidArgument:warmup.vector');
  assert.is(refused(() => parseTieredStorage('warmup.scalarField=async')), 'InvalidArgument:warmup.scalarField');
  assert.is(refused(() => parseTieredStorage('enabled=yes')), 'InvalidArgument:enabled');
  assert.is(refused(() => parseTieredStorage('memoryHighWatermarkRatio=1.5')), 'InvalidArgument:memoryHighWatermarkRatio');
  assert.is(refused(() => parseTieredStorage('memoryLowWatermarkRatio=0.9')), 'InvalidArgument:memoryLowWatermarkRatio', 'low above high');
  assert.is(refused(() => parseTieredStorage('memoryBudgetBytes=0')), 'InvalidArgument:memoryBudgetBytes');
  assert.is(refused(() => parseTieredStorage('cacheTtl=-1')), 'InvalidArgument:cacheTtl');
  assert.is(refused(() => tieredStorageConfig({ backgroundEvictionEnabled: true })), 'InvalidArgument:backgroundEvictionEnabled', 'needs evictionEnabled');
  assert.is(refused(() => tieredStorageConfig({ evictionEnabled: true, cacheTtl: 10 })), 'InvalidArgument:cacheTtl', 'needs the background sweep');
  assert.is(refused(() => parseTieredStorage('diskHighWatermarkRatio=0')), 'InvalidArgument:diskHighWatermarkRatio');
  assert.is(refused(() => parseTieredStorage('diskLowWatermarkRatio=0.9')), 'InvalidArgument:diskLowWatermarkRatio', 'low above high');
  assert.is(refused(() => parseTieredStorage('evictableDiskCacheRatio=2')), 'InvalidArgument:evictableDiskCacheRatio');
  assert.is(refused(() => parseTieredStorage('diskCapacityBytes=-5')), 'InvalidArgument:diskCapacityBytes');
  assert.is(refused(() => parseTieredStorage('diskCacheEnabled=on')), 'InvalidArgument:diskCacheEnabled');
  assert.is(refused(() => parseTieredStorage('evictionTimeoutMs=1.5')), 'InvalidArgument:evictionTimeoutMs');
  assert.is(refused(() => parseTieredStorage('allowOverBudgetReads=1')), 'InvalidArgument:allowOverBudgetReads');
});

test('the disk tier and the over-budget read take Milvus-like names', () => {
  const c = parseTieredStorage('enabled=true,diskCacheEnabled=true,diskCachePath=/var/cache/nh,diskCapacityBytes=1000000,diskLowWatermarkRatio=0.5,diskHighWatermarkRatio=0.9,evictionTimeoutMs=250,allowOverBudgetReads=true');
  assert.equal(c, { ...TIERED_STORAGE_DEFAULTS, enabled: true, diskCacheEnabled: true, diskCachePath: '/var/cache/nh', diskCapacityBytes: 1_000_000, diskLowWatermarkRatio: 0.5, diskHighWatermarkRatio: 0.9, evictionTimeoutMs: 250, allowOverBudgetReads: true });
  assert.is(TIERED_STORAGE_DEFAULTS.evictableDiskCacheRatio, 0.3);
  assert.is(TIERED_STORAGE_DEFAULTS.allowOverBudgetReads, false, 'a read that cannot fit waits, then fails');
});

test.run();
