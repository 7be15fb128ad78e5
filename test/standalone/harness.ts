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
