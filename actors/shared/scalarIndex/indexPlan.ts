import type { CompareNode, CompareOp, Expr, LiteralNode } from '../../../messages/filter/ast.js';
import { likeLiteral } from '../../../messages/filter/like.js';
import { NEGATE } from '../../../messages/filter/values.js';
import type { IndexedShape } from './scalarIndexTypes.js';
import { compareKeys, keyOf, type Bound, type Key } from './sortedIndex.js';

/**
 * Which parts of a checked filter scalar indexes answer. A term the index
 * answers exactly is `field op literal`, `in`, `not in`, `is [not] null`, a
 * `like` that is an exact text or a prefix, a bare Bool field, and
 * `array_contains*` on an Array field; `and` intersects what its operands
 * select, `or` unites them when every operand has an answer. `not` is pushed
 * down as the compiler pushes it (evaluate.ts), so a term's answer is exactly
 * the rows the compiled predicate calls true: three-valued logic holds
 * because an index holds no null.
 *
 * The plan is the candidate rows' term and a residual: what the candidates
 * must still pass. The candidates hold every matching row, and among them
 * the residual picks exactly the matching ones (the operands of a top-level
 * `and` the index answered exactly leave it).
 */
export interface FilterPlan { term: IndexTerm; residual: Expr | null }

/**
 * What a lookup selects in one index: values among `keys`, values none of
 * them (never null), values in a range, or the rows it holds no value for
 * (null, on an index of whole values).
 */
export type Lookup =
  | { op: 'in'; keys: Key[] }
  | { op: 'notIn'; keys: Key[] }
  | { op: 'range'; lower?: Bound; upper?: Bound }
  | { op: 'absent' };

export type IndexTerm =
  | { kind: 'lookup'; field: string; lookup: Lookup }
  | { kind: 'and' | 'or'; terms: IndexTerm[] };

/** The shape of the index a field has here, or undefined when it has none. */
export type IndexedFields = (field: string) => IndexedShape | undefined;

/** The plan of a checked filter, or null when no index narrows it. */
export function planFilter(expr: Expr, indexed: IndexedFields): FilterPlan | null {
  const top = answer(expr, false, indexed);
  if (top === null) return null;
  return { term: top.term, residual: top.exact ? null : residualOf(expr, indexed) };
}

/** A term selecting a superset of a node's true rows; `exact` when it selects just them. */
interface Answer { term: IndexTerm; exact: boolean }

/** The operands of a top-level conjunction the index did not answer exactly (the whole filter otherwise). */
function residualOf(expr: Expr, indexed: IndexedFields): Expr {
  let node = expr, negated = false;
  while (node.kind === 'not') { negated = !negated; node = node.arg; }
  if ((node.kind !== 'and' && node.kind !== 'or') || (node.kind === 'and') === negated) return expr;
  const rest = node.args.filter((a) => !answer(a, negated, indexed)?.exact).map((a): Expr => (negated ? { kind: 'not', arg: a, pos: a.pos } : a));
  return rest.length === 1 ? rest[0]! : { kind: 'and', args: rest, pos: node.pos };
}

const lookup = (field: string, l: Lookup): Answer => ({ term: { kind: 'lookup', field, lookup: l }, exact: true });

function answer(e: Expr, negated: boolean, indexed: IndexedFields): Answer | null {
  switch (e.kind) {
    case 'not': return answer(e.arg, !negated, indexed);
    case 'and': case 'or': {
      const parts = e.args.map((a) => answer(a, negated, indexed));
      const exact = parts.every((p) => p !== null && p.exact);
      if ((e.kind === 'and') !== negated) {
        const have = parts.filter((p): p is Answer => p !== null);
        return have.length === 0 ? null : { term: joined('and', rangesMerged(have)), exact };
      }
      return parts.some((p) => p === null) ? null : { term: joined('or', parts as Answer[]), exact };
    }
    case 'compare': return compareAnswer(e, negated, indexed);
    case 'in': {
      const shape = scalarField(e.arg, indexed);
      const keys = shape && keysOf(shape.field.kind, e.values);
      if (!shape || !keys) return null;
      return lookup(shape.name, { op: e.negated !== negated ? 'notIn' : 'in', keys });
    }
    case 'like': {
      const shape = scalarField(e.arg, indexed), lit = likeLiteral(e.pattern);
      if (!shape || shape.field.kind !== 'string' || !lit || e.negated !== negated) return null;
      return lookup(shape.name, lit.prefix ? { op: 'range', lower: { key: lit.text, inclusive: true }, ...prefixEnd(lit.text) } : { op: 'in', keys: [lit.text] });
    }
    case 'isNull': {
      // `is not null` is every entry; `is null` is what the index leaves out (a whole-value index: every row has at most one entry).
      const shape = scalarField(e.arg, indexed);
      if (!shape) return null;
      return lookup(shape.name, e.negated !== negated ? { op: 'range' } : { op: 'absent' });
    }
    case 'field': {
      const shape = scalarField(e, indexed);
      return shape?.field.kind === 'bool' ? lookup(shape.name, { op: 'in', keys: [negated ? 0 : 1] }) : null;
    }
    case 'contains': {
      const f = e.arg.path.length === 0 ? indexed(e.arg.name) : undefined;
      const keys = f?.elements ? keysOf(f.kind, e.values) : undefined;
      if (!keys || negated) return null;
      if (e.op !== 'containsAll') return lookup(e.arg.name, { op: 'in', keys });
      // Every row with a list holds all of no values, an empty one too: the index (of elements) cannot say.
      if (keys.length === 0) return null;
      return { term: joined('and', [...new Set(keys)].map((k) => lookup(e.arg.name, { op: 'in', keys: [k] }))), exact: true };
    }
    default: return null;
  }
}

const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `field op literal` (either side) on an indexed field, `not` applied. */
function compareAnswer(e: CompareNode, negated: boolean, indexed: IndexedFields): Answer | null {
  const flipped = e.left.kind === 'literal';
  const field = flipped ? e.right : e.left, lit = flipped ? e.left : e.right;
  const shape = scalarField(field, indexed);
  if (!shape || lit.kind !== 'literal') return null;
  const key = keyOf(shape.field.kind, lit.value);
  let op = flipped ? MIRROR[e.op] : e.op;
  if (negated) op = NEGATE[op];
  if (key === undefined || (shape.field.kind === 'bool' && op !== '==' && op !== '!=')) return null;
  switch (op) {
    case '==': return lookup(shape.name, { op: 'in', keys: [key] });
    case '!=': return lookup(shape.name, { op: 'notIn', keys: [key] });
    case '<': case '<=': return lookup(shape.name, { op: 'range', upper: { key, inclusive: op === '<=' } });
    default: return lookup(shape.name, { op: 'range', lower: { key, inclusive: op === '>=' } });
  }
}

/** A whole scalar field (no JSON path, no element) that has an index of its values. */
function scalarField(e: Expr, indexed: IndexedFields): { name: string; field: IndexedShape } | undefined {
  if (e.kind !== 'field' || e.path.length > 0) return undefined;
  const field = indexed(e.name);
  return field && !field.elements ? { name: e.name, field } : undefined;
}

/** The literals' keys, or undefined if one is of another kind than the index's. */
function keysOf(kind: IndexedShape['kind'], values: readonly LiteralNode[]): Key[] | undefined {
  const keys: Key[] = [];
  for (const v of values) { const k = keyOf(kind, v.value); if (k === undefined) return undefined; keys.push(k); }
  return keys;
}

/**
 * The least string above every string starting with `text`: its last code
 * unit below 0xFFFF raised by one, the rest cut (none when every unit is
 * 0xFFFF). Between `text` and it lie exactly the strings starting with `text`.
 */
function prefixEnd(text: string): { upper?: Bound } {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c < 0xffff) return { upper: { key: text.slice(0, i) + String.fromCharCode(c + 1), inclusive: false } };
  }
  return {};
}

/**
 * Conjoined ranges of one field as one range (`price >= 10 and price < 20`,
 * a chain): one lookup of the rows between, not two of everything above
 * and everything below, intersected.
 */
function rangesMerged(parts: readonly Answer[]): Answer[] {
  const out: Answer[] = [], byField = new Map<string, Extract<Lookup, { op: 'range' }>>();
  for (const p of parts) {
    const t = p.term;
    if (t.kind !== 'lookup' || t.lookup.op !== 'range') { out.push(p); continue; }
    const seen = byField.get(t.field);
    if (!seen) { const l = { ...t.lookup }; byField.set(t.field, l); out.push({ term: { kind: 'lookup', field: t.field, lookup: l }, exact: true }); continue; }
    seen.lower = tighter(seen.lower, t.lookup.lower, 1);
    seen.upper = tighter(seen.upper, t.lookup.upper, -1);
  }
  return out;
}

/** Of two lower bounds (`sign` 1) or upper bounds (-1), the one that lets fewer values through. */
function tighter(a: Bound | undefined, b: Bound | undefined, sign: 1 | -1): Bound | undefined {
  if (!a || !b) return a ?? b;
  const c = compareKeys(a.key, b.key) * sign;
  return c > 0 ? a : c < 0 ? b : { key: a.key, inclusive: a.inclusive && b.inclusive };
}

function joined(kind: 'and' | 'or', parts: readonly Answer[]): IndexTerm {
  return parts.length === 1 ? parts[0]!.term : { kind, terms: parts.map((p) => p.term) };
}
