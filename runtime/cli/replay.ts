/**
 * `nuthatch replay`: rebuilds vchannel state offline from a local WAL directory,
 * message by message, with the same pure cores the streaming node folds with.
 */
import { resolve, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { LocalWalBackend } from '../wal/local/index.js';
import { formatStep, formatSummary } from '../inspect/formatReplay.js';
import { toJson } from '../inspect/json.js';
import { Replayer, type ReplayOptions, type ReplayStep, type ReplaySummary } from '../inspect/replay.js';
import { localPchannels, readForReplay } from '../inspect/walSource.js';

export const REPLAY_USAGE = `nuthatch replay --data-dir DIR [--pchannel P] [--vchannel V] [--to-tso T | --to-position N] [--step] [--json]
      rebuild state from the local WAL in DIR/wal: each message, transition and rejection, then the state`;

function bad(msg: string): never {
  console.error(`nuthatch replay: ${msg}\nusage: ${REPLAY_USAGE}`);
  process.exit(2);
}

function parse(args: string[]) {
  const { values } = parseArgs({ args, options: {
    'data-dir': { type: 'string', default: process.env.NUTHATCH_DATA_DIR ?? './data' },
    pchannel: { type: 'string' }, vchannel: { type: 'string' },
    'to-tso': { type: 'string' }, 'to-position': { type: 'string' },
    step: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  } });
  if (values['to-tso'] !== undefined && values['to-position'] !== undefined) bad('give --to-tso or --to-position, not both');
  const opts: ReplayOptions = {};
  if (values.vchannel) opts.vchannel = values.vchannel;
  if (values['to-tso'] !== undefined) opts.toTso = /^\d+$/.test(values['to-tso']) ? BigInt(values['to-tso']) : bad(`bad --to-tso '${values['to-tso']}'`);
  if (values['to-position'] !== undefined) {
    const n = Number(values['to-position']);
    opts.toPosition = Number.isInteger(n) && n >= 0 ? n : bad(`bad --to-position '${values['to-position']}'`);
  }
  // A vchannel lives on the pchannel its name starts with (dml_0_100v0 -> dml_0).
  const pchannel = values.pchannel ?? (values.vchannel ? values.vchannel.slice(0, values.vchannel.lastIndexOf('_')) : undefined);
  return { dataDir: resolve(values['data-dir']!), pchannel, opts, step: values.step!, json: values.json! };
}

export async function runReplay(args: string[]): Promise<void> {
  const a = parse(args);
  const walRoot = join(a.dataDir, 'wal');
  const pchannels = a.pchannel ? [a.pchannel] : await localPchannels(walRoot);
  if (pchannels.length === 0) bad(`no WAL under ${walRoot}`);
  const backend = new LocalWalBackend(walRoot);
  const stepping = a.step && !a.json && process.stdin.isTTY === true;
  const rl = stepping ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
  const results: Array<{ steps: ReplayStep[]; summary: ReplaySummary }> = [];
  try {
    for (const p of pchannels) {
      const first = await backend.firstPosition(p);
      if (first > 0 && !a.json) console.log(`note: ${p} is truncated before position ${first}; state before it is not in the log`);
      const r = new Replayer(p, a.opts);
      const steps: ReplayStep[] = [];
      const to = a.opts.toPosition === undefined ? undefined : a.opts.toPosition + 1;
      for await (const x of readForReplay(backend, p, to)) {
        const s = r.step(x);
        if (r.done) break;
        if (!s) continue;
        if (a.json) { steps.push(s); continue; }
        console.log(formatStep(s));
        if (rl) await rl.question('[enter] ');
      }
      if (a.json) results.push({ steps, summary: r.summary() });
      else console.log(formatSummary(r.summary()) + '\n');
    }
  } finally {
    rl?.close();
    await backend.close();
  }
  if (a.json) console.log(toJson({ pchannels: results }, 2));
}
