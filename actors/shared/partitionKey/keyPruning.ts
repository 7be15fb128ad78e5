import type { Expr, LiteralNode } from '../../../messages/filter/ast.js';
import type { FieldSchema } from '../../../messages/schema.js';
import { routeKey } from './keyPartitions.js';

/** Key values, or null: the filter does not pin the key (any value may match). */
type Pinned = Set<number | string> | null;

/**
 * The partition key values a checked filter pins: every row the filter matches
 * has its key among them. `key == v` and `key in [..]` pin; `and` keeps the
 * values every pinning term allows; `or` pins only when each branch does.
 * Anything else (`not`, `!=`, ranges, arithmetic, a literal of another type)
 * pins nothing, so pruning never drops a partition that could hold a match.
 * Milvus's proxy (exprutil.ParseKeys) prunes by the same terms; it unions the
 * sides of an `and` where this intersects them (tighter, and still exact).
 */
export function pinnedKeys(expr: Expr, key: FieldSchema): Pinned {
  switch (expr.kind) {
    case 'compare': {
      if (expr.op !== '==') return null;
      const lit = isKey(expr.left, key) ? expr.right : isKey(expr.right, key) ? expr.left : null;
      return lit && fits(lit, key) ? new Set([lit.value as number | string]) : null;
    }
    case 'in':
      return !expr.negated && isKey(expr.arg, key) && expr.values.every((v) => fits(v, key)) ? new Set(expr.values.map((v) => v.value as number | string)) : null;
    case 'and': {
      let out = null as Pinned;
      for (const arg of expr.args) {
        const p = pinnedKeys(arg, key);
        if (p) out = out ? new Set([...out].filter((v) => p.has(v))) : p;
      }
      return out;
    }
    case 'or': {
      const out = new Set<number | string>();
      for (const arg of expr.args) {
        const p = pinnedKeys(arg, key);
        if (!p) return null;
        for (const v of p) out.add(v);
      }
      return out;
    }
    default: return null;
  }
}

/**
 * The partitions a read with this (checked) filter needs in a partition-key
 * collection: those its pinned key values route to, ascending; null (every
 * partition) when the filter pins no key. `ids[i]` is partition `_default_<i>`.
 */
export function prunedPartitionIds(expr: Expr | null, key: FieldSchema, ids: readonly number[]): number[] | null {
  const keys = expr ? pinnedKeys(expr, key) : null;
  if (!keys) return null;
  return [...new Set([...keys].map((v) => routeKey(v, ids)))].sort((a, b) => a - b);
}

const isKey = (e: Expr, key: FieldSchema): boolean => e.kind === 'field' && e.name === key.name && e.path.length === 0;

/** A literal a row of the key field could equal: an integer for Int64, a string for VarChar. */
function fits(e: Expr, key: FieldSchema): e is LiteralNode {
  if (e.kind !== 'literal') return false;
  return key.dataType === 'Int64' ? typeof e.value === 'number' && Number.isSafeInteger(e.value) : typeof e.value === 'string';
}
