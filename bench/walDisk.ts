/**
 * What the WAL's disk does with O_DSYNC writes: MB/s of one fresh file written
 * through O_DSYNC, by write size and writes in flight. No WAL here; it explains
 * the local WAL's 1 KB figure in `npm run bench -- wal`: throughput follows the
 * bytes resident in the disk. The 1 KB case's callers have 1 MiB in flight, so
 * any writer that acknowledges each call keeps less than that in the disk
 * (part of it is always being acknowledged and appended again), while the raw
 * limit keeps all of it there.
 *
 *   npm run bench -- walDisk [--reps 3] [--mib 128]
 *
 * Writes into NUTHATCH_BENCH_DIR (default: the OS temp dir), as the WAL bench
 * does. Each figure is the median over repetitions that sweep the whole grid in
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

const KiB = 1024;
const SIZES = [64, 128, 256, 512].map((k) => k * KiB);
const DEPTHS = [1, 2, 3, 4, 8];
/** Pairs with more than this many bytes in flight are left out (the WAL keeps less). */
const MAX_IN_FLIGHT = 4 * 1024 * KiB;

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
  for (let i = 0; i < reps; i++) for (const c of cells) c.runs.push(await dsyncRate(base, c.size, c.depth, total));
  const rows = cells.map((c) => ({ writeKiB: c.size / KiB, inFlight: c.depth, inDiskKiB: (c.size * c.depth) / KiB, mbps: median(c.runs) }));
  console.log(`\nwalDisk: O_DSYNC writes to a fresh file in ${base}, ${total / 1024 / KiB} MiB each, median of ${reps}; sorted by bytes in flight`);
  rows.sort((a, b) => a.inDiskKiB - b.inDiskKiB || b.writeKiB - a.writeKiB);
  printTable(['write KiB', 'in flight', 'KiB in flight', 'MB/s'], rows.map((r) => [r.writeKiB, r.inFlight, r.inDiskKiB, r.mbps]));
  const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}walDisk.json`, `${JSON.stringify({ reps, mib: total / 1024 / KiB, date: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log('wrote bench/results/walDisk.json');
}
