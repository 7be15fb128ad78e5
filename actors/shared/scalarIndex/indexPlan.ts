import type { CompareNode, CompareOp, Expr, LikeNode, LiteralNode } from '../../../messages/filter/ast.js';
import { likeLiteral } from '../../../messages/filter/like.js';
import { NEGATE } from '../../../messages/filter/values.js';
import type { IndexedShape } from './scalarIndexTypes.js';
import { pathKeyOf } from './jsonPath.js';
import { likeGrams } from './ngramIndex.js';
import { candidateBox, prepared } from '../../../messages/geometry/predicates.js';
import type { Box } from '../../../messages/geometry/relate.js';
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
 * A JSON path index (jsonIndex.ts) holds only the rows whose value at its
 * path is of its kind; the others may hold anything. So it answers only
 * terms that are false for every value of another kind: `==`, `in` and
 * ranges with literals of its kind, `like` on strings, a bare boolean, and
 * `array_contains*` for an ARRAY_* cast; never `!=`, `not in` or `is null`.
 * A STRING_TO_DOUBLE index also holds numeric strings, which no filter
 * compares with a number: its numeric `==`, `in` and ranges only give
 * candidates, and the term stays in the residual. An NGRAM index (a field's
 * or a JSON path's) answers only `like`, with candidates (gramAnswer); an
 * RTREE only the ST_ operators, not negated, with candidates (rows whose box
 * meets the query's).
 *
 * The plan is the candidate rows' term and a residual: what the candidates
 * must still pass. The candidates hold every matching row, and among them
 * the residual picks exactly the matching ones (the operands of a top-level
 * `and` the index answered exactly leave it).
 */
export interface FilterPlan { term: IndexTerm; residual: Expr | null }

/**
 * What a lookup selects in one index: values among `keys`, values none of
 * them (never null), values in a range, the rows it holds no value for
 * (null, on an index of whole values), or (an RTREE) the rows whose bounding
 * box meets a box.
 */
export type Lookup =
  | { op: 'in'; keys: Key[] }
  | { op: 'notIn'; keys: Key[] }
  | { op: 'range'; lower?: Bound; upper?: Bound }
  | { op: 'absent' }
  | { op: 'box'; box: Box };

/** `field` is the key the index is found by (jsonPath.ts pathKeyOf): a field's name, or a JSON path. */
export type IndexTerm =
  | { kind: 'lookup'; field: string; lookup: Lookup }
  | { kind: 'and' | 'or'; terms: IndexTerm[] };

/** The shape of the index found by a key (a field's name, or a JSON path) here, or undefined when there is none. */
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

const lookup = (field: string, l: Lookup, exact = true): Answer => ({ term: { kind: 'lookup', field, lookup: l }, exact });

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
      const at = valueIndex(e.arg, indexed);
      const keys = at && keysOf(at.shape.kind, e.values);
      if (!at || !keys) return null;
      const notIn = e.negated !== negated;
      // `not in` is true of a JSON value of another kind too, which a JSON path index does not hold.
      if (notIn && at.shape.json) return null;
      return lookup(at.key, { op: notIn ? 'notIn' : 'in', keys }, exactOn(at.shape));
    }
    case 'like': {
      const grams = gramAnswer(e, negated, indexed);
      if (grams !== undefined) return grams;
      const at = valueIndex(e.arg, indexed), lit = likeLiteral(e.pattern);
      if (!at || at.shape.kind !== 'string' || !lit || e.negated !== negated) return null;
      return lookup(at.key, lit.prefix ? { op: 'range', lower: { key: lit.text, inclusive: true }, ...prefixEnd(lit.text) } : { op: 'in', keys: [lit.text] });
    }
    case 'isNull': {
      // `is not null` is every entry; `is null` is what the index leaves out (a whole-value index: every row has at most one entry).
      // A JSON path index leaves out values of other kinds as well: it says neither.
      const at = valueIndex(e.arg, indexed);
      if (!at || at.shape.json) return null;
      return lookup(at.key, e.negated !== negated ? { op: 'range' } : { op: 'absent' });
    }
    case 'field': {
      // A bare Bool is `== true` (`== false` negated): false for anything but a boolean, JSON too.
      const at = valueIndex(e, indexed);
      return at?.shape.kind === 'bool' ? lookup(at.key, { op: 'in', keys: [negated ? 0 : 1] }) : null;
    }
    case 'contains': {
      const key = pathKeyOf(e.arg.name, e.arg.path), f = indexed(key);
      const keys = f?.elements && !f.grams ? keysOf(f.kind, e.values) : undefined;
      if (!keys || negated || f?.converted) return null;
      if (e.op !== 'containsAll') return lookup(key, { op: 'in', keys });
      // Every row with a list holds all of no values, an empty one too: the index (of elements) cannot say.
      if (keys.length === 0) return null;
      return { term: joined('and', [...new Set(keys)].map((k) => lookup(key, { op: 'in', keys: [k] }))), exact: true };
    }
    case 'geo': {
      // Every operator holds only of geometries that meet the query's box (the distance's, for ST_DWITHIN): candidates, tested after.
      if (negated || !indexed(e.arg.name)?.rtree) return null;
      const box = candidateBox(e.op, prepared(e.wkt), e.distance) ?? NO_BOX;
      return lookup(e.arg.name, { op: 'box', box }, false);
    }
    default: return null;
  }
}

/** A box no box meets. */
const NO_BOX: Box = [Infinity, Infinity, -Infinity, -Infinity];

const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `field op literal` (either side) on an indexed field, `not` applied. */
function compareAnswer(e: CompareNode, negated: boolean, indexed: IndexedFields): Answer | null {
  const flipped = e.left.kind === 'literal';
  const field = flipped ? e.right : e.left, lit = flipped ? e.left : e.right;
  const at = valueIndex(field, indexed);
  if (!at || lit.kind !== 'literal') return null;
  const { key: name, shape } = at;
  const key = keyOf(shape.kind, lit.value);
  let op = flipped ? MIRROR[e.op] : e.op;
  if (negated) op = NEGATE[op];
  if (key === undefined || (shape.kind === 'bool' && op !== '==' && op !== '!=')) return null;
  // `!=` is true of a JSON value of another kind too; the rest are false for it (values.ts holds).
  if (shape.json && op === '!=') return null;
  const exact = exactOn(shape);
  switch (op) {
    case '==': return lookup(name, { op: 'in', keys: [key] }, exact);
    case '!=': return lookup(name, { op: 'notIn', keys: [key] });
    case '<': case '<=': return lookup(name, { op: 'range', upper: { key, inclusive: op === '<=' } }, exact);
    default: return lookup(name, { op: 'range', lower: { key, inclusive: op === '>=' } }, exact);
  }
}

/** A converted index also holds numeric strings, which no number compares with: its lookups are candidates only. */
const exactOn = (shape: IndexedShape): boolean => !shape.converted;

/**
 * The index of whole values a field node reads: a typed field's (no path),
 * or a JSON path index at exactly the node's path. Not an index of elements.
 * A converted index answers only numeric `==`, `in` and ranges (inexactly).
 */
function valueIndex(e: Expr, indexed: IndexedFields): { key: string; shape: IndexedShape } | undefined {
  if (e.kind !== 'field') return undefined;
  const key = pathKeyOf(e.name, e.path), shape = indexed(key);
  if (!shape || shape.elements || shape.rtree) return undefined;
  return { key, shape };
}

/**
 * A `like` on a field (or JSON path) with an NGRAM index: the rows holding
 * every gram of the pattern's literal runs (ngramIndex.ts likeGrams), which
 * hold every matching row but not only them, so the `like` stays in the
 * residual. Null when the index cannot narrow it (`not like`, no run of
 * min_gram characters); undefined when the node's index is no NGRAM index.
 */
function gramAnswer(e: LikeNode, negated: boolean, indexed: IndexedFields): Answer | null | undefined {
  if (e.arg.kind !== 'field') return undefined;
  const key = pathKeyOf(e.arg.name, e.arg.path), range = indexed(key)?.grams;
  if (!range) return undefined;
  const grams = e.negated === negated ? likeGrams(e.pattern, range) : null;
  return grams && { term: joined('and', grams.map((g) => lookup(key, { op: 'in', keys: [g] }))), exact: false };
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
    if (!seen) { const l = { ...t.lookup }; byField.set(t.field, l); out.push({ term: { kind: 'lookup', field: t.field, lookup: l }, exact: p.exact }); continue; }
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
