/**
 * Property: on random well-typed filters over random rows (nulls, missing JSON
 * keys, mixed JSON kinds, Array elements past the end), the compiled predicate selects exactly the rows the
 * plain three-valued interpreter says are true; and printing then parsing a tree
 * gives the same tree.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { COLUMN_NAMES, rng, schema, strip, toColumns } from './fixtures.js';
import { interpret } from './referenceInterpreter.js';
import { genCond, genRow } from './randomExpr.js';

const SEED = Number(process.env.FILTER_SEED ?? 20240601);
const EXPRESSIONS = 1500, ROWS = 64;

test(`compiled predicates agree with the interpreter (seed ${SEED})`, () => {
  const r = rng(SEED);
  const rows = Array.from({ length: ROWS }, (_, i) => genRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  let matched = 0, total = 0;
  for (let n = 0; n < EXPRESSIONS; n++) {
    const tree = genCond(r, 1 + Math.floor(r() * 4));
    const text = formatFilter(tree);
    const parsed = parseFilter(text);
    assert.equal(strip(parsed), strip(tree), `round trip of ${text}`);
    const f = compileFilter(parsed, schema);
    const match = f.bind(cols);
    for (let i = 0; i < ROWS; i++) {
      const want = interpret(f.expr, rows[i]!) === true;
      if (match(i) !== want) assert.unreachable(`${text}\nrow ${JSON.stringify(rows[i])}\ncompiled ${!want}, interpreter ${want}`);
      if (want) matched++;
      total++;
    }
  }
  // The generator must exercise both outcomes, or the agreement says little.
  assert.ok(matched > total * 0.1 && matched < total * 0.9, `matched ${matched} of ${total}`);
});

test.run();
