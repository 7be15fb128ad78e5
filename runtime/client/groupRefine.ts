import type { Expr, LiteralNode } from '../../messages/filter/ast.js';
import type { HitRow } from '../../messages/rpc/records.js';

/**
 * Exact groups for a grouping search with groupSize > 1. Each segment and
 * shard keeps only its own best groups, so a group chosen overall can miss
 * hits held where it was not among the best: the merged group would be short
 * or hold worse hits than exist. Which groups win is exact from a first pass
 * of one hit per group (a group's best hit is kept wherever it lives); a
 * second pass restricted to exactly those groups then fills them, since every
 * segment now keeps all of them.
 */

/** The groups a first pass chose, in rank order. */
export function chosenGroups(hits: readonly HitRow[]): unknown[] {
  return [...new Set(hits.map((h) => h.group ?? null))];
}

/** `filter and field in [values]` (or `is null` for the null group), as a filter tree. */
export function restrictToGroups(filter: Expr | null, field: string, values: readonly unknown[]): Expr {
  const ref = () => ({ kind: 'field' as const, name: field, path: [], pos: 0 });
  const literals: LiteralNode[] = values.filter((v) => v !== null).map((v) => ({
    kind: 'literal', type: typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'int', value: v as string | number | boolean, pos: 0,
  }));
  const parts: Expr[] = [];
  if (literals.length > 0) parts.push({ kind: 'in', arg: ref(), values: literals, negated: false, pos: 0 });
  if (values.includes(null)) parts.push({ kind: 'isNull', arg: ref(), negated: false, pos: 0 });
  const groups: Expr = parts.length === 1 ? parts[0]! : { kind: 'or', args: parts, pos: 0 };
  return filter ? { kind: 'and', args: [filter, groups], pos: 0 } : groups;
}
