/**
 * What StructArray element operators (element_filter, MATCH_*) cost per row:
 * a segment's rows scanned with the condition bound once to scratch columns
 * each row's elements are copied into (messages/filter/elementMatch.ts),
 * against the baseline of the same run, which builds each row's element
 * columns and binds the condition to them row by row (what every row cost
 * before; kept below). Same rows, same answers (the bench checks).
 *
 *   npm run bench -- elementFilter [--rows 200000] [--reps 5]
 *
 * Writes bench/results/elementFilter.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFilter, type CompiledFilter, type RowPredicate } from '../messages/filter/evaluate.js';
import { checkFilter, parseFilter } from '../messages/filter/index.js';
import type { ElementMatchNode } from '../messages/filter/ast.js';
import { elementMatchRows } from '../messages/filter/elementMatch.js';
import { elementSchema } from '../messages/structArray.js';
import type { CollectionSchema, FieldSchema } from '../messages/schema.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';

const chunks: FieldSchema = { name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 8, structFields: [
  { name: 'text', dataType: 'VarChar', maxLength: 64 }, { name: 'page', dataType: 'Int32' }, { name: 'score', dataType: 'Double' },
] } as FieldSchema;
const WORDS = ['Red apple', 'red', 'Green pear', 'blue sky', 'Red van', 'yellow'];

/** The conditions measured, with how many matching elements satisfy each. */
const CASES: ReadonlyArray<{ name: string; cond: string; enough: (m: number, n: number) => boolean }> = [
  { name: 'element_filter(like)', cond: '$[text] like "Red%"', enough: (m) => m >= 1 },
  { name: 'MATCH_ALL(page < 8)', cond: '$[page] < 8', enough: (m, n) => m === n },
  { name: 'MATCH_LEAST(2 conds, 2)', cond: '$[score] > 0.3 and $[page] != 3', enough: (m) => m >= 2 },
];

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'rows', 200_000), reps = numberOption(args, 'reps', 5);
  let seed = 11;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  const column = Array.from({ length: n }, () => Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => ({ text: WORDS[Math.floor(rnd() * WORDS.length)]!, page: Math.floor(rnd() * 10), score: rnd() })));
  const schema = elementSchema(chunks);
  const collection = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, chunks] } as CollectionSchema;
  const scan = (bound: boolean, c: (typeof CASES)[number]) => {
    // Checked as the operator's condition (its `$[sub]` names), then compiled against the element schema as evaluate.ts does.
    const whole = checkFilter(parseFilter(`element_filter(chunks, ${c.cond})`), collection).expr as ElementMatchNode;
    const inner = compileFilter(whole.pred, schema);
    const times: number[] = [];
    let hits = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const p = bound ? elementMatchRows(column, inner, c.enough, false) : perRowBinding(column, inner, c.enough);
      hits = 0;
      for (let i = 0; i < n; i++) if (p(i)) hits++;
      times.push(performance.now() - t0);
    }
    return { ms: times.sort((a, b) => a - b)[reps >> 1]!, hits };
  };
  const results = CASES.map((c) => {
    const base = scan(false, c), once = scan(true, c);
    if (base.hits !== once.hits) throw new Error(`${c.name}: the bound-once scan found ${once.hits} rows, the per-row one ${base.hits}`);
    return { name: c.name, rows: n, hits: once.hits, perRowMs: base.ms, boundOnceMs: once.ms, perRowMrowsPerS: n / base.ms / 1000, boundOnceMrowsPerS: n / once.ms / 1000, speedup: base.ms / once.ms };
  });
  printTable(['condition', 'rows passing', 'bound per row (baseline) ms', 'bound once ms', 'M rows/s', 'x baseline'],
    results.map((r) => [r.name, r.hits, r.perRowMs.toFixed(1), r.boundOnceMs.toFixed(1), r.boundOnceMrowsPerS.toFixed(2), r.speedup.toFixed(2)]));
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}elementFilter.json`, JSON.stringify({ rows: n, reps, results, node: process.version, date: new Date().toISOString() }, null, 2));
}

/** The baseline: each row's elements laid out as columns and the condition bound to them, row by row. */
function perRowBinding(c: ReadonlyArray<ReadonlyArray<Record<string, unknown>>>, inner: CompiledFilter, enough: (m: number, n: number) => boolean): RowPredicate {
  const names = inner.fields, subs = names.map((x) => x.slice(2, -1));
  return (i) => {
    const els = c[i] ?? [];
    const ec: Record<string, unknown[]> = {};
    names.forEach((x, j) => { ec[x] = els.map((e) => e[subs[j]!]); });
    const p = inner.bind(ec);
    let m = 0;
    for (let k = 0; k < els.length; k++) if (p(k)) m++;
    return enough(m, els.length);
  };
}
