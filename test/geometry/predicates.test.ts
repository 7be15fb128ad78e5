/**
 * Milvus's geometry operators on hand-worked cases: each row names A, B and
 * the operators that hold of (A, B) (every other operator must not), by the
 * DE-9IM definitions GEOS uses.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { candidateBox, dwithin, haversineMeters, prepared, relateWkt, type RelateOp } from '../../messages/geometry/predicates.js';
import { geoTest } from '../../messages/filter/geoEvaluate.js';

const OPS: RelateOp[] = ['ST_EQUALS', 'ST_TOUCHES', 'ST_OVERLAPS', 'ST_CROSSES', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN'];
const SQ = 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))';
const HOLED = 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))';

/** [A, B, the operators that hold]. */
const CASES: Array<[string, string, RelateOp[]]> = [
  // point / point
  ['POINT (1 1)', 'POINT (1 1)', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['POINT (1 1)', 'POINT (2 2)', []],
  ['MULTIPOINT ((1 1), (2 2))', 'POINT (1 1)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['MULTIPOINT ((1 1), (2 2))', 'MULTIPOINT ((2 2), (3 3))', ['ST_OVERLAPS', 'ST_INTERSECTS']],
  ['MULTIPOINT ((1 1), (2 2))', 'MULTIPOINT ((2 2), (1 1))', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  // point / line
  ['POINT (5 0)', 'LINESTRING (0 0, 10 0)', ['ST_WITHIN', 'ST_INTERSECTS']],
  ['POINT (0 0)', 'LINESTRING (0 0, 10 0)', ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['POINT (5 1)', 'LINESTRING (0 0, 10 0)', []],
  ['LINESTRING (0 0, 10 0)', 'POINT (5 0)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['POINT (0 0)', 'LINESTRING (0 0, 10 0, 10 10, 0 0)', ['ST_WITHIN', 'ST_INTERSECTS']],
  ['MULTIPOINT ((5 0), (20 20))', 'LINESTRING (0 0, 10 0)', ['ST_CROSSES', 'ST_INTERSECTS']],
  ['MULTIPOINT ((0 0), (10 0))', 'LINESTRING (0 0, 10 0)', ['ST_TOUCHES', 'ST_INTERSECTS']],
  // point / polygon
  ['POINT (5 5)', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['POINT (0 5)', SQ, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['POINT (0 0)', SQ, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['POINT (11 5)', SQ, []],
  [SQ, 'POINT (5 5)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  [SQ, 'POINT (10 10)', ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['POINT (5 5)', HOLED, []],
  ['POINT (4 5)', HOLED, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['POINT (2 2)', HOLED, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['MULTIPOINT ((5 5), (20 20))', SQ, ['ST_CROSSES', 'ST_INTERSECTS']],
  ['MULTIPOINT ((5 5), (0 0))', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  // line / line
  ['LINESTRING (0 0, 10 10)', 'LINESTRING (0 10, 10 0)', ['ST_CROSSES', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (10 0, 20 0)', ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (5 0, 15 0)', ['ST_OVERLAPS', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (2 0, 8 0)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['LINESTRING (2 0, 8 0)', 'LINESTRING (0 0, 10 0)', ['ST_WITHIN', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (10 0, 0 0)', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['LINESTRING (0 0, 5 0, 10 0)', 'LINESTRING (0 0, 10 0)', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (5 0, 5 10)', ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (0 1, 10 1)', []],
  ['LINESTRING (0 0, 10 0)', 'LINESTRING (5 -5, 5 0, 6 5)', ['ST_CROSSES', 'ST_INTERSECTS']],
  ['MULTILINESTRING ((0 0, 5 0), (5 0, 10 0))', 'LINESTRING (0 0, 10 0)', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['LINESTRING (0 0, 3 0)', 'MULTILINESTRING ((0 0, 5 0), (5 0, 10 0))', ['ST_WITHIN', 'ST_INTERSECTS']],
  // The mod-2 rule: an endpoint shared by two lines is interior.
  ['POINT (5 0)', 'MULTILINESTRING ((0 0, 5 0), (5 0, 10 0))', ['ST_WITHIN', 'ST_INTERSECTS']],
  ['POINT (0 0)', 'MULTILINESTRING ((0 0, 5 0), (5 0, 10 0))', ['ST_TOUCHES', 'ST_INTERSECTS']],
  // line / polygon
  ['LINESTRING (2 2, 8 8)', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['LINESTRING (5 5, 15 5)', SQ, ['ST_CROSSES', 'ST_INTERSECTS']],
  ['LINESTRING (0 0, 10 0)', SQ, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['LINESTRING (10 5, 20 5)', SQ, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['LINESTRING (0 5, 10 5)', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['LINESTRING (-5 0, 15 0)', SQ, ['ST_TOUCHES', 'ST_INTERSECTS']],
  [SQ, 'LINESTRING (1 1, 9 1)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  [SQ, 'LINESTRING (5 5, 15 5)', ['ST_CROSSES', 'ST_INTERSECTS']],
  ['LINESTRING (1 5, 9 5)', HOLED, ['ST_CROSSES', 'ST_INTERSECTS']],
  ['LINESTRING (4.5 4.5, 5.5 5.5)', HOLED, []],
  ['LINESTRING (4 4, 6 4)', HOLED, ['ST_TOUCHES', 'ST_INTERSECTS']],
  ['LINESTRING (20 20, 30 30)', SQ, []],
  // polygon / polygon
  [SQ, SQ, ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['POLYGON ((0 0, 5 0, 10 0, 10 10, 0 10, 0 0))', SQ, ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  ['MULTIPOLYGON (((0 0, 5 0, 5 10, 0 10, 0 0)), ((5 0, 10 0, 10 10, 5 10, 5 0)))', SQ, ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  [SQ, 'POLYGON ((10 10, 0 10, 0 0, 10 0, 10 10))', ['ST_EQUALS', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN']],
  [SQ, 'POLYGON ((5 5, 15 5, 15 15, 5 15, 5 5))', ['ST_OVERLAPS', 'ST_INTERSECTS']],
  [SQ, 'POLYGON ((10 0, 20 0, 20 10, 10 10, 10 0))', ['ST_TOUCHES', 'ST_INTERSECTS']],
  [SQ, 'POLYGON ((10 10, 20 10, 20 20, 10 20, 10 10))', ['ST_TOUCHES', 'ST_INTERSECTS']],
  [SQ, 'POLYGON ((2 2, 8 2, 8 8, 2 8, 2 2))', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['POLYGON ((2 2, 8 2, 8 8, 2 8, 2 2))', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  [SQ, 'POLYGON ((0 0, 5 0, 5 5, 0 5, 0 0))', ['ST_CONTAINS', 'ST_INTERSECTS']],
  [SQ, 'POLYGON ((20 20, 30 20, 30 30, 20 30, 20 20))', []],
  [HOLED, 'POLYGON ((4 4, 6 4, 6 6, 4 6, 4 4))', ['ST_TOUCHES', 'ST_INTERSECTS']],
  [HOLED, 'POLYGON ((4.5 4.5, 5.5 4.5, 5.5 5.5, 4.5 5.5, 4.5 4.5))', []],
  [HOLED, 'POLYGON ((3 3, 7 3, 7 7, 3 7, 3 3))', ['ST_OVERLAPS', 'ST_INTERSECTS']],
  [HOLED, 'POLYGON ((1 1, 3 1, 3 3, 1 3, 1 1))', ['ST_CONTAINS', 'ST_INTERSECTS']],
  [SQ, HOLED, ['ST_CONTAINS', 'ST_INTERSECTS']],
  [HOLED, SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['POLYGON ((0 0, 4 0, 2 3, 0 0))', 'POLYGON ((2 3, 4 6, 0 6, 2 3))', ['ST_TOUCHES', 'ST_INTERSECTS']],
  // multi and collections
  ['MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((5 5, 7 5, 7 7, 5 7, 5 5)))', 'POINT (6 6)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((5 5, 7 5, 7 7, 5 7, 5 5)))', 'POINT (3 3)', []],
  ['MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((5 5, 7 5, 7 7, 5 7, 5 5)))', 'LINESTRING (1 1, 6 6)', ['ST_CROSSES', 'ST_INTERSECTS']],
  [SQ, 'MULTIPOLYGON (((1 1, 2 1, 2 2, 1 2, 1 1)), ((5 5, 7 5, 7 7, 5 7, 5 5)))', ['ST_CONTAINS', 'ST_INTERSECTS']],
  // Lines covering a polygon's whole boundary and a diagonal: inside its closure, yet not all of it.
  [SQ, 'MULTILINESTRING ((0 0, 10 0, 10 10, 0 10, 0 0), (0 0, 10 10))', ['ST_CONTAINS', 'ST_INTERSECTS']],
  ['MULTILINESTRING ((0 0, 10 0, 10 10, 0 10, 0 0), (0 0, 10 10))', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  ['GEOMETRYCOLLECTION (POINT (5 5), LINESTRING (1 1, 2 2))', SQ, ['ST_WITHIN', 'ST_INTERSECTS']],
  [SQ, 'GEOMETRYCOLLECTION (POINT (5 5), LINESTRING (1 1, 20 20))', ['ST_CROSSES', 'ST_INTERSECTS']],
  ['GEOMETRYCOLLECTION (POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0)), POINT (20 20))', 'POINT (20 20)', ['ST_CONTAINS', 'ST_INTERSECTS']],
  // empty geometries: every operator is false
  ['POINT EMPTY', SQ, []],
  [SQ, 'POLYGON EMPTY', []],
  ['GEOMETRYCOLLECTION EMPTY', 'POINT (1 1)', []],
];

test(`${CASES.length} hand-worked cases: exactly the listed operators hold`, () => {
  assert.ok(CASES.length >= 60);
  for (const [a, b, want] of CASES) {
    const got = OPS.filter((op) => relateWkt(op, a, b));
    assert.equal(got.sort(), [...want].sort(), `${a} vs ${b}`);
  }
});

test('contains and within are converses; intersects and touches are symmetric', () => {
  for (const [a, b] of CASES) {
    assert.is(relateWkt('ST_CONTAINS', a, b), relateWkt('ST_WITHIN', b, a), `${a} / ${b}`);
    assert.is(relateWkt('ST_INTERSECTS', a, b), relateWkt('ST_INTERSECTS', b, a), `${a} / ${b}`);
    assert.is(relateWkt('ST_TOUCHES', a, b), relateWkt('ST_TOUCHES', b, a), `${a} / ${b}`);
    assert.is(relateWkt('ST_EQUALS', a, b), relateWkt('ST_EQUALS', b, a), `${a} / ${b}`);
  }
});

test('coordinates from floating-point intersections still meet', () => {
  assert.ok(relateWkt('ST_CROSSES', 'LINESTRING (0 0, 1 0.3)', 'LINESTRING (0.1 1, 0.7 -1)'));
  assert.ok(relateWkt('ST_TOUCHES', 'POLYGON ((0 0, 0.3 0, 0.3 0.1, 0 0.1, 0 0))', 'POLYGON ((0.3 0, 0.6 0, 0.6 0.1, 0.3 0.1, 0.3 0))'));
  assert.ok(relateWkt('ST_WITHIN', 'POINT (13.403683 52.520711)', 'POLYGON ((13.4 52.5, 13.41 52.5, 13.41 52.53, 13.4 52.53, 13.4 52.5))'));
});

test('ST_DWITHIN: great-circle meters from a point', () => {
  // One degree of longitude on the equator is about 111.195 km.
  assert.ok(Math.abs(haversineMeters([0, 0], [1, 0]) - 111_195) < 1);
  assert.ok(dwithin(prepared('POINT (1 0)'), [0, 0], 111_200));
  assert.not.ok(dwithin(prepared('POINT (1 0)'), [0, 0], 111_190));
  // At 60 degrees north a degree of longitude is about half as long.
  assert.ok(dwithin(prepared('POINT (1 60)'), [0, 60], 55_800));
  assert.not.ok(dwithin(prepared('POINT (1 60)'), [0, 60], 55_500));
  // Across the antimeridian.
  assert.ok(dwithin(prepared('POINT (179.9 0)'), [-179.9, 0], 22_300));
  // A polygon covering the point is at distance 0; a line is measured to its nearest point.
  assert.ok(dwithin(prepared(SQ), [5, 5], 0));
  assert.ok(dwithin(prepared('LINESTRING (0 1, 2 1)'), [1, 0], 111_200));
  assert.not.ok(dwithin(prepared('LINESTRING (0 1, 2 1)'), [1, 0], 111_000));
  assert.not.ok(dwithin(prepared('POINT EMPTY'), [0, 0], 1e9));
});

test('ST_DWITHIN in a filter: the box test before it keeps every row within the distance', () => {
  const test = geoTest({ kind: 'geo', op: 'ST_DWITHIN', arg: { kind: 'field', name: 'g', path: [], pos: 0 }, wkt: 'POINT (0 60)', distance: 55_800, pos: 0 });
  assert.ok(test(prepared('POINT (1 60)')), 'a degree of longitude east at 60N');
  assert.ok(test(prepared('POINT (0 60.5)')), 'half a degree north');
  assert.not.ok(test(prepared('POINT (0 60.51)')));
  const box = candidateBox('ST_DWITHIN', prepared('POINT (0 60)'), 55_800)!;
  assert.ok(box[2] >= 1 && box[3] >= 60.5 && box[0] <= -1 && box[1] <= 59.5, box.join(' '));
});

test.run();
