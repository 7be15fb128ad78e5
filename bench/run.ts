/**
 * Benchmark dispatcher.
 *
 *   node dist/bench/run.js [name ...] [--option value ...]
 *
 * Runs `./<name>.js` for each named bench (default: every bench/*.js but this
 * one), one after another, calling its default export `run(args)` with the
 * arguments from the first one that starts with `--`. Each bench prints its
 * figures and writes bench/results/<name>*.json.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

type Bench = (args: string[]) => Promise<void>;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const split = argv.findIndex((a) => a.startsWith('--'));
  const names = split < 0 ? argv : argv.slice(0, split);
  const args = split < 0 ? [] : argv.slice(split);
  const all = readdirSync(here).filter((f) => f.endsWith('.js') && f !== 'run.js').map((f) => f.slice(0, -3)).sort();
  const chosen = names.length > 0 ? names : all;
  let failed = false;
  for (const name of chosen) {
    if (!all.includes(name)) { console.error(`no bench named ${name} (have: ${all.join(', ')})`); failed = true; continue; }
    console.log(`\n## bench ${name}`);
    const mod = (await import(`./${name}.js`)) as { default?: Bench };
    if (typeof mod.default !== 'function') { console.error(`bench ${name} has no default export run(args)`); failed = true; continue; }
    try {
      await mod.default(args);
    } catch (e) {
      console.error(`bench ${name} failed:`, e);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
