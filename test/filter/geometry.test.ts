/** Geometry operators in filters: parsing, type checks, evaluation with nulls, `not`, `and`/`or` and templates. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { compileFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { interpret } from './referenceInterpreter.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'geo', dataType: 'Geometry', nullable: true },
  { name: 'place', dataType: 'Geometry', defaultValue: 'POINT (50 50)' },
  { name: 'tag', dataType: 'VarChar', maxLength: 10 },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
] };
const geos = [
  'POINT (5 5)', 'POINT (0 5)', 'POINT (20 20)', null, 'LINESTRING (5 5, 15 5)', 'POLYGON ((2 2, 8 2, 8 8, 2 8, 2 2))',
  'POLYGON ((5 5, 15 5, 15 15, 5 15, 5 5))', 'MULTIPOINT ((1 1), (30 30))', 'GEOMETRYCOLLECTION EMPTY', 'POINT (10.0001 10)',
];
const tags = geos.map((_, i) => (i % 2 === 0 ? 'even' : 'odd'));
const places = geos.map((_, i) => (i === 0 ? null : 'POINT (1 1)'));
const columns = { id: geos.map((_, i) => i), geo: geos, tag: tags, place: places };
const SQ = 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))';
const matching = (filter: string, params?: Record<string, unknown>) => {
  const f = compileFilter(parseFilter(filter, params), schema);
  const m = f.bind(columns);
  const got = geos.map((_, i) => i).filter((i) => m(i));
  // The compiled predicate agrees with the plain interpreter.
  const want = geos.map((_, i) => i).filter((i) => interpret(f.expr, { id: i, geo: geos[i], tag: tags[i], place: places[i] ?? 'POINT (50 50)' }) === true);
  assert.equal(got, want, `interpreter: ${filter}`);
  return got;
};

test('each operator against a square', () => {
  assert.equal(matching(`ST_WITHIN(geo, '${SQ}')`), [0, 5]);
  assert.equal(matching(`ST_INTERSECTS(geo, '${SQ}')`), [0, 1, 4, 5, 6, 7]);
  assert.equal(matching(`ST_TOUCHES(geo, '${SQ}')`), [1]);
  assert.equal(matching(`ST_CROSSES(geo, '${SQ}')`), [4, 7]);
  assert.equal(matching(`ST_OVERLAPS(geo, '${SQ}')`), [6]);
  // A point on a line's end or a polygon's corner is on its boundary: not contained.
  assert.equal(matching(`ST_CONTAINS(geo, 'POINT (5 5)')`), [0, 5]);
  assert.equal(matching(`st_equals(geo, 'POINT(5 5)')`), [0]);
  assert.equal(matching(`ST_CONTAINS(geo, 'POLYGON EMPTY')`), []);
});

test('ST_DWITHIN measures meters from a point', () => {
  // 0.0001 degree of longitude at 10 degrees north is about 10.95 m.
  assert.equal(matching("ST_DWITHIN(geo, 'POINT (10 10)', 11)"), [6, 9]);
  assert.equal(matching("ST_DWITHIN(geo, 'POINT (10 10)', 10)"), [6], 'the polygon covering the point is at 0 m');
  assert.equal(matching('ST_DWITHIN(geo, {p}, {d})', { p: 'POINT (5 5)', d: 0 }), [0, 4, 5, 6]);
});

test('nulls are unknown under not; operators compose with and/or and other predicates', () => {
  assert.equal(matching(`not ST_INTERSECTS(geo, '${SQ}')`), [2, 8, 9]);
  assert.equal(matching(`ST_INTERSECTS(geo, '${SQ}') and tag == "even"`), [0, 4, 6]);
  assert.equal(matching(`ST_WITHIN(geo, '${SQ}') or id == 2 or geo is null`), [0, 2, 3, 5]);
  assert.equal(matching(`not (ST_WITHIN(geo, '${SQ}') or tag == "odd")`), [2, 4, 6, 8]);
  assert.equal(matching('ST_WITHIN(geo, {area})', { area: SQ }), [0, 5]);
  // A null of a field with a default reads as the default.
  assert.equal(matching("ST_EQUALS(place, 'POINT (50 50)')"), [0]);
});

test('the tree prints back to text that parses to it, with canonical WKT', () => {
  const e = parseFilter("st_dwithin(geo, 'point(1 2)', 5.5) and ST_CONTAINS(geo, 'POLYGON((0 0,1 0,1 1,0 0))')");
  const text = formatFilter(e);
  assert.is(text, `(ST_DWITHIN(geo, "POINT (1 2)", 5.5)) and (ST_CONTAINS(geo, "POLYGON ((0 0, 1 0, 1 1, 0 0))"))`);
  assert.equal(formatFilter(parseFilter(text)), text);
});

test('bad geometry filters are ValidationErrors that say what is wrong', () => {
  const refused: Array<[string, RegExp, Record<string, unknown>?]> = [
    ["ST_CONTAINS(geo, 'POINT (1)')", /not valid WKT/],
    ["St_Contains(geo, 'POINT (1 2)')", /all upper case or all lower case/],
    ["ST_NEAR(geo, 'POINT (1 2)')", /unknown function/],
    ["ST_CONTAINS(tag, 'POINT (1 2)')", /needs a Geometry field/],
    ["ST_CONTAINS(nope, 'POINT (1 2)')", /unknown field/],
    ['ST_CONTAINS(geo, 5)', /WKT string/],
    ["ST_CONTAINS(geo, 'POINT (1 2)', 5)", /two arguments/],
    ["ST_DWITHIN(geo, 'POINT (1 2)')", /distance in meters/],
    ["ST_DWITHIN(geo, 'POINT (1 2)', -1)", /distance in meters/],
    ["ST_DWITHIN(geo, 'LINESTRING (0 0, 1 1)', 5)", /must be 'POINT/],
    ["geo == 'POINT (1 2)'", /only by the ST_ operators/],
    ["geo in ['POINT (1 2)']", /only by the ST_ operators/],
    ['ST_WITHIN(geo, {p})', /WKT string/, { p: 3 }],
    ['ST_WITHIN(geo, {p})', /not valid WKT/, { p: 'POLYGON ((0 0, 1 0, 0 0))' }],
  ];
  for (const [text, re, params] of refused) {
    try {
      compileFilter(parseFilter(text, params), schema);
      assert.unreachable(text);
    } catch (e) {
      assert.instance(e, ValidationError, text);
      assert.match((e as Error).message, re, text);
    }
  }
});

test.run();
