/**
 * A filter that pins the partition key reads only the partitions its values
 * route to; one that does not, reads them all. Property: on random filters
 * over random rows, every row a filter matches lies in a partition pruning kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, parseFilter, type Expr } from '../../messages/filter/index.js';
import type { CollectionSchema, FieldSchema } from '../../messages/schema.js';
import { pinnedKeys, prunedPartitionIds } from '../../actors/shared/partitionKey/keyPruning.js';
import { routeKey } from '../../actors/shared/partitionKey/keyPartitions.js';
import { COLUMN_NAMES, rng, schema as fixtureSchema, toColumns } from '../filter/fixtures.js';
import { genCond, genRow } from '../filter/randomExpr.js';

/** The filter fixtures' schema with its Int64 field `k` as the partition key. */
const schema: CollectionSchema = { ...fixtureSchema, fields: fixtureSchema.fields.map((f) => (f.name === 'k' ? { ...f, isPartitionKey: true } : f)) };
const key = schema.fields.find((f) => f.name === 'k')!;
const textSchema: CollectionSchema = {
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 't', dataType: 'VarChar', maxLength: 16, isPartitionKey: true }, { name: 'n', dataType: 'Int64' }],
};
const textKey = textSchema.fields.find((f) => f.name === 't')!;

const checked = (text: string, s: CollectionSchema = schema): Expr => checkFilter(parseFilter(text), s).expr;
const pins = (text: string, s: CollectionSchema = schema, f: FieldSchema = key) => {
  const p = pinnedKeys(checked(text, s), f);
  return p ? [...p].sort() : null;
};

test('key == v and key in [..] pin their values, either side of ==', () => {
  assert.equal(pins('k == 3'), [3]);
  assert.equal(pins('3 == k'), [3]);
  assert.equal(pins('k in [1, 2, 2]'), [1, 2]);
  assert.equal(pins('k == -4'), [-4]);
  assert.equal(pins('t == "acme"', textSchema, textKey), ['acme']);
  assert.equal(pins('t in ["a", "b"]', textSchema, textKey), ['a', 'b']);
});

test('conjunctions keep the values every pinning term allows; other terms do not widen them', () => {
  assert.equal(pins('k == 3 and age > 10'), [3]);
  assert.equal(pins('age > 10 and (k in [1, 3] and name like "a%")'), [1, 3]);
  assert.equal(pins('k in [1, 2, 3] and k in [2, 3, 4]'), [2, 3]);
  assert.equal(pins('k == 1 and k == 2'), [], 'no key satisfies both: no partition');
  assert.equal(pins('t == "a" and n == 5', textSchema, textKey), ['a']);
});

test('a disjunction pins only when every branch does', () => {
  assert.equal(pins('k == 1 or k in [2, 5]'), [1, 2, 5]);
  assert.equal(pins('(k == 1 and age > 3) or k == 4'), [1, 4]);
  assert.is(pins('k == 1 or age > 3'), null);
  assert.is(pins('k == 1 or k > 4'), null);
});

test('negations, inequalities, ranges, arithmetic and other fields pin nothing', () => {
  for (const text of ['k != 3', 'not (k == 3)', 'k not in [1, 2]', 'k > 3', 'k >= 3 and k <= 3', 'k + 0 == 3', 'age == 3', 'id == 3', 'k == 2.5', 'k == age']) {
    assert.is(pins(text), null, text);
  }
  assert.is(pins('t like "a%"', textSchema, textKey), null);
  assert.is(pins('n == 3', textSchema, textKey), null);
});

test('pruned partitions: the distinct partitions the pinned values route to, ascending; null reads all', () => {
  const ids = [50, 51, 52, 53];
  assert.equal(prunedPartitionIds(checked('k in [1, 2, 3, 1]'), key, ids), [...new Set([1, 2, 3].map((v) => routeKey(v, ids)))].sort((a, b) => a - b));
  assert.equal(prunedPartitionIds(checked('k == 1 and k == 2'), key, ids), []);
  assert.is(prunedPartitionIds(checked('age > 1'), key, ids), null);
  assert.is(prunedPartitionIds(null, key, ids), null);
});

const SEED = Number(process.env.FILTER_SEED ?? 7031);

test(`every matched row is in a kept partition (random filters, seed ${SEED})`, () => {
  const r = rng(SEED);
  const rows = Array.from({ length: 96 }, (_, i) => genRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  const ids = [7, 8, 9, 10, 11];
  const pinOf = (): Expr => (r() < 0.5
    ? { kind: 'compare', op: '==', left: { kind: 'field', name: 'k', path: [], pos: 0 }, right: { kind: 'literal', type: 'int', value: Math.floor(r() * 11) - 5, pos: 0 }, pos: 0 }
    : { kind: 'in', arg: { kind: 'field', name: 'k', path: [], pos: 0 }, values: [0, 1].map(() => ({ kind: 'literal' as const, type: 'int' as const, value: Math.floor(r() * 11) - 5, pos: 0 })), negated: false, pos: 0 });
  let pruned = 0, matched = 0;
  for (let n = 0; n < 2000; n++) {
    // Random trees, half of them anchored by a pinning term so pruning is exercised.
    const shape = r();
    const tree: Expr = shape < 0.3 ? genCond(r, 1 + Math.floor(r() * 3))
      : shape < 0.7 ? { kind: 'and', args: [pinOf(), genCond(r, 2)], pos: 0 }
        : { kind: 'or', args: [{ kind: 'and', args: [pinOf(), genCond(r, 1)], pos: 0 }, r() < 0.7 ? pinOf() : genCond(r, 1)], pos: 0 };
    const f = compileFilter(tree, schema);
    const keep = prunedPartitionIds(f.expr, key, ids);
    if (keep === null) continue;
    pruned++;
    const match = f.bind(cols);
    for (let i = 0; i < rows.length; i++) {
      if (!match(i)) continue;
      matched++;
      const home = routeKey(rows[i]!.k as number, ids);
      if (!keep.includes(home)) assert.unreachable(`row ${i} (k=${String(rows[i]!.k)}) matches but its partition ${home} was pruned: ${JSON.stringify(tree)}`);
    }
  }
  assert.ok(pruned > 800, `pruning must be exercised: ${pruned} of 2000 filters pruned`);
  assert.ok(matched > 1000, `pruned filters must match rows: ${matched}`);
});

test.run();
