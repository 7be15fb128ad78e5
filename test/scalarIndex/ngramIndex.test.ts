/**
 * NGRAM indexes (Milvus 2.6): grams of min_gram..max_gram code points, case
 * kept; a `like` narrowed to the rows holding its literal runs' grams and
 * always checked after; params checked as Milvus checks them; the file
 * round trip, old files still read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { checkFilter, compileFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { filterPlanner } from '../../actors/query-node/core/filterPlanner.js';
import { likeRuns } from '../../messages/filter/like.js';
import { buildNgramIndex, gramRangeOf, gramsOf, likeGrams } from '../../actors/shared/scalarIndex/ngramIndex.js';
import { planFilter } from '../../actors/shared/scalarIndex/indexPlan.js';
import { decodeScalarIndex, encodeScalarIndex } from '../../actors/shared/scalarIndex/scalarIndexFile.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import { jsonShapeOf } from '../../actors/shared/scalarIndex/jsonIndex.js';
import { crc32 } from '../../actors/shared/segment/crc32.js';
import { schema } from '../filter/fixtures.js';

const sorted = (s: Iterable<string>) => [...s].sort();

test('grams: every length in min..max, by code point, case and spaces kept (Milvus examples)', () => {
  assert.equal(sorted(gramsOf('text', { min: 2, max: 4 })), sorted(['te', 'ex', 'xt', 'tex', 'ext', 'text']));
  assert.equal(sorted(gramsOf('向量数据库', { min: 2, max: 2 })), sorted(['向量', '量数', '数据', '据库']));
  assert.equal(sorted(gramsOf('AI d', { min: 2, max: 3 })), sorted(['AI', 'I ', ' d', 'AI ', 'I d']));
  assert.ok(gramsOf('Database', { min: 2, max: 2 }).has('Da') && !gramsOf('Database', { min: 2, max: 2 }).has('da'), 'case sensitive');
  assert.equal(sorted(gramsOf('🦜a🦜', { min: 2, max: 2 })), sorted(['🦜a', 'a🦜']), 'a surrogate pair is one character');
  assert.equal(gramsOf('a', { min: 2, max: 3 }).size, 0, 'shorter than min_gram: no gram');
  assert.equal(sorted(gramsOf('aaaa', { min: 2, max: 2 })), ['aa'], 'distinct grams');
});

test('like runs and their grams: max_gram windows of long runs, the run itself when short enough, none below min_gram', () => {
  assert.equal(likeRuns('%ab_c\\%d%e'), ['ab', 'c%d', 'e']);
  assert.equal(likeGrams('%database%', { min: 2, max: 3 }), ['dat', 'ata', 'tab', 'aba', 'bas', 'ase']);
  assert.equal(likeGrams('data%', { min: 2, max: 4 }), ['data']);
  assert.equal(likeGrams('%ab%x_yz', { min: 2, max: 3 }), ['ab', 'yz']);
  assert.equal(likeGrams('%a_b%', { min: 2, max: 3 }), null, 'no run reaches min_gram');
  assert.equal(likeGrams('%', { min: 1, max: 3 }), null);
  assert.equal(likeGrams('%\\_\\%%', { min: 2, max: 2 }), ['_%'], 'escaped wildcards are literal');
  assert.equal(likeGrams('%🦜🦜x%', { min: 2, max: 2 }), ['🦜🦜', '🦜x']);
  assert.equal(likeGrams('%\uD83Dab%', { min: 2, max: 3 }), null, 'a lone surrogate run is left out');
});

test('params are checked as Milvus checks them, with typed errors', () => {
  assert.equal(gramRangeOf({ min_gram: 2, max_gram: 3 }), { min: 2, max: 3 });
  assert.equal(gramRangeOf({ min_gram: '1', max_gram: '1' }), { min: 1, max: 1 });
  const refused = (params: Record<string, unknown>, why: RegExp) =>
    assert.throws(() => gramRangeOf(params), (e: unknown) => e instanceof ValidationError && why.test(e.message), JSON.stringify(params));
  refused({ max_gram: 3 }, /must specify both min_gram and max_gram/);
  refused({ min_gram: 2 }, /must specify both min_gram and max_gram/);
  refused({ min_gram: 'abc', max_gram: 3 }, /min_gram for NGRAM index must be an integer/);
  refused({ min_gram: 2, max_gram: 2.5 }, /max_gram for NGRAM index must be an integer/);
  refused({ min_gram: 5, max_gram: 3 }, /invalid min_gram or max_gram/);
  refused({ min_gram: 0, max_gram: 3 }, /invalid min_gram or max_gram/);
  refused({ min_gram: -1, max_gram: 3 }, /invalid min_gram or max_gram/);
  refused({ min_gram: 1, max_gram: 256 }, /at most 255/);
});

const TEXTS = ['database', 'Database', 'data base', null, 'base', '', 'ab', undefined, '向量数据库', 'x🦜y'];
const ngram = (min = 2, max = 3): SortedIndex => buildNgramIndex(TEXTS, TEXTS.length, { kind: 'string', elements: false }, { min, max });

test('build: one entry per distinct gram of a row, grams ascending, rows ascending within a gram', () => {
  const ix = ngram(2, 2);
  const at = (g: string) => Array.from(ix.rows).filter((_, i) => ix.values[i] === g);
  assert.equal(at('ba'), [0, 1, 2, 4]);
  assert.equal(at('da'), [0, 2]);
  assert.equal(at('Da'), [1]);
  assert.equal(at('🦜y'), [9]);
  assert.ok(ix.elements && ix.grams!.min === 2 && ix.kind === 'string');
  for (let i = 1; i < ix.rows.length; i++) assert.ok(ix.values[i - 1]! < ix.values[i]! || (ix.values[i - 1] === ix.values[i] && ix.rows[i - 1]! < ix.rows[i]!));
  assert.throws(() => buildNgramIndex([1], 1, { kind: 'string', elements: false }, { min: 1, max: 1 }), (e: unknown) => e instanceof ValidationError);
});

const field = (name: string) => schema.fields.find((f) => f.name === name)!;
function plan(text: string, indexes: Map<string, SortedIndex>) {
  const expr = checkFilter(parseFilter(text), schema).expr;
  const p = planFilter(expr, (f) => indexes.get(f));
  return p && { rows: Array.from(termRows(p.term, indexes, TEXTS.length).toRows()), residual: p.residual && formatFilter(p.residual) };
}

test('planning: like narrows to the rows with its grams and stays in the residual; other terms are not answered', () => {
  assert.ok(field('name').dataType === 'VarChar');
  const ix = new Map([['name', ngram(2, 3)]]);
  const printed = (t: string) => formatFilter(checkFilter(parseFilter(t), schema).expr);
  assert.equal(plan('name like "%ata%"', ix), { rows: [0, 1, 2], residual: printed('name like "%ata%"') });
  assert.equal(plan('name like "data%"', ix), { rows: [0, 2], residual: printed('name like "data%"') }, 'prefix: "Database" holds ata, not dat');
  assert.equal(plan('name like "%base"', ix), { rows: [0, 1, 2, 4], residual: printed('name like "%base"') }, 'suffix');
  assert.equal(plan('name like "%ata%base"', ix), { rows: [0, 1, 2], residual: printed('name like "%ata%base"') }, 'several runs intersect');
  assert.equal(plan('name like "%数据%"', ix), { rows: [8], residual: printed('name like "%数据%"') });
  assert.equal(plan('name like "%atab%" and k > 1', ix), { rows: [0, 1], residual: printed('name like "%atab%" and k > 1') });
  assert.equal(plan('name like "%zz%"', ix), { rows: [], residual: printed('name like "%zz%"') });
  for (const t of ['name == "base"', 'name in ["ab"]', 'name > "a"', 'name is null', 'name not like "%ata%"', 'not (name like "%ata%")', 'name like "%a%"', 'name like "a_b%"']) {
    assert.is(plan(t, ix), null, t);
  }
  assert.is(plan('name like "%ata%" or k > 1', ix), null, 'an or with an unanswered side');
  assert.equal(plan('name like "%ata%" or name like "%向量%"', ix)!.rows, [0, 1, 2, 8]);
});

test('planning on a JSON path NGRAM index (VARCHAR): like narrows; non-string values are no candidates and never match', () => {
  const js = [{ a: 'database' }, { a: 5 }, { a: ['database'] }, null, { a: 'base' }, {}, { a: 'ab' }, { a: 'xdatay' }, 'database', { a: 'Data' }];
  const shape = { ...jsonShapeOf('VARCHAR') };
  const col = js.map((v) => (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { a?: unknown }).a === 'string' ? (v as { a: string }).a : undefined));
  const ix = new Map([['j["a"]', buildNgramIndex(col, js.length, shape, { min: 2, max: 2 })]]);
  const p = plan('j["a"] like "%ata%"', ix)!;
  assert.equal(p.rows, [0, 7, 9], "Data holds at and ta: a candidate the like then refuses");
  assert.ok(p.residual?.includes('like'));
  for (const t of ['array_contains(j["a"], "at")', 'j["a"] == "at"', 'j["a"] in ["at"]', 'j["a"] > "a"']) assert.is(plan(t, ix), null, `${t}: grams are no values`);
});

test('a read plans with an NGRAM index, not on a field with a default (rows written before the field read as it), and per gram range', () => {
  const ix = ngram(2, 3);
  const withDefault = { ...schema, fields: schema.fields.map((f) => (f.name === 'name' ? { ...f, defaultValue: 'database' } : f)) };
  const read = (sch: typeof schema) => filterPlanner(compileFilter(parseFilter('name like "%ata%"'), sch), sch);
  const p = read(schema);
  assert.ok(p(new Map([['name', ix]])), 'planned');
  assert.is(read(withDefault)(new Map([['name', ix]])), null, 'not on a defaulted field');
  const t2 = p(new Map([['name', ngram(1, 2)]]))!.term;
  assert.equal(t2, { kind: 'and', terms: [{ kind: 'lookup', field: 'name', lookup: { op: 'in', keys: ['at'] } }, { kind: 'lookup', field: 'name', lookup: { op: 'in', keys: ['ta'] } }] }, 'another gram range is planned afresh');
});

test('file round trip: grams kept, flags checked, old files read as ever', () => {
  const ix = ngram(2, 3);
  const back = decodeScalarIndex(encodeScalarIndex(ix));
  assert.equal({ ...back, values: [...back.values as string[]], rows: [...back.rows] }, { ...ix, values: [...ix.values as string[]], rows: [...ix.rows] });
  assert.equal(back.grams, { min: 2, max: 3 });
  const json = buildNgramIndex(['ab'], 1, jsonShapeOf('VARCHAR'), { min: 1, max: 255 });
  assert.equal(decodeScalarIndex(encodeScalarIndex(json)).grams, { min: 1, max: 255 });
  assert.ok(decodeScalarIndex(encodeScalarIndex(json)).json);
  const plainIx = buildSortedIndex(['a', 'b'], 2, { kind: 'string', elements: false });
  assert.is(decodeScalarIndex(encodeScalarIndex(plainIx)).grams, undefined, 'a file without flag 8 has no grams');
  // Gram lengths without the flag, or a flag with bad lengths, are refused (checksum made good again).
  for (const flags of [1 | (2 << 16) | (3 << 24), 8 | 1 | (3 << 16) | (2 << 24), 8 | 1 | (0 << 16) | (2 << 24), 8 | (2 << 16) | (3 << 24)]) {
    assert.throws(() => decodeScalarIndex(withFlags(encodeScalarIndex(ix), flags)), (e: unknown) => e instanceof DecodeError && /flags|gram lengths/.test(e.message), flags.toString(16));
  }
});

/** A file with its flags word replaced and its checksum recomputed: the decoder's checks, not the checksum, must refuse it. */
function withFlags(bytes: Uint8Array, flags: number): Uint8Array {
  const out = bytes.slice(), v = new DataView(out.buffer);
  v.setUint32(12, flags >>> 0, true);
  v.setUint32(28, crc(out), true);
  return out;
}
const crc = (b: Uint8Array) => crc32(b.subarray(32), crc32(b.subarray(0, 28)));

test.run();
