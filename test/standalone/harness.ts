import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type Standalone, type StandaloneOptions } from '../../runtime/standalone/standalone.js';

/** A standalone nuthatch in this process on a fresh temp data dir. */
export async function tempStandalone(opts: Partial<StandaloneOptions> = {}): Promise<Standalone & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'nuthatch-sa-'));
  const quiet = process.env.NUTHATCH_TEST_LOG === '1' ? undefined : () => {};
  const s = await startStandalone({ dataDir, log: quiet, ...opts });
  return { ...s, dataDir, async cleanup() { await s.stop().catch(() => {}); await rm(dataDir, { recursive: true, force: true }); } };
}

import { mulberry32 as rng } from '../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { rng };

export function vectors(n: number, dim: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => r() * 2 - 1));
}

/** Waits until a collection's `rows` persisted rows are indexed (by every index) and every segment is served by a query node. */
export async function untilIndexedAndLoaded(s: Pick<Standalone, 'client'>, collection: string, rows: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const indexes = await s.client.describeIndex(collection);
    const built = indexes.length > 0 && indexes.every((idx) => idx.indexState === 'Finished' && idx.indexedRows === rows);
    if (built && (await s.client.getLoadState(collection)).loadProgress === 100) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${rows} rows of ${collection} indexed and loaded`);
}
