/**
 * Boost rankers (messages/boostRanker.ts, shared/vector/boostSegment.ts,
 * runtime/client/functionScore.ts): checking, scoring and one segment's
 * re-sort, with no servers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boostedScore, boostOf, checkBoost, randomScore, type BoostRanker, type ShardBoost } from '../../messages/boostRanker.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { boostPool, boostRows, compileBoost } from '../../actors/shared/vector/boostSegment.js';
import { checkSearchRanker } from '../../runtime/client/functionScore.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
  { name: 'category', dataType: 'VarChar', maxLength: 16 }, { name: 'n', dataType: 'Int64' }, { name: 'f', dataType: 'Float' },
] };
const boost = (params: Partial<BoostRanker['params']>): BoostRanker => ({ type: 'Rerank', params: { reranker: 'boost', weight: 2, ...params } });
const refuses = (f: () => unknown, says: RegExp) => {
  try { f(); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, says); return; }
  assert.unreachable(`not refused (${says})`);
};

test('checks: a weight is a finite number, a filter parses against the schema, modes are Multiply or Sum', () => {
  const b = checkBoost([boost({ filter: 'category == "premium"', weight: 1.5 })], undefined, schema);
  assert.is(b.functions[0]!.weight, 1.5);
  assert.ok(b.functions[0]!.filter !== null);
  assert.equal([b.boostMode, b.functionMode], ['Multiply', 'Multiply'], 'both default to Multiply');
  assert.equal(checkBoost([boost({ weight: '0.8' as unknown as number })], { boost_mode: 'sum' as 'Sum', function_mode: 'SUM' as 'Sum' }, schema).functionMode, 'Sum', 'any case, as Milvus parses them');
  assert.is(checkBoost([boost({ weight: '0.8' as unknown as number })], undefined, schema).functions[0]!.weight, 0.8, 'a numeric string weight, as Milvus params are strings');
  refuses(() => checkBoost([boost({ weight: Infinity })], undefined, schema), /weight must be a finite number/);
  refuses(() => checkBoost([boost({ weight: NaN })], undefined, schema), /weight must be a finite number/);
  refuses(() => checkBoost([boost({ weight: 'x' as unknown as number })], undefined, schema), /weight must be a finite number/);
  refuses(() => checkBoost([{ type: 'Rerank', params: { reranker: 'boost' } }], undefined, schema), /weight must be a finite number/);
  refuses(() => checkBoost([boost({ filter: 'category ==' })], undefined, schema), /filter "category ==" is invalid/);
  refuses(() => checkBoost([boost({ filter: 'nope == 1' })], undefined, schema), /filter "nope == 1" is invalid/);
  refuses(() => checkBoost([boost({})], { boost_mode: 'Max' as 'Sum' }, schema), /unknown boost mode "Max"/);
  refuses(() => checkBoost([boost({})], { function_mode: 'Avg' as 'Sum' }, schema), /unknown function mode "Avg"/);
  refuses(() => checkBoost([{ ...boost({}), inputFieldNames: ['n'] as unknown as [] }], undefined, schema), /inputFieldNames must be empty/);
  refuses(() => checkBoost([boost({ random_score: { seed: 1.5 } })], undefined, schema), /seed must be an integer/);
  refuses(() => checkBoost([boost({ random_score: { field: 'f' } })], undefined, schema), /Int64 or VarChar field: 'f' is Float/);
  assert.equal(checkBoost([boost({ random_score: { seed: 7 } })], undefined, schema).functions[0]!.random, { seed: 7, field: 'id' }, 'the primary key by default');
});

test('a FunctionScore splits into the shards\' boost and one decay; two decays, an empty list or Sum without a boost are refused', () => {
  const decay = { type: 'Rerank' as const, inputFieldNames: ['n'] as [string], params: { reranker: 'decay' as const, function: 'exp' as const, origin: 0, scale: 5 } };
  const both = checkSearchRanker({ functions: [boost({}), decay, boost({ weight: 3 })], params: { function_mode: 'Sum' } }, schema);
  assert.equal(both.boost?.functions.map((f) => f.weight), [2, 3]);
  assert.is(both.boost?.functionMode, 'Sum');
  assert.is(both.decay?.field, 'n');
  assert.ok(checkSearchRanker(boost({}), schema).boost && !checkSearchRanker(boost({}), schema).decay, 'a single boost function');
  refuses(() => checkSearchRanker({ functions: [decay, decay] }, schema), /one rerank function besides its boost functions/);
  refuses(() => checkSearchRanker({ functions: [] }, schema), /non-empty list/);
  refuses(() => checkSearchRanker({ functions: [decay], params: { boost_mode: 'Sum' } }, schema), /boost_mode Sum needs a boost function/);
});

test('random_score: deterministic in [0, 1), differs across seeds and values', () => {
  const xs = Array.from({ length: 2000 }, (_, i) => randomScore(126, i));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.equal(xs, Array.from({ length: 2000 }, (_, i) => randomScore(126, i)), 'same seed, same values');
  assert.not.equal(xs.slice(0, 20), Array.from({ length: 20 }, (_, i) => randomScore(127, i)), 'another seed, other values');
  assert.is(new Set(xs).size, xs.length, 'no collisions over 2000 keys');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean > 0.45 && mean < 0.55, `spread evenly (mean ${mean})`);
  assert.is.not(randomScore(1, 5), randomScore(1, '5'), 'an int key and a string key differ');
});

test('boostOf combines matching functions by function_mode; boostedScore meets the score by boost_mode', () => {
  const b = (boostMode: 'Multiply' | 'Sum', functionMode: 'Multiply' | 'Sum', random?: { seed: number; field: string }): ShardBoost => ({
    functions: [{ filter: null, weight: 2 }, { filter: null, weight: 3, ...(random ? { random } : {}) }], boostMode, functionMode,
  });
  const all = () => true;
  assert.is(boostOf(b('Multiply', 'Multiply'), all, () => 0), 6);
  assert.is(boostOf(b('Multiply', 'Sum'), all, () => 0), 5);
  assert.is(boostOf(b('Multiply', 'Sum'), (i) => i === 1, () => 0), 3, 'only the matching function');
  assert.is(boostOf(b('Multiply', 'Sum'), () => false, () => 0), undefined, 'no function matched');
  assert.is(boostOf(b('Multiply', 'Sum', { seed: 9, field: 'id' }), all, () => 42), 2 + 3 * randomScore(9, 42), 'weight × the random value');
  assert.is(boostedScore(b('Multiply', 'Sum'), 0.5, 4), 2);
  assert.is(boostedScore(b('Sum', 'Sum'), 0.5, 4), 4.5);
  assert.is(boostedScore(b('Sum', 'Sum'), 0.5, undefined), 0.5, 'unmatched rows keep their score');
});

test('one segment: matching candidates re-scored, re-sorted in the metric order, best k kept', () => {
  const columns = { id: [10, 11, 12, 13], category: ['premium', 'basic', 'basic', 'premium'] };
  const hits = [{ row: 1, distance: 0.9 }, { row: 2, distance: 0.8 }, { row: 0, distance: 0.5 }, { row: 3, distance: 0.1 }];
  const ip = compileBoost(checkBoost([boost({ filter: 'category == "premium"', weight: 2 })], undefined, schema), schema);
  assert.equal(boostRows(ip, columns, hits, 'IP', 3), [{ row: 0, distance: 1 }, { row: 1, distance: 0.9 }, { row: 2, distance: 0.8 }]);
  // L2: smaller is better, so a weight below 1 promotes (as Milvus documents) and above 1 demotes.
  const l2 = [{ row: 3, distance: 0.1 }, { row: 2, distance: 0.2 }, { row: 1, distance: 0.3 }, { row: 0, distance: 0.4 }];
  const promote = compileBoost(checkBoost([boost({ filter: 'category == "premium"', weight: 0.2 })], undefined, schema), schema);
  assert.equal(boostRows(promote, columns, l2, 'L2', 4).map((h) => h.row), [3, 0, 2, 1]);
  const demote = compileBoost(checkBoost([boost({ filter: 'category == "premium"', weight: 10 })], undefined, schema), schema);
  assert.equal(boostRows(demote, columns, l2, 'L2', 4).map((h) => h.row), [2, 1, 3, 0]);
  assert.is(boostPool(10), 40, 'a boosted search ranks 4×k candidates a segment');
});

test.run();
