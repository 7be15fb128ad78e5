/**
 * Runs every uvu test file (dist/test/**\/*.test.js) in its own process and ends
 * with the one line CI reads: `tests: N passed, N failed, N skipped`.
 * Services (nats-server, etcd, an S3 server) are started once by support/services.ts
 * when present and passed to the tests through NUTHATCH_TEST_* environment variables.
 * Filter: `npm test -- wal` runs only files whose path contains "wal".
 *
 * Lanes: NUTHATCH_TEST_JOBS files run at a time (default 2; support/lanes.ts says
 * which may run together and in what order). With more than one lane each file's
 * output (stdout and stderr) is held and printed as one block when it ends;
 * NUTHATCH_TEST_JOBS=1 runs the files one after another in path order, streaming
 * their output as it comes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExclusive, laneOrder, nextFile, parseJobs, type LaneFile } from './support/lanes.js';

const here = dirname(fileURLToPath(import.meta.url));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    // Only files whose TypeScript source still exists: a stale build output of a deleted test never runs.
    else if (name.endsWith('.test.js') && existsSync(join(here, '..', '..', 'test', relative(here, p)).replace(/\.js$/, '.ts'))) out.push(p);
  }
  return out;
}

interface Counts { passed: number; failed: number; skipped: number }

/**
 * Runs one file. `live`: its output goes straight to ours; otherwise it is
 * collected (stdout and stderr in arrival order) and returned as `output`.
 */
function runFile(file: string, env: NodeJS.ProcessEnv, live: boolean): Promise<Counts & { output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', block = '';
    child.stdout.on('data', (d: Buffer) => { out += d; if (live) process.stdout.write(d); else block += d; });
    child.stderr.on('data', (d: Buffer) => { if (live) process.stderr.write(d); else block += d; });
    const limitMs = Number(process.env.NUTHATCH_TEST_FILE_TIMEOUT_MS ?? 600_000);
    const timer = setTimeout(() => {
      const note = `\n!! ${file} exceeded ${limitMs} ms, killed\n`;
      if (live) process.stdout.write(note); else block += note;
      child.kill('SIGKILL');
    }, limitMs);
    // Done when its output has been read to the end ('close'), or shortly after it
    // exits if a process it left behind still holds the pipes open.
    let settled = false;
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const clean = out.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(clean)?.[1] ?? 0);
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
      let failed = Math.max(0, total - passed - skipped);
      // A file that crashed or exited non-zero without reporting a failure still failed.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ passed, failed, skipped, output: block });
    };
    child.on('close', (code) => finish(code));
    child.on('exit', (code) => { setTimeout(() => finish(code), 2000); });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  let jobs: number;
  try { jobs = parseJobs(process.env.NUTHATCH_TEST_JOBS); } catch (e) { console.error((e as Error).message); process.exit(2); }
  const all = findTests(here).map((f) => relative(here, f)).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  let services: { env: Record<string, string>; stop(): Promise<void> } | undefined;
  try {
    const mod = await import('./support/services.js').catch(() => undefined);
    if (mod && process.env.NUTHATCH_TEST_NO_SERVICES !== '1') services = await mod.startServices();
  } catch (e) {
    console.error('could not start test services:', e);
  }
  const env = { ...process.env, ...(services?.env ?? {}) };
  const sum: Counts = { passed: 0, failed: 0, skipped: 0 };
  const failedFiles: string[] = [];
  const live = jobs === 1;
  const classified = all.map((file): LaneFile => ({ file, exclusive: isExclusive(file, readFileSync(join(here, file), 'utf8')) }));
  const pending = live ? classified : laneOrder(classified);
  const running: LaneFile[] = [];
  const startedAll = Date.now();

  const runOne = async (f: string): Promise<void> => {
    if (live) console.log(`\n# ${f}`);
    const started = Date.now();
    const c = await runFile(join(here, f), env, live);
    const timeLine = `# ${f}: ${((Date.now() - started) / 1000).toFixed(1)} s`;
    // One write per file: blocks of files that ran side by side never interleave.
    if (live) console.log(timeLine);
    else process.stdout.write(`\n# ${f}\n${c.output}${c.output.endsWith('\n') || c.output === '' ? '' : '\n'}${timeLine}\n`);
    sum.passed += c.passed; sum.failed += c.failed; sum.skipped += c.skipped;
    if (c.failed) failedFiles.push(f);
  };

  // Each lane takes the next file it may start; a lane that may start none
  // (only exclusive files left while one runs) waits for any file to end.
  await new Promise<void>((allDone) => {
    const fill = (): void => {
      while (running.length < jobs) {
        const i = nextFile(pending, running);
        if (i < 0) break;
        const [f] = pending.splice(i, 1) as [LaneFile];
        running.push(f);
        void runOne(f.file).then(() => { running.splice(running.indexOf(f), 1); fill(); });
      }
      if (running.length === 0 && pending.length === 0) allDone();
    };
    fill();
  });

  await services?.stop().catch(() => {});
  if (jobs > 1) console.log(`\n# ${all.length} files in ${((Date.now() - startedAll) / 1000).toFixed(1)} s on ${jobs} lanes`);
  if (failedFiles.length) console.log(`\nfailed files: ${failedFiles.sort().join(', ')}`);
  console.log(`tests: ${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
  process.exit(sum.failed > 0 || all.length === 0 ? 1 : 0);
}

void main();
