/**
 * Runs every uvu test file (dist/test/**\/*.test.js) in its own process, one after
 * another, and ends with the one line CI reads: `tests: N passed, N failed, N skipped`.
 * Services (nats-server, etcd, an S3 server) are started once by support/services.ts
 * when present and passed to the tests through NUTHATCH_TEST_* environment variables.
 * Filter: `npm test -- wal` runs only files whose path contains "wal".
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function runFile(file: string, env: NodeJS.ProcessEnv): Promise<Counts> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    const limitMs = Number(process.env.NUTHATCH_TEST_FILE_TIMEOUT_MS ?? 600_000);
    const timer = setTimeout(() => { process.stdout.write(`\n!! ${file} exceeded ${limitMs} ms, killed\n`); child.kill('SIGKILL'); }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const clean = out.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(clean)?.[1] ?? 0);
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
      let failed = Math.max(0, total - passed - skipped);
      // A file that crashed or exited non-zero without reporting a failure still failed.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ passed, failed, skipped });
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = findTests(here).filter((f) => filters.length === 0 || filters.some((s) => relative(here, f).includes(s)));
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
  for (const f of files) {
    console.log(`\n# ${relative(here, f)}`);
    const started = Date.now();
    const c = await runFile(f, env);
    console.log(`# ${relative(here, f)}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    sum.passed += c.passed; sum.failed += c.failed; sum.skipped += c.skipped;
    if (c.failed) failedFiles.push(relative(here, f));
  }
  await services?.stop().catch(() => {});
  if (failedFiles.length) console.log(`\nfailed files: ${failedFiles.join(', ')}`);
  console.log(`tests: ${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
  process.exit(sum.failed > 0 || files.length === 0 ? 1 : 0);
}

void main();
