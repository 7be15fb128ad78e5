/**
 * Specifies filters on Timestamptz fields (Milvus's syntax): comparisons and
 * `in` against `ISO '...'` literals compare instants, not text; `tsz + INTERVAL
 * 'P1D'` shifts the field's value; `is null`. Checked at compile time: a bad
 * literal, a number or string against the field, or a misplaced INTERVAL is a
 * typed error. Literals print back to text that parses to the same tree.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, filterRows, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { refused, strip, toColumns } from './fixtures.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'ts', dataType: 'Timestamptz', nullable: true },
    { name: 'k', dataType: 'Int64' },
  ],
};
const us = (iso: string) => Date.parse(iso) * 1000;
// Row 2 is null; rows 0 and 3 are one instant.
const table = [
  { id: 0, ts: us('2025-01-01T00:00:00Z'), k: 1 },
  { id: 1, ts: us('2025-01-02T12:00:00Z'), k: 2 },
  { id: 2, ts: null, k: 3 },
  { id: 3, ts: us('2025-01-01T00:00:00Z'), k: 4 },
  { id: 4, ts: us('2024-02-29T23:59:59.5Z'), k: 5 },
  { id: 5, ts: us('2025-01-31T08:00:00Z'), k: 6 },
];
const columns = toColumns(table, ['id', 'ts', 'k']);
/** Parses with a zone for literals without an offset, as the client does (runtime/client/client.ts readPlan), then checks and compiles. */
const checkAndCompile = (text: string, tz?: string) => compileFilter(parseFilter(text, undefined, tz), schema);

test('comparisons compare instants, whatever offset the literal is written in', () => {
  const cases: Array<[string, number[]]> = [
    ["ts == ISO '2025-01-01T00:00:00Z'", [0, 3]],
    ["ts == ISO '2025-01-01T08:00:00+08:00'", [0, 3]],
    ["ts == ISO '2024-12-31T19:00:00-05:00'", [0, 3]],
    ["ts != ISO '2025-01-01T00:00:00Z'", [1, 4, 5]],
    ["ts > ISO '2025-01-01T00:00:00+00:00'", [1, 5]],
    ["ts >= ISO '2025-01-01T09:00:00+09:00'", [0, 1, 3, 5]],
    ["ts < ISO '2025-01-01T00:00:00Z'", [4]],
    ["ts <= ISO '2024-02-29T23:59:59.5Z'", [4]],
    ["ts < ISO '2024-02-29T23:59:59.499999Z'", []],
    ["ISO '2025-01-02T00:00:00Z' < ts", [1, 5]],
    ["ISO '2025-01-01T00:00:00Z' <= ts < ISO '2025-01-02T12:00:00Z'", [0, 3]],
    ["ts in [ISO '2025-01-02T20:00:00+08:00', iso \"2024-03-01T00:59:59.5+01:00\"]", [1, 4]],
    ["ts not in [ISO '2025-01-01T00:00:00Z']", [1, 4, 5]],
    ['ts is null', [2]], ['ts is not null', [0, 1, 3, 4, 5]],
    ["not (ts > ISO '2025-01-01T00:00:00Z')", [0, 3, 4]],
  ];
  for (const [text, rows] of cases) assert.equal(filterRows(checkAndCompile(text), columns, table.length), rows, text);
  // Text order would say otherwise: '2025-01-01T08:00:00+08:00' > '2025-01-01T00:00:00Z' as strings.
  assert.equal(filterRows(checkAndCompile("ts > ISO '2025-01-01T08:00:00+08:00'"), columns, table.length), [1, 5]);
});

test('a literal without an offset is read in the zone the parser is given (the request or collection timezone)', () => {
  assert.equal(filterRows(checkAndCompile("ts == ISO '2025-01-01T00:00:00'"), columns, table.length), [0, 3], 'UTC by default');
  assert.equal(filterRows(checkAndCompile("ts == ISO '2025-01-01 08:00:00'", 'Asia/Shanghai'), columns, table.length), [0, 3]);
  assert.equal(filterRows(checkAndCompile("ts == ISO '2025-01-01T08:00:00'"), columns, table.length), []);
});

test('INTERVAL: the field shifted by an ISO 8601 duration, months on the calendar', () => {
  const cases: Array<[string, number[]]> = [
    ["ts + INTERVAL 'P0D' != ISO '2025-01-01T00:00:00Z'", [1, 4, 5]],
    ["ts + INTERVAL 'P1D' == ISO '2025-01-02T00:00:00Z'", [0, 3]],
    ["ts - INTERVAL 'PT12H' == ISO '2025-01-02T00:00:00Z'", [1]],
    ["ts + interval 'P1DT12H' >= ISO '2025-01-04T00:00:00Z'", [1, 5]],
    ["ts + INTERVAL 'P1M' == ISO '2025-02-28T08:00:00Z'", [5]],
    ["ts + INTERVAL 'P1Y' == ISO '2025-02-28T23:59:59.5Z'", [4]],
    ["ts + INTERVAL 'PT0.5S' == ISO '2024-03-01T00:00:00Z'", [4]],
    ["ts + INTERVAL 'P1D' > ISO '2000-01-01T00:00:00Z'", [0, 1, 3, 4, 5]],
  ];
  for (const [text, rows] of cases) assert.equal(filterRows(checkAndCompile(text), columns, table.length), rows, text);
});

test('literals print as ISO and INTERVAL text that parses to the same tree', () => {
  for (const text of ["ts >= ISO '2025-01-01T08:00:00.25+08:00'", "ts + INTERVAL 'P1Y2M3DT4H5M6S' in [ISO '2025-01-01T00:00:00Z']", "ts - INTERVAL 'PT1H' < ISO '1999-12-31T23:00:00-01:00'"]) {
    const e = checkFilter(parseFilter(text), schema).expr;
    assert.equal(strip(checkFilter(parseFilter(formatFilter(e)), schema).expr), strip(e), text);
  }
  assert.is(formatFilter(parseFilter("ts > ISO '2025-01-01T08:00:00+08:00'")), 'ts > ISO "2025-01-01T00:00:00Z"');
});

test('refused at compile time with typed errors: bad literals, a number or a string against the field, a misplaced INTERVAL', () => {
  const bad: Array<[string, RegExp]> = [
    ["ts > ISO '2025-02-30T00:00:00Z'", /ISO literal .*no such date/],
    ["ts > ISO 'tomorrow'", /ISO literal .*not an ISO 8601 timestamp/],
    ["ts > ISO '1500-01-01T00:00:00Z'", /out of range/],
    ["ts + INTERVAL '1 day' > ISO '2025-01-01T00:00:00Z'", /INTERVAL literal .*not an ISO 8601 duration/],
    ['ts > 1735689600000000', /cannot compare Timestamptz field 'ts' with a number.*ISO/],
    ["ts > '2025-01-01T00:00:00Z'", /cannot compare Timestamptz field 'ts' with a string/],
    ["k > ISO '2025-01-01T00:00:00Z'", /cannot compare Int64 field 'k' with an ISO timestamp/],
    ["ts in [ISO '2025-01-01T00:00:00Z', 3]", /cannot compare/],
    ["ts * INTERVAL 'P1D' > ISO '2025-01-01T00:00:00Z'", /INTERVAL is only added to or subtracted from a Timestamptz/],
    ["INTERVAL 'P1D' + ts > ISO '2025-01-01T00:00:00Z'", /INTERVAL is only added/],
    ["k + INTERVAL 'P1D' > 3", /INTERVAL is only added/],
    ["ts > INTERVAL 'P1D'", /INTERVAL is not a value to compare/],
    ["ts + 1 > ISO '2025-01-01T00:00:00Z'", /arithmetic '\+' needs numbers/],
    ['-ts > 0', /cannot negate/],
  ];
  for (const [text, why] of bad) {
    try { checkFilter(parseFilter(text), schema); assert.unreachable(text); } catch (e) {
      assert.instance(e, ValidationError, text);
      assert.is((e as ValidationError).code, 'InvalidArgument', text);
      assert.match((e as Error).message, why, text);
    }
  }
  assert.match(refused("k > ISO '2025-01-01T00:00:00Z'", schema), /ISO timestamp/);
});

test('a received tree is checked again: a bad ISO or INTERVAL literal value is refused', () => {
  const lit = (type: string, value: unknown) => ({ kind: 'compare', op: '>', left: { kind: 'field', name: 'ts', path: [], pos: 0 }, right: { kind: 'literal', type, value, pos: 5 }, pos: 3 });
  assert.throws(() => checkFilter(lit('timestamptz', 1.5), schema), /bad literal/);
  assert.throws(() => checkFilter(lit('timestamptz', '2025-01-01'), schema), /bad literal/);
  const shifted = { kind: 'compare', op: '>', left: { kind: 'arith', op: '+', left: { kind: 'field', name: 'ts', path: [], pos: 0 }, right: { kind: 'literal', type: 'interval', value: 'P1X', pos: 5 }, pos: 3 }, right: { kind: 'literal', type: 'timestamptz', value: 0, pos: 9 }, pos: 7 };
  assert.throws(() => checkFilter(shifted, schema), /bad literal/);
  assert.ok(checkFilter(lit('timestamptz', 0), schema));
});

test.run();
