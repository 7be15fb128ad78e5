import type { CompareOp, Expr, LiteralNode } from '../../../messages/filter/ast.js';
import type { KeyRange } from './keyRange.js';

/**
 * Segment pruning by the clustering key (pure), Milvus's PartitionStats
 * pruning: whether a sealed segment whose key lies in `range` may hold a row
 * the filter matches. False only when the filter, read as an AND of terms,
 * has a term on the bare key (`==`, `<`, `<=`, `>`, `>=` against a literal,
 * either side, or `in [..]`) that no value of the range satisfies. Anything
 * else (OR, NOT, `!=`, `not in`, arithmetic, JSON paths, functions, a literal
 * of another type than the key's) answers true: pruning may only ever skip a
 * segment the filter would have read to no effect, so results never change.
 */
export function mayMatch(filter: Expr | null | undefined, key: string, range: KeyRange | undefined): boolean {
  if (!filter || !range) return true;
  switch (filter.kind) {
    case 'and': return filter.args.every((a) => mayMatch(a, key, range));
    case 'compare': return compareMayMatch(filter.op, filter.left, filter.right, key, range);
    case 'in': return filter.negated || !isKey(filter.arg, key) || filter.values.some((v) => !sameKind(v, range) || inRange(v.value as number | string, range));
    default: return true;
  }
}

const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function compareMayMatch(op: CompareOp, left: Expr, right: Expr, key: string, range: KeyRange): boolean {
  if (left.kind === 'literal' && isKey(right, key)) return compareMayMatch(MIRROR[op], right, left, key, range);
  if (!isKey(left, key) || right.kind !== 'literal' || !sameKind(right, range)) return true;
  const k = right.value as number | string;
  switch (op) {
    case '==': return inRange(k, range);
    case '<': return range.min < k;
    case '<=': return range.min <= k;
    case '>': return range.max > k;
    case '>=': return range.max >= k;
    default: return true; // '!=': only a range of one value equal to k could be skipped; not worth the risk.
  }
}

const isKey = (e: Expr, key: string): boolean => e.kind === 'field' && e.name === key && e.path.length === 0;
/** A literal compared as the key's values are: a number (int or float) with a numeric key, a string with a VarChar one. */
const sameKind = (l: LiteralNode, range: KeyRange): boolean =>
  (l.type === 'int' || l.type === 'float' || l.type === 'string') && typeof l.value === typeof range.min && !(typeof l.value === 'number' && Number.isNaN(l.value));
const inRange = (k: number | string, r: KeyRange): boolean => r.min <= k && k <= r.max;
