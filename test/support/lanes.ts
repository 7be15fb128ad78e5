/**
 * How test/run.ts spreads test files over concurrent lanes (NUTHATCH_TEST_JOBS
 * files at a time). Pure: no I/O, no clock; the runner reads each file once,
 * classifies it, and asks `nextFile` whenever a lane is free.
 *
 * - Exclusive files start a whole multi-process system with short leases (a
 *   cluster of `nuthatch node` processes with its own nats-server and etcd, or a
 *   standalone process killed mid-write). Two of them never run at a time, so a
 *   failover test never shares the machine with another cluster. They start
 *   first: one lane works through them while the other lanes take the rest.
 * - Every other file may run beside anything. The long ones (wal/, then
 *   standalone/, vector/, metrics/, http/) go before the hundreds of small
 *   ones, so the lanes finish close together.
 */

/** A test file by its path relative to dist/test (e.g. `cluster/natsRestart.test.js`) and whether it is exclusive. */
export interface LaneFile {
  file: string;
  exclusive: boolean;
}

/** Directories whose files are all exclusive. */
const EXCLUSIVE_DIRS = ['cluster', 'crash'];

/** The import line of a compiled test file that starts a test cluster (test/cluster/support/testCluster.ts). */
const STARTS_CLUSTER = /^import\b[^\n]*cluster\/support\/testCluster\.js['"]/m;

/** Shared directories with long files, longest first; the rest follow in path order. */
const LONG_DIRS = ['wal', 'standalone', 'vector', 'metrics', 'http'];

/** Whether `file` (relative path) with compiled source `source` must not run beside another exclusive file. */
export function isExclusive(file: string, source: string): boolean {
  return EXCLUSIVE_DIRS.includes(topDir(file)) || STARTS_CLUSTER.test(source);
}

/**
 * The order lanes take files in: exclusive ones first, then the long shared
 * directories, then the rest; input (path) order within each group.
 */
export function laneOrder(files: readonly LaneFile[]): LaneFile[] {
  const rank = (f: LaneFile): number => {
    if (f.exclusive) return 0;
    const i = LONG_DIRS.indexOf(topDir(f.file));
    return i < 0 ? 1 + LONG_DIRS.length : 1 + i;
  };
  return files.map((f, i) => ({ f, i, r: rank(f) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.f);
}

/**
 * The index in `pending` (in lane order) of the file a free lane should start,
 * given the files running now; -1 when none may (only exclusive files are left
 * while one runs: the lane waits for it to end).
 */
export function nextFile(pending: readonly LaneFile[], running: readonly LaneFile[]): number {
  const exclusiveRunning = running.some((f) => f.exclusive);
  return pending.findIndex((f) => !exclusiveRunning || !f.exclusive);
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
