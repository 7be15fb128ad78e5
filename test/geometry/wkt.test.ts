/** WKT in, canonical WKT out; bad WKT is an error text saying what is wrong. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalWkt, parseWkt, writeWkt } from '../../messages/geometry/wkt.js';

test('every geometry kind reads and writes back in canonical form', () => {
  const cases: Array<[string, string]> = [
    ['POINT(13.403683 52.520711)', 'POINT (13.403683 52.520711)'],
    ['point ( -1.5e2  .5 )', 'POINT (-150 0.5)'],
    ['LINESTRING (13.40 52.52, 13.41 52.51)', 'LINESTRING (13.4 52.52, 13.41 52.51)'],
    ['POLYGON ((30 10, 40 40, 20 40, 10 20, 30 10))', 'POLYGON ((30 10, 40 40, 20 40, 10 20, 30 10))'],
    ['POLYGON((0 0,10 0,10 10,0 10,0 0),(4 4,6 4,6 6,4 6,4 4))', 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))'],
    ['MULTIPOINT ((10 40), (40 30))', 'MULTIPOINT ((10 40), (40 30))'],
    ['MULTIPOINT (10 40, 40 30)', 'MULTIPOINT ((10 40), (40 30))'],
    ['MULTILINESTRING ((10 10, 20 20, 10 40), (40 40, 30 30))', 'MULTILINESTRING ((10 10, 20 20, 10 40), (40 40, 30 30))'],
    ['MULTIPOLYGON (((30 20, 45 40, 10 40, 30 20)), ((15 5, 40 10, 10 20, 5 10, 15 5)))', 'MULTIPOLYGON (((30 20, 45 40, 10 40, 30 20)), ((15 5, 40 10, 10 20, 5 10, 15 5)))'],
    ['GEOMETRYCOLLECTION (POINT (40 10), LINESTRING (10 10, 20 20))', 'GEOMETRYCOLLECTION (POINT (40 10), LINESTRING (10 10, 20 20))'],
    ['GEOMETRYCOLLECTION (POINT EMPTY, GEOMETRYCOLLECTION (POINT (1 2)))', 'GEOMETRYCOLLECTION (POINT EMPTY, GEOMETRYCOLLECTION (POINT (1 2)))'],
  ];
  for (const [given, want] of cases) {
    assert.is(canonicalWkt(given), want, given);
    assert.is(canonicalWkt(want), want, `${want} is a fixed point`);
  }
  for (const t of ['POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON', 'GEOMETRYCOLLECTION']) {
    assert.is(canonicalWkt(`${t.toLowerCase()} empty`), `${t} EMPTY`);
  }
  assert.equal(parseWkt('POINT (1 2)'), { type: 'Point', coord: [1, 2] });
  assert.is(writeWkt({ type: 'Point', coord: [-0, 1] }), 'POINT (0 1)');
});

test('bad WKT is an error text naming the fault', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['POINT (1)', /expected a number/],
    ['POINT (1 2 3)', /2D/],
    ['POINT Z (1 2 3)', /2D/],
    ['CIRCLE (1 2)', /geometry type/],
    ['POINT (1 2', /expected '\)'/],
    ['POINT (1 2) x', /unexpected text/],
    ['LINESTRING (1 2)', /at least 2 points/],
    ['POLYGON ((0 0, 1 0, 1 1, 0 0.5))', /closed/],
    ['POLYGON ((0 0, 1 0, 0 0))', /at least 4 points/],
    ['POINT (a b)', /expected a number/],
    ['', /geometry type/],
    [42, /WKT string/],
    ['POINT (1e999 2)', /not finite/],
    ['GEOMETRYCOLLECTION ('.repeat(40) + 'POINT (1 2)' + ')'.repeat(40), /nest deeper/],
  ];
  for (const [text, re] of bad) {
    const g = parseWkt(text);
    assert.type(g, 'string', String(text));
    assert.match(g as string, re, String(text));
  }
});

test.run();
