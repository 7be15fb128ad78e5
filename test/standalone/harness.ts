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

/** Deterministic vectors: a seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function vectors(n: number, dim: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => r() * 2 - 1));
}
