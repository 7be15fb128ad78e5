/**
 * Tunes the local WAL's write chunk: the backend with each candidate
 * `writeChunkBytes`, alternated within every repetition and followed by the
 * raw limit (bench/support/walLocal.ts), at the WAL bench's size cases. The
 * default chunk (LocalWalBackend.ts) is the one this picks.
 *
 *   npm run bench -- walTune [--chunks 1,2,4] [--sizes 1KB,64KB,1MB] [--reps 7]
 *
 * Chunks are MiB. Prints each candidate's median MB/s and its ratio to the
 * median raw limit; writes bench/results/walTune.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalWalBackend } from '../runtime/wal/local/index.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';
import { driveAppends } from './support/walDrive.js';
import { localWalTarget } from './support/walLocal.js';
import { CASES, type SizeCase } from './wal.js';

const MiB = 1024 * 1024;
const base = process.env.NUTHATCH_BENCH_DIR ?? tmpdir();

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** MB/s of one run of a fresh local WAL with the given chunk. */
async function walRun(c: SizeCase, writeChunkBytes: number): Promise<number> {
  spawnSync('sync');
  const root = await mkdtemp(join(base, 'nuthatch-waltune-'));
  const backend = new LocalWalBackend(root, { writeChunkBytes });
  try {
    const w = await backend.openWriter('bench', 1);
    const r = await driveAppends((payload, tso) => w.append({ tso, payload }), c.entryBytes, c.inFlight, c.totalBytes);
    await w.close();
    return (r.done * c.entryBytes) / 1e6 / r.seconds;
  } finally {
    await backend.close();
    await rm(root, { recursive: true, force: true });
    spawnSync('sync');
  }
}

export default async function run(args: string[]): Promise<void> {
  const chunks = (option(args, 'chunks') ?? '1,2,4').split(',').map(Number);
  const only = option(args, 'sizes')?.split(',');
  const cases = only ? CASES.filter((c) => only.includes(c.label.replace(' ', ''))) : CASES;
  const reps = Number(option(args, 'reps') ?? 7);
  const raw = localWalTarget();
  const rows: { label: string; rawMbps: number; chunks: { chunkMiB: number; mbps: number; ratio: number }[] }[] = [];
  for (const c of cases) {
    const runs = chunks.map(() => [] as number[]);
    const raws: number[] = [];
    await walRun(c, chunks[0]! * MiB); // warm-up
    for (let i = 0; i < reps; i++) {
      for (const [k, chunk] of chunks.entries()) runs[k]!.push(await walRun(c, chunk * MiB));
      const r = await raw.rawWrite(c.entryBytes, 1, c.totalBytes, c.inFlight);
      raws.push((typeof r === 'number' ? r : r.bytesPerSec) / 1e6);
    }
    const rawMbps = median(raws);
    rows.push({ label: c.label, rawMbps, chunks: chunks.map((chunkMiB, k) => ({ chunkMiB, mbps: median(runs[k]!), ratio: median(runs[k]!) / rawMbps })) });
  }
  console.log(`\nwalTune: local WAL by write chunk, ${reps} alternated repetitions; MB/s medians, ratio to the median raw limit (best raw way per repetition)`);
  printTable(['entry', 'raw MB/s', ...chunks.flatMap((m) => [`${m} MiB MB/s`, `${m} MiB ratio`])],
    rows.map((r) => [r.label, r.rawMbps, ...r.chunks.flatMap((x) => [x.mbps, x.ratio])]));
  const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}walTune.json`, `${JSON.stringify({ reps, date: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log('wrote bench/results/walTune.json');
}
