import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../standalone/harness.js';
import { tempStandalone } from '../standalone/harness.js';
import { kill, spawnStandalone, v2 } from './standaloneProcess.js';

/**
 * SIGKILL a standalone process at random moments during a stream of inserts,
 * deletes and transactional upserts; restart it and check that every
 * acknowledged write is there, that the write in flight at the kill is all or
 * nothing, and that search answers equal those of a process that never crashed.
 */
const ROUNDS = Number(process.env.NUTHATCH_CRASH_ROUNDS ?? 20);
const DIM = 8;
const COLL = 'crash';
const random = rng(20261126);

type Row = { id: number; vec: number[]; gen: number };
const vec = () => Array.from({ length: DIM }, () => Math.round((random() * 2 - 1) * 1000) / 1000);

interface Op { kind: 'insert' | 'delete' | 'upsert'; rows: Row[]; ids: number[] }

test(`SIGKILL during writes, ${ROUNDS} rounds: acknowledged writes survive, in-flight ones are atomic`, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-crash-'));
  const reference = await tempStandalone();
  const model = new Map<number, Row>();
  let nextId = 0;
  try {
    let p = await spawnStandalone(dataDir);
    const create = { collectionName: COLL, schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
      { fieldName: 'gen', dataType: 'Int64' },
    ] }, indexParams: [{ fieldName: 'vec', indexName: 'vec', metricType: 'L2' }] };
    assert.is((await v2(p.url, 'collections/create', create)).code, 0);
    await reference.client.createCollection({ collectionName: COLL, schema: { fields: [
      { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }, { name: 'gen', dataType: 'Int64' },
    ] }, metricType: 'L2', load: true });

    const apply = async (op: Op) => {
      if (op.kind === 'delete') { for (const id of op.ids) model.delete(id); await reference.client.delete(COLL, { ids: op.ids }); }
      else {
        for (const r of op.rows) model.set(r.id, r);
        if (op.kind === 'insert') await reference.client.insert(COLL, op.rows); else await reference.client.upsert(COLL, op.rows);
      }
    };
    const nextOp = (round: number): Op => {
      const live = [...model.keys()];
      const x = random();
      if (x < 0.2 && live.length > 10) { const ids = Array.from({ length: 5 }, () => live[Math.floor(random() * live.length)]!); return { kind: 'delete', rows: [], ids: [...new Set(ids)] }; }
      if (x < 0.4 && live.length > 10) {
        const ids = [...new Set(Array.from({ length: 5 }, () => live[Math.floor(random() * live.length)]!))];
        return { kind: 'upsert', ids, rows: ids.map((id) => ({ id, vec: vec(), gen: round * 1000 + Math.floor(random() * 1000) })) };
      }
      const rows = Array.from({ length: 20 }, () => ({ id: nextId++, vec: vec(), gen: round }));
      return { kind: 'insert', rows, ids: rows.map((r) => r.id) };
    };

    let acked = 0, inflightApplied = 0, inflightDropped = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const killAt = Date.now() + 150 + Math.floor(random() * 600);
      let inflight: Op | null = null;
      const timer = new Promise<void>((r) => setTimeout(r, killAt - Date.now()));
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          const op = nextOp(round);
          inflight = op;
          const path = op.kind === 'delete' ? 'entities/delete' : `entities/${op.kind}`;
          const body = op.kind === 'delete' ? { collectionName: COLL, filter: `id in [${op.ids.join(',')}]` } : { collectionName: COLL, data: op.rows };
          let res: { code: number } | null = null;
          try { res = await v2(p.url, path, body); } catch { return; }
          if (stop) return;
          assert.is(res.code, 0, `round ${round}: ${op.kind} refused: ${JSON.stringify(res)}`);
          inflight = null;
          await apply(op);
          acked++;
        }
      })();
      await timer;
      stop = true;
      await kill(p);
      await writer;
      p = await spawnStandalone(dataDir);
      const op = inflight as Op | null;
      if (op) {
        // All or nothing: find out which, then make the reference agree.
        const got = await v2(p.url, 'entities/get', { collectionName: COLL, id: op.ids, outputFields: ['gen'], consistencyLevel: 'Strong' });
        assert.is(got.code, 0);
        const present = new Map<number, number>((got.data as Array<{ id: number; gen: number }>).map((r) => [r.id, r.gen]));
        let applied: boolean;
        if (op.kind === 'insert') { applied = present.size === op.ids.length; assert.ok(present.size === 0 || applied, `insert half applied: ${present.size}/${op.ids.length}`); }
        else if (op.kind === 'delete') { applied = present.size === 0; assert.ok(applied || op.ids.every((id) => present.has(id)), 'delete half applied'); }
        else {
          const updated = op.rows.filter((r) => present.get(r.id) === r.gen).length;
          applied = updated === op.rows.length;
          assert.ok(updated === 0 || applied, `upsert half applied: ${updated}/${op.rows.length}`);
        }
        if (applied) { await apply(op); inflightApplied++; } else inflightDropped++;
      }
      const count = await v2(p.url, 'entities/query', { collectionName: COLL, outputFields: ['count(*)'], consistencyLevel: 'Strong' });
      assert.is(count.data[0]['count(*)'], model.size, `round ${round}: row count`);
    }
    // Every acknowledged row is there with its latest version.
    const ids = [...model.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const got = await v2(p.url, 'entities/get', { collectionName: COLL, id: ids.slice(i, i + 500), outputFields: ['gen'], consistencyLevel: 'Strong' });
      const byId = new Map((got.data as Array<{ id: number; gen: number }>).map((r) => [r.id, r.gen]));
      for (const id of ids.slice(i, i + 500)) assert.is(byId.get(id), model.get(id)!.gen, `row ${id}`);
    }
    // Search equals the never-crashed reference.
    for (let q = 0; q < 5; q++) {
      const query = vec();
      const a = await v2(p.url, 'entities/search', { collectionName: COLL, data: [query], limit: 10, outputFields: ['gen'], consistencyLevel: 'Strong' });
      const b = await reference.client.search(COLL, { data: [query], limit: 10, outputFields: ['gen'], consistencyLevel: 'Strong' });
      assert.equal((a.data as Array<{ id: number }>).map((h) => h.id), b[0]!.map((h) => h.id));
    }
    console.log(`  crash rounds: ${ROUNDS}, acknowledged ops: ${acked}, in-flight applied: ${inflightApplied}, dropped: ${inflightDropped}, rows: ${model.size}`);
    await kill(p, 'SIGTERM');
  } finally {
    await reference.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test.run();
