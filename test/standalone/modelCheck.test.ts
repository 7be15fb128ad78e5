import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type Standalone, type StandaloneOptions } from '../../runtime/standalone/standalone.js';
import { runModel, type ModelTarget } from '../support/modelRun.js';

/**
 * Compaction applies deletes at once (no grace) and a delete log of 16 entries
 * gets the segments holding it back examined, so the run's deletes are trimmed
 * from the log and only the rewritten files keep them hidden; a round every 2 s
 * races the run's own steps.
 */
const TRIMMING: Partial<StandaloneOptions> = process.env.MODEL_NO_TRIM ? {} : { coordinator: { compaction: { intervalMs: 2000, graceMs: 0, trimAfterEntries: 16 } } };

/** MODEL_LOG=path appends the system's log there (what the nodes said around a failure); otherwise it is dropped. */
const LOG_PATH = process.env.MODEL_LOG;
const LOG = LOG_PATH ? (...a: unknown[]) => appendFileSync(LOG_PATH, `${new Date().toISOString()} ${a.map((x) => (x instanceof Error ? x.stack : String(x))).join(' ')}\n`) : () => {};

/**
 * The model check (test/support/modelRun.ts) on a standalone system. Its fault
 * is a restart on the same data dir: a clean one, or one while a flush or a
 * compaction of the run's collection is under way.
 */
async function standaloneTarget(opts: Partial<StandaloneOptions> = {}): Promise<ModelTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-model-'));
  const boot = () => startStandalone({ ...TRIMMING, ...opts, dataDir, log: LOG });
  let s: Standalone = await boot();
  return {
    client: s.client,
    async fault(r, collection) {
      const roll = r();
      // Cut short mid-way: the call fails or ends; either way the restart must keep every acknowledged write.
      if (roll < 0.33) void s.client.flush(collection).catch(() => {});
      else if (roll < 0.66) void s.client.compact(collection).catch(() => {});
      await new Promise((res) => setTimeout(res, Math.floor(r() * 50)));
      const t0 = Date.now();
      await s.stop();
      s = await boot();
      if (process.env.MODEL_TRACE) console.log(`restart ${Date.now() - t0} ms`);
      return s.client;
    },
    async close() { const t0 = Date.now(); await s.stop().catch(() => {}); if (process.env.MODEL_KEEP) LOG(`data dir kept: ${dataDir}`); else await rm(dataDir, { recursive: true, force: true }); if (process.env.MODEL_TRACE) console.log(`close ${Date.now() - t0} ms`); },
  };
}

/**
 * MODEL_SEEDS=N runs seeds MODEL_SEED_BASE (default 100) .. +N-1 instead of the fixed 1-4 (a sweep of new seeds);
 * MODEL_REPEAT=K runs each K times (a failure that hangs on timing).
 */
const SEED_BASE = Number(process.env.MODEL_SEED_BASE ?? 100);
const SWEEP = process.env.MODEL_SEEDS ? Array.from({ length: Number(process.env.MODEL_SEEDS) }, (_, i) => SEED_BASE + i) : [1, 2, 3, 4];
const SEEDS = SWEEP.flatMap((seed) => Array.from({ length: Number(process.env.MODEL_REPEAT ?? 1) }, () => seed));

for (const [run, seed] of SEEDS.entries()) {
  test(`model check, seed ${seed}${SEEDS.length > SWEEP.length ? ` (run ${run + 1})` : ''}: every Strong read agrees with the model through flushes, compactions, trims, DDL, restores and restarts`, async () => {
    if (LOG_PATH) LOG(`--- seed ${seed}, run ${run + 1}`);
    const stats = await runModel(await standaloneTarget(), seed, Number(process.env.MODEL_STEPS ?? 120), 6);
    console.log(`seed ${seed}: ${JSON.stringify(stats)}`);
    // The run must have taken the paths it is meant to check.
    assert.ok(stats.flushes > 0 && stats.compactions > 0 && stats.restores === 2, `seed ${seed} took flushes, compactions and both restores: ${JSON.stringify(stats)}`);
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

// MODEL_NO_TIERED=1 leaves this run out (a sweep of seeds above).
if (!process.env.MODEL_NO_TIERED) test('model check with tiered storage (lazy loads, a budget that evicts): every Strong read agrees with the model', async () => {
  const stats = await runModel(await standaloneTarget(TIERED), 5, Number(process.env.MODEL_STEPS ?? 120), 6);
  console.log(`tiered, seed 5: ${JSON.stringify(stats)}`);
  assert.ok(stats.flushes > 0 && stats.compactions > 0, `took flushes and compactions: ${JSON.stringify(stats)}`);
});

test.run();
