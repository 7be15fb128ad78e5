/**
 * What the WAL's disk does with O_DSYNC writes, and what that leaves a log
 * writer at the WAL bench's 1 KB case. No WAL here; it explains the local WAL's
 * 1 KB figure in `npm run bench -- wal`.
 *
 * - Grid: MB/s of one fresh file written through O_DSYNC, by write size and
 *   writes in flight. Throughput follows the bytes resident in the disk.
 * - Floors: the 1 KB case's callers (1024 appends of 1 KiB in flight, one
 *   promise each) driving the bare in-order writer of walFloor.ts, with its
 *   writes cut at 1/2, 1/3, 1/4 and 1/6 of what is in flight, beside the raw
 *   limit of the same case. The callers' whole 1 MiB is in the disk only for
 *   the raw writer; any writer that acknowledges each call always has part of
 *   it out (being acknowledged and appended again), so the best floor is the
 *   most a log writer can reach here.
 *
 *   npm run bench -- walDisk [--reps 3] [--mib 128]
 *
 * Writes into NUTHATCH_BENCH_DIR (default: the OS temp dir), as the WAL bench
 * does. Each figure is the median over repetitions that sweep everything in
 * turn. Writes bench/results/walDisk.json.
 */
import { spawnSync } from 'node:child_process';
import { constants, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeFd, openFd, writevAt } from '../runtime/wal/local/fsUtil.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';
import { callerFloor } from './support/walFloor.js';
import { localWalTarget } from './support/walLocal.js';

const KiB = 1024;
const SIZES = [64, 128, 256, 512].map((k) => k * KiB);
const DEPTHS = [1, 2, 3, 4, 8];
/** Pairs with more than this many bytes in flight are left out (the WAL keeps less). */
const MAX_IN_FLIGHT = 4 * 1024 * KiB;
/** The WAL bench's 1 KB case. */
const CASE = { entryBytes: KiB, inFlight: 1024, totalBytes: 192 * 1024 * KiB };
const SPLITS = [2, 3, 4, 6];

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** MB/s of `total` bytes written in `size` writes, `depth` in flight, to a fresh O_DSYNC file. */
async function dsyncRate(base: string, size: number, depth: number, total: number): Promise<number> {
  const dir = await mkdtemp(join(base, 'nuthatch-waldisk-'));
  try {
    spawnSync('sync');
    await new Promise((r) => setTimeout(r, 100));
    const fd = await openFd(join(dir, 'f'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC);
    const buf = Buffer.alloc(size, 0x5a);
    let pos = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: depth }, async () => {
      while (pos < total) { const at = pos; pos += size; await writevAt(fd, [buf], at); }
    }));
    const mbps = pos / 1e6 / ((performance.now() - t0) / 1000);
    await closeFd(fd);
    return mbps;
  } finally { await rm(dir, { recursive: true, force: true }); }
}

export default async function run(args: string[]): Promise<void> {
  const reps = Number(option(args, 'reps') ?? 3);
  const total = Number(option(args, 'mib') ?? 128) * 1024 * KiB;
  const base = process.env.NUTHATCH_BENCH_DIR ?? tmpdir();
  const cells = SIZES.flatMap((size) => DEPTHS.filter((d) => size * d <= MAX_IN_FLIGHT).map((depth) => ({ size, depth, runs: [] as number[] })));
  const floors = SPLITS.map((split) => ({ split, runs: [] as number[] }));
  const rawWays: Record<string, number[]> = {};
  const local = localWalTarget();
  for (let i = 0; i < reps; i++) {
    for (const c of cells) c.runs.push(await dsyncRate(base, c.size, c.depth, total));
    for (const f of floors) f.runs.push((await callerFloor(base, CASE.entryBytes, CASE.totalBytes, CASE.inFlight, f.split)) / 1e6);
    const raw = await local.rawWrite(CASE.entryBytes, 1, CASE.totalBytes, CASE.inFlight);
    const ways = typeof raw === 'number' ? { raw } : raw.variants;
    for (const [way, v] of Object.entries(ways)) (rawWays[way] ??= []).push(v / 1e6);
  }
  const rows = cells.map((c) => ({ writeKiB: c.size / KiB, inFlight: c.depth, inDiskKiB: (c.size * c.depth) / KiB, mbps: median(c.runs) }));
  console.log(`\nwalDisk: O_DSYNC writes to a fresh file in ${base}, ${total / 1024 / KiB} MiB each, median of ${reps}; sorted by bytes in flight`);
  rows.sort((a, b) => a.inDiskKiB - b.inDiskKiB || b.writeKiB - a.writeKiB);
  printTable(['write KiB', 'in flight', 'KiB in flight', 'MB/s'], rows.map((r) => [r.writeKiB, r.inFlight, r.inDiskKiB, r.mbps]));
  // As the WAL bench takes it: the best way's median.
  const rawMbps = Math.max(...Object.values(rawWays).map(median));
  const floorRows = floors.map((f) => ({ split: f.split, writeKiB: CASE.inFlight / f.split, mbps: median(f.runs), ofRaw: median(f.runs) / rawMbps }));
  console.log(`\ncaller floors at the WAL bench's 1 KB case (${CASE.inFlight} x 1 KiB in flight); raw limit ${rawMbps.toFixed(0)} MB/s (its best way's median, as in the WAL bench)`);
  printTable(['write = in flight /', 'write KiB', 'floor MB/s', 'of raw'], floorRows.map((r) => [r.split, r.writeKiB, r.mbps, r.ofRaw]));
  const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}walDisk.json`, `${JSON.stringify({ reps, mib: total / 1024 / KiB, date: new Date().toISOString(), rows, floorCase: CASE, rawMbps, floors: floorRows }, null, 2)}\n`);
  console.log('wrote bench/results/walDisk.json');
}
