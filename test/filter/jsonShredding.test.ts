/**
 * Specifies JSON shredding (actors/shared/segment/jsonShredding.ts,
 * messages/filter/shreddedJson.ts): how a JSON column's paths are classified
 * (typed, dynamic, shared) under Milvus's knobs, and that a filter bound to a
 * shredded column selects exactly the rows the reference interpreter and the
 * unshredded column select, on random documents (missing keys, nulls, mixed
 * types, lists, nested objects, rows that are not objects).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFilter, countMatching, formatFilter, matchingRows, parseFilter, prepareFilter, supportOf } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { pathKey, shreddedOf } from '../../messages/filter/shreddedJson.js';
import { classifyPaths, jsonShreddingConfig, pathStats, shredColumn, shredSegment, shreddedBytes } from '../../actors/shared/segment/jsonShredding.js';
import { ValidationError } from '../../messages/errors.js';
import { COLUMN_NAMES, rng, schema as fixtureSchema, toColumns } from './fixtures.js';
import { interpret } from './referenceInterpreter.js';
import { genCond, genRow } from './randomExpr.js';
import { genDoc, genJsonFilter } from './jsonDocs.js';

const DEFAULTS = { jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 };
const classes = (docs: unknown[], cfg = DEFAULTS) =>
  Object.fromEntries([...classifyPaths(pathStats(docs, docs.length), docs.length, cfg)].map(([k, c]) => [k, c.kind === 'typed' ? `typed ${c.type}` : c.kind]));

// Milvus's example (json-shredding.md): a and f always integers, b mixed, e rare.
const MILVUS_EXAMPLE = [
  { a: 10, b: 'str1', f: 1 }, { a: 20, b: 'str2', f: 2 }, { a: 30, b: 'str3', f: 3 }, { a: 40, b: 1, f: 4 }, { a: 50, b: 2, e: 'rare' },
];

test('classification: the Milvus example gives typed a and f, dynamic b, shared e', () => {
  assert.equal(classes(MILVUS_EXAMPLE), { '["a"]': 'typed number', '["b"]': 'dynamic', '["f"]': 'typed number', '["e"]': 'shared' });
});

test('classification: the ratio threshold and the column cap (most frequent first) move paths to shared', () => {
  assert.equal(classes(MILVUS_EXAMPLE, { ...DEFAULTS, jsonShreddingRatioThreshold: 0.8 }), { '["a"]': 'typed number', '["b"]': 'dynamic', '["f"]': 'shared', '["e"]': 'shared' });
  // "above the threshold": a share equal to it is not enough.
  assert.equal(classes(MILVUS_EXAMPLE, { ...DEFAULTS, jsonShreddingRatioThreshold: 0.2 })['["e"]'], 'shared');
  assert.equal(classes(MILVUS_EXAMPLE, { ...DEFAULTS, jsonShreddingRatioThreshold: 0.19 })['["e"]'], 'typed string');
  assert.equal(classes(MILVUS_EXAMPLE, { ...DEFAULTS, jsonShreddingMaxColumns: 1 }), { '["a"]': 'typed number', '["b"]': 'shared', '["f"]': 'shared', '["e"]': 'shared' });
  assert.equal(classes(MILVUS_EXAMPLE, { ...DEFAULTS, jsonShreddingMaxColumns: 0 }), { '["a"]': 'shared', '["b"]': 'shared', '["f"]': 'shared', '["e"]': 'shared' });
});

test('classification: nulls do not break a type; nested keys are paths; objects or lists alone stay shared; scalars among them are dynamic', () => {
  const docs = [
    { s: 'x', n: { x: 1, y: 'a' }, l: [1], m: 1, ok: true },
    { s: null, n: { x: 2, y: 3 }, l: [2], m: { z: 1 }, ok: false },
    { s: 'y', n: { x: 3.5 }, l: [], m: 2, ok: null },
    'not an object', null, [1, 2],
  ];
  assert.equal(classes(docs), {
    '["s"]': 'typed string', '["n"]': 'shared', '["n","x"]': 'typed number', '["n","y"]': 'dynamic',
    '["l"]': 'shared', '["m"]': 'dynamic', '["m","z"]': 'shared', '["ok"]': 'typed bool',
  });
  const s = shredColumn(docs, docs.length, DEFAULTS);
  const nx = s.paths.get(pathKey(['n', 'x']))!, m = s.paths.get(pathKey(['m']))!;
  assert.ok(nx.kind === 'typed' && nx.type === 'number' && nx.values instanceof Float64Array, 'a float among ints: Float64Array');
  assert.ok(m.kind === 'dynamic' && m.codes.length === 0, 'no strings: no code column');
  const a = shredColumn(MILVUS_EXAMPLE, 5, DEFAULTS).paths.get(pathKey(['a']))!;
  assert.ok(a.kind === 'typed' && a.type === 'number' && a.values instanceof Int32Array, 'int32s: Int32Array');
});

test('config: Milvus names, defaults, and a bad value refused', () => {
  assert.equal(jsonShreddingConfig(), { enabledJSONShredding: true, jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 });
  for (const bad of [{ jsonShreddingRatioThreshold: 2 }, { jsonShreddingRatioThreshold: Number.NaN }, { jsonShreddingMaxColumns: -1 }, { jsonShreddingMaxColumns: 1.5 }, { enabledJSONShredding: 'yes' as never }]) {
    assert.throws(() => jsonShreddingConfig(bad), (e: unknown) => e instanceof ValidationError, JSON.stringify(bad));
  }
});

const SCHEMA: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'meta', dataType: 'JSON', nullable: true },
  ],
};

/** Rows of SCHEMA with random documents in `meta` and in `$meta`. */
function randomRows(seed: number, n: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, id) => {
    const d = genDoc(r);
    return { id, meta: d, $meta: genDoc(r) ?? {} };
  });
}

const CONFIGS = [
  { jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 },
  { jsonShreddingRatioThreshold: 0, jsonShreddingMaxColumns: 1024 },
  { jsonShreddingRatioThreshold: 0.9, jsonShreddingMaxColumns: 2 },
  { jsonShreddingRatioThreshold: 1, jsonShreddingMaxColumns: 0 },
];

test('shredded evaluation agrees with the reference interpreter and the row path, on random documents and filters', () => {
  const SEED = Number(process.env.FILTER_SEED ?? 7);
  const rows = randomRows(SEED, 300);
  const plain = toColumns(rows, ['id', 'meta', '$meta']);
  const r = rng(SEED + 1);
  // The generator writes some filters the checker refuses (a boolean ordered, ...): those are left out.
  const valid = (text: string) => { try { prepareFilter(text, SCHEMA); return true; } catch (e) { if (e instanceof ValidationError) return false; throw e; } };
  const filters = Array.from({ length: 500 }, () => genJsonFilter(r)).filter(valid);
  assert.ok(filters.length > 350, `${filters.length} valid filters`);
  let matched = 0, total = 0;
  const supported = { inside: 0, outside: 0 };
  for (const cfg of CONFIGS) {
    const shredded = toColumns(rows, ['id', 'meta', '$meta']);
    shredSegment({ fields: shredded as Record<string, unknown[]>, count: rows.length } as never, SCHEMA, { enabledJSONShredding: true, ...cfg });
    assert.ok(shreddedOf(shredded.meta) && shreddedOf(shredded.$meta), 'both JSON columns are shredded');
    for (const text of filters) {
      const f = prepareFilter(text, SCHEMA)!;
      const a = f.bind(shredded), b = f.bind(plain);
      const wanted: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const want = interpret(f.expr, rows[i]!) === true;
        if (a(i) !== want || b(i) !== want) assert.unreachable(`${text} ${JSON.stringify(cfg)}\nrow ${JSON.stringify(rows[i])}\nshredded ${a(i)}, rows ${b(i)}, interpreter ${want}`);
        if (want) { matched++; wanted.push(i); }
        total++;
      }
      // A scan that jumps to a shared path's rows (its support) selects the same rows as one that reads them all.
      const s = supportOf(a);
      if (s) supported[s.outside ? 'outside' : 'inside']++;
      const got = matchingRows(a, rows.length), n = countMatching(a, rows.length);
      if (got.join() !== wanted.join() || n !== wanted.length) assert.unreachable(`${text} ${JSON.stringify(cfg)}: support ${JSON.stringify(s && { rows: [...s.rows], outside: s.outside })} selects ${got.join()} (${n}), the interpreter ${wanted.join()}`);
    }
  }
  assert.ok(matched > total * 0.1 && matched < total * 0.9, `matched ${matched} of ${total}`);
  // Both kinds of support were met: false outside a shared path's rows (`>`, `==`, `in`, ...) and true outside (`is null`, ...).
  assert.ok(supported.inside > 100 && supported.outside > 20, JSON.stringify(supported));
});

test('every operator on every class of path (typed number, string, bool; dynamic; shared; nested; absent) against the interpreter', () => {
  const rows = randomRows(11, 400);
  const cols = toColumns(rows, ['id', 'meta', '$meta']);
  shredSegment({ fields: cols as Record<string, unknown[]>, count: rows.length } as never, SCHEMA, { enabledJSONShredding: true, ...DEFAULTS });
  const kinds = Object.fromEntries([...shreddedOf(cols.meta)!.paths].map(([k, p]) => [k, p.kind === 'typed' ? p.type : p.kind]));
  assert.equal([kinds['["a"]'], kinds['["f"]'], kinds['["s"]'], kinds['["ok"]'], kinds['["b"]'], kinds['["n","x"]'], kinds['["e"]']], ['number', 'number', 'string', 'bool', 'dynamic', 'number', 'shared']);
  const paths = ['meta["a"]', 'meta["f"]', 'meta["s"]', 'meta["ok"]', 'meta["b"]', 'meta["n"]["x"]', 'meta["n"]["y"]', 'meta["e"]', 'meta["zz"]', 'a', 'b', 'n["x"]'];
  const literals = ['3', '-5', '2.5', '7.75', '"a"', '"ab"', '"x"', 'true', 'false'];
  let checked = 0;
  for (const p of paths) {
    const texts = [`${p} is null`, `${p} is not null`, `${p} in [3, "ab", true]`, `${p} not in [3, "x"]`, `${p} like "a%"`, `json_contains(${p}, 1)`, `${p} + 1 > 4`];
    // Orderings of booleans are refused by the checker and skipped below.
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) for (const l of literals) texts.push(`${p} ${op} ${l}`, `not (${p} ${op} ${l})`, `${l} ${op} ${p}`);
    for (const text of texts) {
      let f;
      try { f = prepareFilter(text, SCHEMA)!; } catch (e) { if (e instanceof ValidationError) continue; throw e; }
      const m = f.bind(cols);
      for (let i = 0; i < rows.length; i++) {
        const want = interpret(f.expr, rows[i]!) === true;
        if (m(i) !== want) assert.unreachable(`${text}\nrow ${JSON.stringify(rows[i])}\nshredded ${m(i)}, interpreter ${want}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 700, `${checked} filters checked`);
});

test('the shared random filters of the filter language agree too, over shredded j and $meta', () => {
  const r = rng(20240601);
  const rows = Array.from({ length: 64 }, (_, i) => genRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  shredSegment({ fields: cols as Record<string, unknown[]>, count: rows.length } as never, fixtureSchema, { enabledJSONShredding: true, jsonShreddingRatioThreshold: 0, jsonShreddingMaxColumns: 1024 });
  for (let n = 0; n < 1500; n++) {
    const tree = genCond(r, 1 + Math.floor(r() * 4));
    const f = compileFilter(parseFilter(formatFilter(tree)), fixtureSchema), match = f.bind(cols);
    for (let i = 0; i < rows.length; i++) {
      const want = interpret(f.expr, rows[i]!) === true;
      if (match(i) !== want) assert.unreachable(`${formatFilter(tree)}\nrow ${JSON.stringify(rows[i])}\nshredded ${!want}, interpreter ${want}`);
    }
  }
});

test('shredding off leaves the columns as they are; the shredded form is smaller than the rows it shreds', () => {
  const rows = randomRows(3, 200), cols = toColumns(rows, ['id', 'meta', '$meta']);
  shredSegment({ fields: cols as Record<string, unknown[]>, count: 200 } as never, SCHEMA, { enabledJSONShredding: false, ...DEFAULTS });
  assert.is(shreddedOf(cols.meta), undefined);
  const s = shredColumn(cols.meta!, 200, DEFAULTS);
  const rowBytes = rows.reduce((n, row) => n + 2 * (JSON.stringify(row.meta)?.length ?? 0), 0);
  assert.ok(shreddedBytes(s) > 0 && shreddedBytes(s) < rowBytes, `${shreddedBytes(s)} < ${rowBytes}`);
});

test.run();
