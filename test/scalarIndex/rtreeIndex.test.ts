/**
 * RTREE indexes (Milvus 2.6.4+): a packed STR R-tree of Geometry boxes; a
 * search finds exactly the boxes meeting the query; the file round trip;
 * and every ST_ filter gives the same rows through the index (candidates,
 * then the exact operator) as without it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import { compileFilter, filterRows, parseFilter } from '../../messages/filter/index.js';
import { filterPlanner } from '../../actors/query-node/core/filterPlanner.js';
import { buildRTreeIndex, searchRTree } from '../../actors/shared/scalarIndex/rtree.js';
import { decodeScalarIndex, encodeScalarIndex } from '../../actors/shared/scalarIndex/scalarIndexFile.js';
import { scalarIndexProblem, shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import type { SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import type { CollectionSchema, FieldSchema } from '../../messages/schema.js';
import { rng } from '../standalone/harness.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'geo', dataType: 'Geometry', nullable: true },
  { name: 'n', dataType: 'Int64' },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
] };
const GEO = schema.fields[1]!;
const r = rng(11);
const f = (x: number) => Math.round(x * 100) / 100;
/** Points, short lines, small squares (some with holes), nulls and empties, around lon/lat 0..20. */
function randomGeometry(i: number): string | null {
  if (i % 29 === 0) return null;
  if (i % 31 === 0) return 'POINT EMPTY';
  const x = f(r() * 20), y = f(r() * 20), d = f(0.2 + r() * 2);
  switch (i % 5) {
    case 0: case 1: return `POINT (${x} ${y})`;
    case 2: return `LINESTRING (${x} ${y}, ${f(x + d)} ${f(y - d / 2)})`;
    case 3: return `POLYGON ((${x} ${y}, ${f(x + d)} ${y}, ${f(x + d)} ${f(y + d)}, ${x} ${f(y + d)}, ${x} ${y}))`;
    default: return `MULTIPOINT ((${x} ${y}), (${f(x + d)} ${f(y + d)}))`;
  }
}
const N = 3000;
const geos = Array.from({ length: N }, (_, i) => randomGeometry(i));
const columns = { id: geos.map((_, i) => i), geo: geos, n: geos.map((_, i) => i % 7) };
const shape = shapeOf(GEO)!;

test('RTREE indexes Geometry fields only; AUTOINDEX of one is an RTREE', () => {
  assert.is(scalarIndexProblem('RTREE', GEO), null);
  assert.match(scalarIndexProblem('INVERTED', GEO)!, /takes an RTREE/);
  assert.match(scalarIndexProblem('RTREE', schema.fields[2] as FieldSchema)!, /RTREE takes Geometry fields/);
});

test('a search finds exactly the rows whose box meets the query box', () => {
  const ix = buildRTreeIndex(geos, N, shape);
  assert.is(ix.rows.length, geos.filter((g) => g !== null && g !== 'POINT EMPTY').length, 'null and empty rows have no entry');
  const boxOf = (g: string) => { const nums = g.match(/-?\d+(\.\d+)?/g)!.map(Number); const xs = nums.filter((_, k) => k % 2 === 0), ys = nums.filter((_, k) => k % 2 === 1); return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]; };
  for (let k = 0; k < 50; k++) {
    const x = r() * 22 - 1, y = r() * 22 - 1, w = r() * 5, q = [x, y, x + w, y + w] as const;
    const want = geos.flatMap((g, i) => (g && g !== 'POINT EMPTY' && (() => { const b = boxOf(g); return b[0]! <= q[2] && q[0] <= b[2]! && b[1]! <= q[3] && q[1] <= b[3]!; })() ? [i] : []));
    assert.equal(searchRTree(ix.tree!, q).sort((a, b) => a - b), want, `box ${q.join(' ')}`);
  }
  // A box of no area at a point finds the point: touching boxes meet.
  for (const i of [1, 6, 11]) {
    const [x, y] = boxOf(geos[i]!) as [number, number];
    assert.ok(searchRTree(ix.tree!, [x, y, x, y]).includes(i), geos[i]!);
  }
});

test('the file round trip keeps the tree; a damaged file is a DecodeError', () => {
  const ix = buildRTreeIndex(geos, N, shape);
  const bytes = encodeScalarIndex(ix);
  const back = decodeScalarIndex(bytes);
  assert.ok(back.rtree && back.tree);
  assert.equal(Array.from(back.tree!.boxes), Array.from(ix.tree!.boxes));
  assert.equal(Array.from(back.rows), Array.from(ix.rows));
  assert.equal(back.tree!.levels, ix.tree!.levels);
  const bad = bytes.slice(); bad[bad.length - 3]! ^= 0xff;
  assert.throws(() => decodeScalarIndex(bad), (e: unknown) => e instanceof DecodeError);
  const empty = decodeScalarIndex(encodeScalarIndex(buildRTreeIndex(undefined, 5, shape)));
  assert.equal(searchRTree(empty.tree!, [-1e9, -1e9, 1e9, 1e9]), []);
});

const FILTERS = [
  "ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))')",
  "ST_WITHIN(geo, 'POLYGON ((0 0, 12 0, 12 12, 0 12, 0 0), (4 4, 8 4, 8 8, 4 8, 4 4))')",
  "ST_CONTAINS(geo, 'POINT (3.5 3.5)')",
  "ST_TOUCHES(geo, 'LINESTRING (0 10, 20 10)')",
  "ST_CROSSES(geo, 'LINESTRING (0 10, 20 10)')",
  "ST_OVERLAPS(geo, 'POLYGON ((2 2, 9 2, 9 9, 2 9, 2 2))')",
  "ST_EQUALS(geo, '" + geos[7] + "')",
  "ST_DWITHIN(geo, 'POINT (10 10)', 150000)",
  "ST_DWITHIN(geo, 'POINT (10 10)', 0)",
  "ST_INTERSECTS(geo, 'POLYGON EMPTY')",
  "ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))') and n == 3",
  "ST_WITHIN(geo, 'POLYGON ((0 0, 5 0, 5 5, 0 5, 0 0))') or ST_WITHIN(geo, 'POLYGON ((15 15, 20 15, 20 20, 15 20, 15 15))')",
  "not ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))')",
  "ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))') or n == 1",
];

test('every ST_ filter selects the same rows through the RTREE as without it, and the index narrows them', () => {
  const indexes = new Map<string, SortedIndex>([['geo', decodeScalarIndex(encodeScalarIndex(buildRTreeIndex(geos, N, shape)))]]);
  let narrowed = 0;
  for (const text of FILTERS) {
    const filter = compileFilter(parseFilter(text), schema);
    const want = filterRows(filter, columns, N);
    const plan = filterPlanner(filter, schema)(indexes);
    if (!plan) { assert.ok(/^not |or n ==/.test(text), `only a negated or unindexable filter goes without the index: ${text}`); continue; }
    narrowed++;
    const set = termRows(plan.term, indexes, N);
    const pass = plan.residual?.bind(columns);
    const got = Array.from(set.toRows()).filter((i) => !pass || pass(i));
    assert.equal(got, want, text);
    assert.ok(set.size() < N / 2, `the index narrowed ${text} to ${set.size()} candidates`);
  }
  assert.ok(narrowed >= 11);
  assert.ok(FILTERS.slice(0, 9).every((t) => filterRows(compileFilter(parseFilter(t), schema), columns, N).length > 0 || t.includes('ST_EQUALS')), 'filters match some rows');
});

test.run();
