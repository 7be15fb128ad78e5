/**
 * How test/run.ts spreads test files over concurrent lanes (NUTHATCH_TEST_JOBS
 * worker processes at a time). Pure: no I/O, no clock; the runner asks `nextFile`
 * whenever a lane is free.
 *
 * - `exclusive` files (cluster/, crash/: each spawns a whole multi-process
 *   system with short leases) never run two at a time, so a failover test
 *   never shares the machine with another cluster; they start first, one
 *   lane works through them while the other lanes take everything else.
 * - Every other file may run beside anything. The long ones (wal/, then
 *   standalone/, vector/, metrics/, http/) go before the hundreds of small
 *   ones, so the lanes finish close together.
 */

/** How a file may share the machine. */
export type LaneClass = 'exclusive' | 'shared';

/** Directories whose files are exclusive: at most one of them runs at a time. */
export const EXCLUSIVE_DIRS = ['cluster', 'crash'] as const;

/** Shared directories with long files, longest first; the rest follow in path order. */
const LONG_DIRS = ['wal', 'standalone', 'vector', 'metrics', 'http'] as const;

/** A test file by its path relative to dist/test (e.g. `cluster/natsRestart.test.js`). */
export function laneClass(file: string): LaneClass {
  const top = topDir(file);
  return (EXCLUSIVE_DIRS as readonly string[]).includes(top) ? 'exclusive' : 'shared';
}

/**
 * The order lanes take files in: exclusive ones first, then the long shared
 * directories, then the rest; path order within each group (stable).
 */
export function laneOrder(files: readonly string[]): string[] {
  const rank = (f: string): number => {
    if (laneClass(f) === 'exclusive') return 0;
    const i = (LONG_DIRS as readonly string[]).indexOf(topDir(f));
    return i < 0 ? 1 + LONG_DIRS.length : 1 + i;
  };
  return files.map((f, i) => ({ f, i, r: rank(f) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.f);
}

/**
 * The index in `pending` (in lane order) of the file a free lane should start,
 * given the files running now; -1 when none may start (only exclusive files
 * left while one runs: the lane waits for it).
 */
export function nextFile(pending: readonly string[], running: readonly string[]): number {
  const exclusiveRunning = running.some((f) => laneClass(f) === 'exclusive');
  return pending.findIndex((f) => !exclusiveRunning || laneClass(f) !== 'exclusive');
}

/** The lane count from NUTHATCH_TEST_JOBS: a positive integer, 2 when unset. */
export function parseJobs(value: string | undefined): number {
  if (value === undefined || value === '') return 2;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`NUTHATCH_TEST_JOBS must be a positive integer, got '${value}'`);
  return n;
}

function topDir(file: string): string {
  return file.split(/[\\/]/)[0] ?? '';
}
