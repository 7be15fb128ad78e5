import * as assert from 'uvu/assert';
import type { NuthatchApi } from '../../runtime/client/api.js';
import { mulberry32 as rng } from '../../bench/support/dataset.js';
import { until } from './until.js';

/**
 * Model check: a seeded random run of writes (insert, upsert, partial upsert,
 * delete by ids and by filter, in two partitions) mixed with flushes,
 * compactions, release/load, truncates, a field added halfway and faults,
 * against a plain Map that says what every read must answer. After every few
 * steps, Strong reads (count, filtered queries, get, exact search) are compared
 * with the model. Whatever path a row took (growing, sealed, compacted,
 * recovered from the WAL, moved to another node), the answers must be the model's.
 */
const DIM = 4;
const C = 'model';
/** `extra` is a field the run adds halfway (absent before it: rows written earlier read null). */
type Row = { id: number; part: string; cat: number; tag: string | null; score: number; vec: number[]; extra?: number | null };
const PARTS = ['_default', 'p1'];
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'cat', dataType: 'Int64' as const },
    { name: 'tag', dataType: 'VarChar' as const, maxLength: 16, nullable: true },
    { name: 'score', dataType: 'Float' as const },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};

const f32 = (x: number) => Math.fround(x);
/** A row as written: its partition is where it is written, not a field. */
const stored = ({ part: _part, ...row }: Row) => row;
const l2 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (f32(x) - f32(b[i]!)) ** 2, 0);

/** What a model run drives: a client, and a fault the system must come through (a restart, a killed node). */
export interface ModelTarget {
  client: NuthatchApi;
  /** Restarts or crashes part of the system; returns the client to go on with. */
  fault(r: () => number): Promise<NuthatchApi>;
  /** Undoes what the run set up (the collection is the run's own). */
  close(): Promise<void>;
}

/** What a run did, so a test can check it took the paths it is meant to check. */
export interface ModelStats { faults: number; flushes: number; compactions: number; truncates: number }

/** One seeded run on `t`: `steps` random steps (a fault at about `faultRate` of them), reads checked every `checkEvery` and at the end. */
export async function runModel(t: ModelTarget, seed: number, steps: number, checkEvery: number, faultRate = 0.03): Promise<ModelStats> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const newRow = (id: number, part = model.get(id)?.part ?? pick(PARTS)): Row => ({
    id, part, cat: Math.floor(r() * 4), tag: r() < 0.2 ? null : pick(['a', 'b', 'c']), score: f32(r() * 100),
    vec: Array.from({ length: DIM }, () => f32(r() * 2 - 1)),
    ...(extraAdded ? { extra: r() < 0.3 ? null : Math.floor(r() * 100) } : {}),
  });
  let extraAdded = false;
  const model = new Map<number, Row>();
  let nextId = 0;
  const someIds = (n: number) => Array.from({ length: n }, () => Math.floor(r() * (nextId + 5)));
  let client = t.client;
  const s = { get client() { return client; } };
  const stats: ModelStats = { faults: 0, flushes: 0, compactions: 0, truncates: 0 };
  try {
    await s.client.createCollection({
      collectionName: C, schema, metricType: 'L2', shardsNum: 2, load: true,
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }],
    });
    await s.client.createPartition(C, 'p1');
    const where = `seed ${seed}`;
    for (let step = 1; step <= steps; step++) {
      if (step === Math.ceil(steps / 2)) {
        await s.client.addCollectionField(C, { name: 'extra', dataType: 'Int64', nullable: true });
        extraAdded = true;
      }
      const roll = r();
      if (roll < 0.3) {
        const part = pick(PARTS);
        const rows = Array.from({ length: 1 + Math.floor(r() * 20) }, () => newRow(nextId++, part));
        await s.client.insert(C, rows.map(stored), part);
        for (const row of rows) model.set(row.id, row);
      } else if (roll < 0.45) {
        const ids = [...new Set(someIds(1 + Math.floor(r() * 8)))];
        // An upsert names the partition its key lives in (a key in two partitions is two rows).
        const all = ids.map((id) => newRow(id));
        for (const part of PARTS) {
          const rows = all.filter((row) => row.part === part);
          if (rows.length > 0) await s.client.upsert(C, rows.map(stored), part);
          for (const row of rows) model.set(row.id, row);
        }
        nextId = Math.max(nextId, ...ids.map((id) => id + 1));
      } else if (roll < 0.55) {
        const ids = [...new Set(someIds(6))].filter((id) => model.has(id));
        if (ids.length === 0) continue;
        const changes = ids.map((id) => ({ id, score: f32(r() * 100), ...(r() < 0.5 ? { tag: pick(['a', 'b', null]) } : {}), ...(extraAdded && r() < 0.5 ? { extra: Math.floor(r() * 100) } : {}) }));
        for (const part of PARTS) {
          const mine = changes.filter((ch) => model.get(ch.id)!.part === part);
          if (mine.length > 0) await s.client.upsert(C, mine, part, { partialUpdate: true });
        }
        for (const ch of changes) model.set(ch.id, { ...model.get(ch.id)!, ...ch });
      } else if (roll < 0.67) {
        const ids = someIds(1 + Math.floor(r() * 6));
        // Half the deletes name a partition: they reach only its rows.
        const part = r() < 0.5 ? pick(PARTS) : undefined;
        await s.client.delete(C, { ids, ...(part ? { partitionName: part } : {}) });
        for (const id of ids) if (!part || model.get(id)?.part === part) model.delete(id);
      } else if (roll < 0.72) {
        const cat = Math.floor(r() * 4), above = Math.floor(r() * 100);
        await s.client.delete(C, { filter: `cat == ${cat} and score > ${above}` });
        for (const [id, row] of model) if (row.cat === cat && row.score > above) model.delete(id);
      } else if (roll < 0.82) {
        await s.client.flush(C);
        stats.flushes++;
      } else if (roll < 0.87) {
        const { compactionID } = await s.client.compact(C);
        await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', `${where}: compaction`, 60_000);
        stats.compactions++;
      } else if (roll < 0.9) {
        await s.client.releaseCollection(C);
        await s.client.loadCollection(C);
      } else if (roll < 0.9 + faultRate) {
        client = await t.fault(r);
        stats.faults++;
      } else if (roll < 0.91 + faultRate) {
        await s.client.truncateCollection(C);
        model.clear();
        stats.truncates++;
      }
      if (step % checkEvery === 0 || step === steps) await check(s, model, r, `${where} step ${step}`, extraAdded);
    }
    return stats;
  } finally {
    await t.close();
  }
}

/** Strong reads against the model: count, a filtered query, get, an exact filtered search. */
async function check(s: { client: NuthatchApi }, model: Map<number, Row>, r: () => number, where: string, extraAdded: boolean): Promise<void> {
  const strong = { consistencyLevel: 'Strong' as const };
  const count = await s.client.query(C, { filter: 'id >= 0', outputFields: ['count(*)'], ...strong });
  assert.is(count[0]!['count(*)'], model.size, `${where}: count(*)`);

  const cat = Math.floor(r() * 4);
  const part = r() < 0.3 ? PARTS[Math.floor(r() * PARTS.length)]! : undefined;
  const rows = await s.client.query(C, { filter: `cat == ${cat} and (tag == "a" or tag is null)`, outputFields: ['id', 'tag', 'score'], limit: 16384, ...(part ? { partitionNames: [part] } : {}), ...strong });
  const want = [...model.values()].filter((row) => row.cat === cat && (row.tag === 'a' || row.tag === null) && (!part || row.part === part)).sort((a, b) => a.id - b.id);
  assert.equal(rows.map((x) => x.id as number).sort((a, b) => a - b), want.map((x) => x.id), `${where}: filtered query ids`);
  const byId = new Map(rows.map((x) => [x.id as number, x]));
  for (const w of want) {
    assert.is(byId.get(w.id)!.tag ?? null, w.tag, `${where}: tag of ${w.id}`);
    assert.is(byId.get(w.id)!.score, w.score, `${where}: score of ${w.id}`);
  }

  if (extraAdded) {
    const above = Math.floor(r() * 100);
    const n = await s.client.query(C, { filter: `extra is null or extra > ${above}`, outputFields: ['count(*)'], ...strong });
    assert.is(n[0]!['count(*)'], [...model.values()].filter((row) => row.extra == null || row.extra > above).length, `${where}: count of extra is null or > ${above}`);
  }

  const ids = Array.from({ length: 8 }, () => Math.floor(r() * (Math.max(...model.keys(), 0) + 3)));
  const got = await s.client.get(C, ids, { outputFields: ['id', 'cat', 'tag', 'score', 'vec', ...(extraAdded ? ['extra'] : [])], ...strong });
  const wantGot = [...new Set(ids)].filter((id) => model.has(id)).sort((a, b) => a - b);
  assert.equal(got.map((x) => x.id as number).sort((a, b) => a - b), wantGot, `${where}: get ids`);
  for (const x of got) {
    const m = model.get(x.id as number)!;
    const extra = (row: { extra?: unknown }) => (extraAdded ? { extra: row.extra ?? null } : {});
    assert.equal({ cat: x.cat, tag: x.tag ?? null, score: x.score, vec: [...(x.vec as number[])], ...extra(x) }, { cat: m.cat, tag: m.tag, score: m.score, vec: m.vec, ...extra(m) }, `${where}: row ${m.id}`);
  }

  const q = Array.from({ length: DIM }, () => r() * 2 - 1);
  const above = Math.floor(r() * 60);
  const hits = (await s.client.search(C, { data: [q], annsField: 'vec', limit: 10, filter: `score > ${above}`, ...strong }))[0]!;
  const exact = [...model.values()].filter((row) => row.score > above).map((row) => ({ id: row.id, d: l2(q, row.vec) })).sort((a, b) => a.d - b.d).slice(0, 10);
  assert.is(hits.length, exact.length, `${where}: search hit count`);
  hits.forEach((h, i) => {
    assert.ok(Math.abs(h.distance - exact[i]!.d) < 1e-4, `${where}: hit ${i} distance ${h.distance} vs ${exact[i]!.d}`);
    // Ids agree except where two rows are (all but) equally near.
    if (Math.abs(exact[i]!.d - (exact[i + 1]?.d ?? Infinity)) > 1e-4 && Math.abs(exact[i]!.d - (exact[i - 1]?.d ?? -Infinity)) > 1e-4) assert.is(h.id, exact[i]!.id, `${where}: hit ${i}`);
  });
}
