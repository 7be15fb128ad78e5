/**
 * Query aggregation (messages/queryAggregation.ts) through the full
 * standalone path: sealed segments on the query node and a growing tail.
 * Each aggregation's mean latency over every row, beside the same run's
 * count(*) with a filter every row passes (the baseline: one pass over the
 * rows that only counts), with the ratio. The rows never leave the node that holds them, so an
 * aggregation should cost a small multiple of a count, whatever the number of
 * rows; the bench checks each answer's total count against count(*).
 *
 *   npm run bench -- queryAggregation [--n 100000] [--reads 20]
 *
 * Writes bench/results/queryAggregation.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import type { QueryRequest } from '../runtime/client/api.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';
import { indexesReady, sealedSegments } from './support/standaloneState.js';

const C = 'qa', DIM = 8;

const ASKS: ReadonlyArray<{ name: string; req: QueryRequest }> = [
  { name: 'count(*), qty >= 0 (baseline)', req: { filter: 'qty >= 0', outputFields: ['count(*)'] } },
  { name: 'count(*), no filter', req: { outputFields: ['count(*)'] } },
  { name: 'global: count, sum, avg, max', req: { outputFields: ['count(*)', 'sum(qty)', 'avg(price)', 'max(brand)'] } },
  { name: 'by brand (5 groups)', req: { groupByFields: ['brand'], outputFields: ['brand', 'count(*)', 'sum(qty)', 'avg(price)'] } },
  { name: 'by brand, color (15 groups)', req: { groupByFields: ['brand', 'color'], outputFields: ['brand', 'color', 'count(*)', 'min(price)', 'max(price)'] } },
  { name: 'by bucket (10,000 groups)', req: { groupByFields: ['bucket'], outputFields: ['bucket', 'count(*)', 'sum(qty)'] } },
];

async function mean(s: Standalone, req: QueryRequest, reads: number): Promise<{ ms: number; rows: number; counted: number }> {
  const ask = () => s.client.query(C, { ...req, consistencyLevel: 'Bounded' });
  // The first read waits for every row (Strong); the timed ones read as most reads do.
  const first = await s.client.query(C, { ...req, consistencyLevel: 'Strong' });
  const t0 = performance.now();
  for (let i = 0; i < reads; i++) await ask();
  const counted = first.reduce((n, r) => n + Number(r['count(*)'] ?? 0), 0);
  return { ms: (performance.now() - t0) / reads, rows: first.length, counted };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), reads = numberOption(args, 'reads', 20);
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-agg-bench-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({
      collectionName: C, metricType: 'L2', load: true, shardsNum: 1,
      schema: { fields: [
        { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM },
        { name: 'brand', dataType: 'VarChar', maxLength: 8 }, { name: 'color', dataType: 'Int32' }, { name: 'bucket', dataType: 'Int64' },
        { name: 'qty', dataType: 'Int64' }, { name: 'price', dataType: 'Double' },
      ] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }],
    });
    const sealed = Math.floor(n * 0.9);
    const insert = async (from: number, to: number) => {
      for (let at = from; at < to; at += 10_000) {
        const rows = [];
        for (let r = at; r < Math.min(to, at + 10_000); r++) {
          rows.push({ id: r, vec: Array.from({ length: DIM }, (_, j) => Math.sin(r * 3.7 + j)), brand: ['a', 'b', 'c', 'd', 'e'][r % 5]!, color: r % 3, bucket: (r * 7919) % 10_000, qty: r % 40, price: (r % 1000) / 4 });
        }
        await s.client.insert(C, rows);
      }
    };
    await insert(0, sealed);
    await s.client.flush(C);
    await waitUntil('the sealed rows indexed and loaded', () => indexesReady(s, C, sealed));
    await insert(sealed, n);
    const figures = [];
    for (const a of ASKS) figures.push({ name: a.name, ...(await mean(s, a.req, reads)) });
    const base = figures[0]!;
    for (const f of figures) if (f.counted !== base.counted) throw new Error(`${f.name}: its groups count ${f.counted} rows, count(*) ${base.counted}`);
    console.log(`\n${n} rows (${sealed} in ${await sealedSegments(s, C)} sealed segment(s), ${n - sealed} growing), one shard, mean of ${reads} reads`);
    printTable(['query', 'rows answered', 'mean ms', 'x count(*)'], figures.map((f) => [f.name, f.rows, f.ms, (f.ms / base.ms).toFixed(2)]));
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}queryAggregation.json`, `${JSON.stringify({ n, reads, queries: figures.map((f) => ({ ...f, ratioToCount: f.ms / base.ms })), date: new Date().toISOString() }, null, 2)}\n`);
    console.log('wrote bench/results/queryAggregation.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
