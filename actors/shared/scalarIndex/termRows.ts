import { NuthatchError } from '../../../messages/errors.js';
import type { IndexTerm, Lookup } from './indexPlan.js';
import { RowSet } from './rowSet.js';
import { searchRTree } from './rtree.js';
import { equalRuns, otherRuns, rangeRun, type Run, type SortedIndex } from './sortedIndex.js';

/** The rows of a segment (of `rowCount` rows) an index term selects, from the segment's indexes by field. */
export function termRows(term: IndexTerm, indexes: ReadonlyMap<string, SortedIndex>, rowCount: number): RowSet {
  if (term.kind !== 'lookup') {
    const [first, ...rest] = term.terms.map((t) => termRows(t, indexes, rowCount));
    for (const s of rest) if (term.kind === 'and') first!.and(s); else first!.or(s);
    return first!;
  }
  const ix = indexes.get(term.field);
  // The plan was made from these indexes (query-node/core/filterPlanner.ts): a miss is a bug, not bad input.
  if (!ix || ix.rowCount !== rowCount) throw new NuthatchError('Internal', `no index of field '${term.field}' over these ${rowCount} rows`);
  const out = RowSet.empty(rowCount);
  if (term.lookup.op === 'absent') return out.addRows(ix.rows, 0, ix.rows.length).invert();
  if (term.lookup.op === 'box') {
    if (!ix.tree) throw new NuthatchError('Internal', `index of field '${term.field}' is no RTREE`);
    const rows = Int32Array.from(searchRTree(ix.tree, term.lookup.box));
    return out.addRows(rows, 0, rows.length);
  }
  for (const [start, end] of runsOf(ix, term.lookup)) out.addRows(ix.rows, start, end);
  return out;
}

function runsOf(ix: SortedIndex, l: Exclude<Lookup, { op: 'absent' | 'box' }>): Run[] {
  switch (l.op) {
    case 'in': return equalRuns(ix, l.keys);
    case 'notIn': return otherRuns(ix, l.keys);
    default: return [rangeRun(ix, l.lower, l.upper)];
  }
}
