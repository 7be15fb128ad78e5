import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type Standalone, type StandaloneOptions } from '../../runtime/standalone/standalone.js';
import { runModel } from '../support/modelRun.js';

/** The model check (test/support/modelRun.ts) on a standalone system; its fault is a restart on the same data dir. */
async function standaloneTarget(opts: Partial<StandaloneOptions> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-model-'));
  const boot = () => startStandalone({ ...opts, dataDir, log: () => {} });
  let s: Standalone = await boot();
  return {
    client: s.client,
    async fault() { await s.stop(); s = await boot(); return s.client; },
    async close() { await s.stop().catch(() => {}); await rm(dataDir, { recursive: true, force: true }); },
  };
}

for (const seed of (process.env.MODEL_SEEDS ? Array.from({ length: Number(process.env.MODEL_SEEDS) }, (_, i) => 100 + i) : [1, 2, 3, 4])) {
  test(`model check, seed ${seed}: every Strong read agrees with the model through flushes, compactions, reloads and restarts`, async () => {
    const stats = await runModel(await standaloneTarget(), seed, Number(process.env.MODEL_STEPS ?? 120), 6);
    console.log(`seed ${seed}: ${JSON.stringify(stats)}`);
    // The run must have taken the paths it is meant to check.
    assert.ok(stats.flushes > 0 && stats.compactions > 0, `seed ${seed} took flushes and compactions: ${JSON.stringify(stats)}`);
  });
}

/**
 * Tiered storage with nothing warmed and a budget of a few KB: every read fetches, and evicts what the last one held
 * (every read is over such a budget: answered over it, rather than failed with CacheFull).
 */
const TIERED: Partial<StandaloneOptions> = {
  tieredStorage: {
    enabled: true, evictionEnabled: true, memoryBudgetBytes: 4_000, allowOverBudgetReads: true,
    warmup: { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' },
  },
};

test('model check with tiered storage (lazy loads, a budget that evicts): every Strong read agrees with the model', async () => {
  const stats = await runModel(await standaloneTarget(TIERED), 5, Number(process.env.MODEL_STEPS ?? 120), 6);
  console.log(`tiered, seed 5: ${JSON.stringify(stats)}`);
  assert.ok(stats.flushes > 0 && stats.compactions > 0, `took flushes and compactions: ${JSON.stringify(stats)}`);
});

test.run();
