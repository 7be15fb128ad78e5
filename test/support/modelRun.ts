import type { NuthatchApi } from '../../runtime/client/api.js';
import { mulberry32 as rng } from '../../bench/support/dataset.js';
import { check } from './model/check.js';
import { ALIAS, aliasSwap, compact, createModelCollection, flush, recreatePartition, releaseAndLoad, rename, truncate } from './model/ddl.js';
import { restoreAndCheck, take, type Taken } from './model/restores.js';
import type { ModelStats, RunState } from './model/rows.js';
import { deleteByExtra, deleteByFilter, deleteIds, insert, partialUpsert, upsert } from './model/writes.js';

export type { ModelStats } from './model/rows.js';

/**
 * Model check: a seeded random run of writes (insert, upsert, partial upsert,
 * delete by ids, by filter and by a filter on a field added halfway, in two
 * partitions) mixed with flushes, compactions, release/load, truncates,
 * renames, alias swaps, a partition dropped and made again, faults, and a
 * snapshot and a backup each restored later, against a plain Map that says
 * what every read must answer. After every few steps, Strong reads (count,
 * filtered queries, get, exact search; through the alias half the time) are
 * compared with the model; a restored copy is compared with the model as it
 * was when the copy was taken. Whatever path a row took (growing, sealed,
 * compacted, its deletes trimmed from the log, recovered from the WAL, moved
 * to another node), the answers must be the model's.
 */

/** What a model run drives: a client, and a fault the system must come through (a restart, a killed node). */
export interface ModelTarget {
  client: NuthatchApi;
  /** Restarts or crashes part of the system (`collection`: the run's, e.g. to flush it as the fault hits); returns the client to go on with. */
  fault(r: () => number, collection: string): Promise<NuthatchApi>;
  /** Undoes what the run set up (the collection is the run's own). */
  close(): Promise<void>;
}

export interface ModelRunOptions {
  /** Share of steps that are a fault (default 0.03). */
  faultRate?: number;
  /** Take a snapshot and a backup and restore each later (default true). */
  restores?: boolean;
}

type Step = [weight: number, run: (s: RunState) => Promise<void>];
const STEPS: Step[] = [
  [0.28, insert], [0.12, upsert], [0.1, partialUpsert], [0.1, deleteIds], [0.05, deleteByFilter], [0.04, deleteByExtra],
  [0.09, flush], [0.05, compact], [0.025, releaseAndLoad], [0.015, rename], [0.015, aliasSwap], [0.01, recreatePartition],
];
const TRUNCATE_RATE = 0.01;

/** MODEL_TRACE=1: each step's kind and the model rows it added, changed and removed (to follow a row a check found wrong). */
const TRACE = Boolean(process.env.MODEL_TRACE);
let last = Date.now();
function trace(step: number, what: string, before: Map<number, unknown>, after: Map<number, unknown>): void {
  const added = [...after.keys()].filter((id) => !before.has(id)), removed = [...before.keys()].filter((id) => !after.has(id));
  const changed = [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id));
  console.log(`${new Date().toISOString()} step ${step} ${what} (${Date.now() - last} ms): +[${added}] ~[${changed}] -[${removed}]`);
  last = Date.now();
}

/** One seeded run on `t`: `steps` random steps, reads checked every `checkEvery` and at the end. */
export async function runModel(t: ModelTarget, seed: number, steps: number, checkEvery: number, o: ModelRunOptions = {}): Promise<ModelStats> {
  const faultRate = o.faultRate ?? 0.03;
  let client = t.client;
  const s: RunState = {
    get client() { return client; },
    r: rng(seed), name: 'model', model: new Map(), nextId: 0, extraAdded: false, where: `seed ${seed}`,
    stats: { faults: 0, flushes: 0, compactions: 0, truncates: 0, renames: 0, aliasSwaps: 0, partitionDrops: 0, restores: 0 },
  };
  const at = (share: number) => Math.max(1, Math.ceil(steps * share));
  const taken: Partial<Record<Taken['kind'], Taken>> = {};
  try {
    await createModelCollection(s);
    for (let step = 1; step <= steps; step++) {
      s.where = `seed ${seed} step ${step}`;
      if (step === at(0.5)) {
        await client.addCollectionField(s.name, { name: 'extra', dataType: 'Int64', nullable: true });
        s.extraAdded = true;
      }
      if (o.restores !== false) {
        if (step === at(0.2)) { taken.snapshot = await take(s, 'snapshot'); if (TRACE) console.log(`step ${step} snapshot taken`); }
        if (step === at(0.3)) taken.backup = await take(s, 'backup');
        if (step === at(0.7) && taken.snapshot) await restoreAndCheck(s, taken.snapshot);
        if (step === at(0.85) && taken.backup) await restoreAndCheck(s, taken.backup);
      }
      let roll = s.r();
      const chosen = STEPS.find(([w]) => (roll -= w) < 0);
      const before = TRACE ? new Map(s.model) : undefined;
      if (chosen) await chosen[1](s);
      else if (roll < faultRate) {
        client = await t.fault(s.r, s.name);
        s.stats.faults++;
      } else if (roll < faultRate + TRUNCATE_RATE) await truncate(s);
      if (before) trace(step, chosen?.[1].name ?? 'fault/truncate/none', before, s.model);
      if (step % checkEvery === 0 || step === steps) await check(client, s.r() < 0.5 ? ALIAS : s.name, s.model, s.r, s.where, s.extraAdded);
    }
    return s.stats;
  } finally {
    await t.close();
  }
}
