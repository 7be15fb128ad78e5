/**
 * Bus benchmark: request/reply rate of the NATS bus (runtime/bus/natsBus.ts)
 * against the bare NATS client's request on the same server in the same run:
 * what the adapter costs per request (codec of errors, owned copies, tracking
 * requests so a disconnect fails them at once).
 *
 *   npm run bench -- bus [--reps 6] [--requests 40000]
 *
 * Echo of 256 B payloads, 64 requests in flight, requester and responder in this
 * process; a private nats-server unless NUTHATCH_TEST_NATS names one. Each
 * figure is the median over repetitions that alternate the two. Writes
 * bench/results/bus.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { NatsBus } from '../runtime/bus/natsBus.js';
import { startNats } from '../runtime/devServices/natsServer.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';

const IN_FLIGHT = 64;
const PAYLOAD = new Uint8Array(256);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Requests per second of `request` with IN_FLIGHT callers until `n` are answered. */
async function rate(n: number, request: () => Promise<unknown>): Promise<number> {
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (issued++ < n) await request(); }));
  return n / ((performance.now() - t0) / 1000);
}

async function bare(url: string, n: number): Promise<number> {
  const [a, b] = [await connect({ servers: url }), await connect({ servers: url })];
  b.subscribe('bench.echo', { callback: (_e, m) => { m.respond(m.data); } });
  await b.flush();
  try { return await rate(n, () => a.request('bench.echo', PAYLOAD, { timeout: 5_000 })); } finally { await a.close(); await b.close(); }
}

async function bus(url: string, n: number): Promise<number> {
  const [a, b] = [await NatsBus.connect({ servers: url }), await NatsBus.connect({ servers: url })];
  b.serve('bench.echo', (d) => d);
  await b.flush();
  try { return await rate(n, () => a.request('bench.echo', PAYLOAD, { timeoutMs: 5_000 })); } finally { await a.close(); await b.close(); }
}

export default async function run(args: string[]): Promise<void> {
  const reps = Number(option(args, 'reps') ?? 6);
  const n = Number(option(args, 'requests') ?? 40_000);
  const server = process.env.NUTHATCH_TEST_NATS ? undefined : await startNats();
  const url = process.env.NUTHATCH_TEST_NATS ?? server!.url;
  try {
    await bare(url, n / 10);
    await bus(url, n / 10);
    const raw: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < reps; i++) {
      if (i % 2 === 0) { raw.push(await bare(url, n)); ours.push(await bus(url, n)); } else { ours.push(await bus(url, n)); raw.push(await bare(url, n)); }
    }
    const report = { rawPerSec: median(raw), busPerSec: median(ours), ratio: median(ours) / median(raw), inFlight: IN_FLIGHT, payloadBytes: PAYLOAD.length, reps, requests: n, node: process.version, date: new Date().toISOString() };
    console.log(`bus: ${reps} repetition(s) of ${n} echo requests, ${IN_FLIGHT} in flight, ${PAYLOAD.length} B; medians`);
    printTable(['target', 'requests/s', 'ratio'], [['bare NATS client', report.rawPerSec, 1], ['nuthatch NATS bus', report.busPerSec, report.ratio]]);
    const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(outDir, { recursive: true });
    writeFileSync(`${outDir}bus.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log('wrote bench/results/bus.json');
  } finally { await server?.stop(); }
}
