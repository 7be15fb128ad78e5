/**
 * Would pre-allocated WAL segments help the local WAL? The 1 KB case's raw
 * write pattern (O_DSYNC writes of 341 KiB, three in flight; walLocal.ts's
 * dsync3) into:
 * - fresh: a new file, each write extending it (what the WAL does);
 * - prezeroed: a file zeroed and synced before the timer starts, so each write
 *   overwrites allocated blocks and needs no journal commit (what recycling a
 *   truncated segment would give, at no cost in the run);
 * - zero-ahead: zeroing done in the same timed run, 4 MiB writes + fdatasync
 *   kept 32 MiB ahead (what pre-allocating from an empty directory costs).
 *
 *   npm run bench -- walPrealloc [--reps 3]
 *
 * Writes into NUTHATCH_BENCH_DIR (default: the OS temp dir); medians; writes
 * bench/results/walPrealloc.json.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeFd, datasync, openFd, writevAt } from '../runtime/wal/local/fsUtil.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';

const MiB = 1024 * 1024;
const TOTAL = 192 * MiB, ENTRY = 1024, BATCH = 341, ZERO_CHUNK = 4 * MiB, ZERO_AHEAD = 32 * MiB;
type Way = 'fresh' | 'prezeroed' | 'zero-ahead';
const WAYS: Way[] = ['fresh', 'prezeroed', 'zero-ahead'];
const base = process.env.NUTHATCH_BENCH_DIR ?? tmpdir();

function zeroFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const z = Buffer.alloc(8 * MiB);
  for (let at = 0; at < bytes; at += z.length) writeSync(fd, z);
  fsyncSync(fd);
  closeSync(fd);
}

/** MB/s of TOTAL bytes written the given way. */
async function run(way: Way): Promise<number> {
  const dir = await mkdtemp(join(base, 'nuthatch-walprealloc-'));
  const path = join(dir, 'wal');
  try {
    if (way === 'prezeroed') zeroFile(path, TOTAL + 8 * MiB);
    spawnSync('sync');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const fd = await openFd(path, constants.O_WRONLY | constants.O_CREAT | constants.O_DSYNC);
    const zfd = await openFd(path, constants.O_WRONLY);
    let pos = 0, zeroed = 0, done = false;
    const zero = Buffer.alloc(ZERO_CHUNK);
    const zeroer = way !== 'zero-ahead' ? Promise.resolve() : (async () => {
      while (!done && zeroed < TOTAL) {
        if (zeroed - pos >= ZERO_AHEAD) { await new Promise((r) => setImmediate(r)); continue; }
        await writevAt(zfd, [zero], zeroed);
        await datasync(zfd);
        zeroed += ZERO_CHUNK;
      }
    })();
    const entry = Buffer.alloc(ENTRY, 0x5a);
    const batch = Array.from({ length: BATCH }, () => entry);
    let pending: Promise<unknown> = Promise.resolve(), older: Promise<unknown> = Promise.resolve();
    while (pos < TOTAL) {
      const w = writevAt(fd, batch, pos);
      await older;
      older = pending;
      pending = w;
      pos += ENTRY * BATCH;
    }
    await Promise.all([older, pending]);
    done = true;
    await zeroer;
    const seconds = (performance.now() - t0) / 1000;
    await closeFd(fd);
    await closeFd(zfd);
    return pos / 1e6 / seconds;
  } finally {
    await rm(dir, { recursive: true, force: true });
    spawnSync('sync');
  }
}

export default async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--reps');
  const reps = i >= 0 ? Number(args[i + 1]) : 3;
  const runs: Record<Way, number[]> = { fresh: [], prezeroed: [], 'zero-ahead': [] };
  for (let r = 0; r < reps; r++) for (const way of WAYS) runs[way].push(await run(way));
  const rows = WAYS.map((way) => ({ way, mbps: median(runs[way]), min: Math.min(...runs[way]), max: Math.max(...runs[way]) }));
  console.log(`\nwalPrealloc: ${TOTAL / MiB} MiB as O_DSYNC writes of ${BATCH} KiB, three in flight; ${reps} alternated repetitions, MB/s`);
  printTable(['file', 'median MB/s', 'min', 'max', 'vs fresh'], rows.map((x) => [x.way, x.mbps, x.min, x.max, x.mbps / rows[0]!.mbps]));
  const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}walPrealloc.json`, `${JSON.stringify({ reps, date: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log('wrote bench/results/walPrealloc.json');
}
