/**
 * Scalar indexes on a Timestamptz field: STL_SORT and INVERTED take it (its
 * stored value is an integer of microseconds), BITMAP and Trie do not; a plan
 * over the index answers ISO comparisons exactly, as the unindexed filter does,
 * and leaves an INTERVAL-shifted comparison to the residual.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, filterRows, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { planFilter } from '../../actors/shared/scalarIndex/indexPlan.js';
import { scalarIndexProblem, shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import { buildSortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import type { CollectionSchema, FieldSchema } from '../../messages/schema.js';

const ts: FieldSchema = { name: 'ts', dataType: 'Timestamptz', nullable: true };
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 2 }, ts] };
const us = (iso: string) => Date.parse(iso) * 1000;
const column = [us('2025-01-01T00:00:00Z'), null, us('2024-06-01T12:00:00Z'), us('2025-01-01T00:00:00Z'), us('2025-03-01T00:00:00.000001Z')];

test('STL_SORT and INVERTED index a Timestamptz field; BITMAP and Trie refuse it', () => {
  assert.is(scalarIndexProblem('STL_SORT', ts), null);
  assert.is(scalarIndexProblem('INVERTED', ts), null);
  assert.match(scalarIndexProblem('BITMAP', ts)!, /not Float, Double or Timestamptz/);
  assert.match(scalarIndexProblem('Trie', ts)!, /Trie takes VarChar/);
  assert.equal(shapeOf(ts), { kind: 'number', elements: false });
});

test('the index answers ISO comparisons exactly, with the rows of the unindexed filter', () => {
  const index = buildSortedIndex(column, column.length, shapeOf(ts)!);
  const indexes = new Map([['ts', index]]);
  for (const text of [
    "ts == ISO '2025-01-01T08:00:00+08:00'", "ts > ISO '2024-12-31T19:00:00-05:00'", "ts <= ISO '2025-01-01T00:00:00Z'",
    "ts in [ISO '2024-06-01T14:00:00+02:00', ISO '2025-03-01T00:00:00.000001Z']", "ts not in [ISO '2025-01-01T00:00:00Z']", 'ts is null', 'ts is not null',
  ]) {
    const expr = checkFilter(parseFilter(text), schema).expr;
    const p = planFilter(expr, (f) => indexes.get(f))!;
    assert.ok(p, text);
    assert.is(p.residual, null, `${text}: answered by the index alone`);
    assert.equal(Array.from(termRows(p.term, indexes, column.length).toRows()), filterRows(compileFilter(expr, schema), { ts: column }, column.length), text);
  }
  const shifted = checkFilter(parseFilter("ts + INTERVAL 'P1D' > ISO '2025-01-01T12:00:00Z'"), schema).expr;
  const p = planFilter(shifted, (f) => indexes.get(f));
  assert.ok(p === null || p.residual !== null, 'a shifted value is evaluated row by row');
  if (p?.residual) assert.is(formatFilter(p.residual), formatFilter(shifted));
});

test.run();
