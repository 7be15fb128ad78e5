/**
 * Compiles a checked filter into row predicates over columnar data.
 *
 * Shape, chosen for speed: `compileFilter` does all per-query work once (check,
 * pushing `not` down to the leaves, choosing a specialised closure per node);
 * `bind(columns)` then captures each column array once per segment, so the
 * per-row call `(row) => boolean` does no name lookup, no allocation and no
 * tree walk beyond one closure call per node. A predicate of one compare over a
 * column is a single closure reading `col[row]`.
 *
 * Three-valued logic (see values.ts) is kept exact while compiling to plain
 * booleans: `not` is pushed down by De Morgan and by flipping each leaf (`<` to
 * `>=`, `in` to `not in`, ...), and every flipped leaf is still false when its
 * operand is null, which is what "unknown" means at the top.
 */
import { textAnalysis, tokenize, type Analyzer } from '../analyzer.js';
import type { CompareOp, ContainsOp, ElementFn, Expr, LiteralNode } from './ast.js';
import { elementSchema } from '../structArray.js';
import { checkFilter } from './check.js';
import { compileLike } from './like.js';
import { phraseMatches } from './phrase.js';
import { geoTest, rowGeometry } from './geoEvaluate.js';
import { NEGATE, arith, holds, isScalar, jsonPathReader } from './values.js';
import { NuthatchError } from '../errors.js';
import { parseInterval, shiftTimestamptz, type Interval } from '../timestamptz.js';
import { fieldDefaults, primaryField, type CollectionSchema, type DefaultValue, type PrimaryKey, type Rows } from '../schema.js';
import { sampleTest } from './sample.js';
import { elementMatchRows } from './elementMatch.js';
import { shreddedGetter, shreddedPathOf } from './shreddedJson.js';
import { combinedSupport, matchingRows, withSupport } from './rowSupport.js';
import { shreddedPredicate, type LiteralCompare, type ValueTest } from './shreddedPredicate.js';

/** One column of a segment, indexed by row: a plain array or a typed array. */
export type Column = ArrayLike<unknown>;
/** Columns by field name; the primary key column goes under the primary field's name, dynamic fields under `$meta`. */
export type Columns = Readonly<Record<string, Column | undefined>>;
/** Whether row `row` of the bound columns matches. */
export type RowPredicate = (row: number) => boolean;

export interface CompiledFilter {
  /** The checked, resolved tree (dynamic fields rewritten to `$meta` paths). */
  readonly expr: Expr;
  /** Column names the filter reads; only these must be present in `bind`. */
  readonly fields: readonly string[];
  /** Binds to one segment's columns. An absent column of a nullable field or `$meta` reads as all null. */
  bind(columns: Columns): RowPredicate;
}

type Getter = (row: number) => unknown;
/** What compiling needs from the schema: which columns may be absent, which hold JSON, which read a default for null. */
interface Ctx { optional: ReadonlySet<string>; json: ReadonlySet<string>; defaults: ReadonlyMap<string, DefaultValue>; schema: CollectionSchema }
type Build<T> = (cols: Columns) => T;

/** Checks `expr` against `schema` (throws ValidationError) and compiles it. */
export function compileFilter(expr: unknown, schema: CollectionSchema): CompiledFilter {
  const checked = checkFilter(expr, schema);
  const defaults = fieldDefaults(schema);
  const ctx: Ctx = {
    optional: new Set(['$meta', ...schema.fields.filter((f) => f.nullable || defaults.has(f.name)).map((f) => f.name)]),
    json: new Set(['$meta', ...schema.fields.filter((f) => f.dataType === 'JSON').map((f) => f.name)]),
    defaults, schema,
  };
  const plan = predicate(checked.expr, false, ctx);
  return { expr: checked.expr, fields: checked.fields, bind: (cols) => plan(cols) };
}

/** Row indexes in [0, count) that match (only a predicate's support is tested when it has one, rowSupport.ts). */
export function filterRows(filter: CompiledFilter, columns: Columns, count: number): number[] {
  return matchingRows(filter.bind(columns), count);
}

/** The columns of an insert batch as a filter reads them (scalar fields plus the primary key). */
export function rowsColumns(schema: CollectionSchema, rows: Rows): Columns {
  return { ...rows.fields, [primaryField(schema).name]: rows.pks };
}

const NONE: Getter = () => undefined;

function column(cols: Columns, name: string, ctx: Ctx): Column | null {
  const c = cols[name];
  if (c !== undefined) return c;
  if (ctx.optional.has(name)) return null;
  throw new NuthatchError('Internal', `the filter reads column '${name}', which the bound columns lack`);
}

function getter(e: Expr, ctx: Ctx): Build<Getter> {
  switch (e.kind) {
    case 'literal': { const v = e.value; return () => () => v; }
    case 'field': {
      const { name, path } = e;
      const d = ctx.defaults.get(name);
      if (d !== undefined) return (cols) => { const c = column(cols, name, ctx); return c ? (i) => c[i] ?? d : () => d; };
      if (path.length === 0) return (cols) => { const c = column(cols, name, ctx); return c ? (i) => c[i] : NONE; };
      const k = path[0]!;
      if (path.length === 1 && typeof k === 'string') {
        return (cols) => {
          const c = column(cols, name, ctx);
          if (!c) return NONE;
          const sp = shreddedPathOf(c, path);
          if (sp) return shreddedGetter(sp, c, path);
          return (i) => {
            const o = c[i];
            return o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;
          };
        };
      }
      return (cols) => {
        const c = column(cols, name, ctx);
        if (!c) return NONE;
        const sp = shreddedPathOf(c, path), get = jsonPathReader(path);
        return sp ? shreddedGetter(sp, c, path) : (i) => get(c[i]);
      };
    }
    case 'neg': {
      const g = getter(e.arg, ctx);
      return (cols) => { const a = g(cols); return (i) => { const v = a(i); return typeof v === 'number' ? -v : null; }; };
    }
    case 'arith': {
      if (e.right.kind === 'literal' && e.right.type === 'interval') {
        const l = getter(e.left, ctx), iv = parseInterval(e.right.value) as Interval, sign = e.op === '-' ? -1 : 1;
        return (cols) => { const a = l(cols); return (i) => { const v = a(i); return typeof v === 'number' ? shiftTimestamptz(v, iv, sign) : null; }; };
      }
      const l = getter(e.left, ctx), r = getter(e.right, ctx), { op } = e, int = e.integer === true;
      return (cols) => { const a = l(cols), b = r(cols); return (i) => arith(op, a(i), b(i), int); };
    }
    case 'length': {
      const g = getter(e.arg, ctx);
      return (cols) => { const a = g(cols); return (i) => { const v = a(i); return Array.isArray(v) ? v.length : null; }; };
    }
    default: throw new NuthatchError('Internal', `'${e.kind}' is not a value`);
  }
}

function predicate(e: Expr, negated: boolean, ctx: Ctx): Build<RowPredicate> {
  switch (e.kind) {
    case 'not': return predicate(e.arg, !negated, ctx);
    case 'and': case 'or': {
      const parts = e.args.map((a) => predicate(a, negated, ctx));
      return (e.kind === 'and') !== negated ? all(parts) : any(parts);
    }
    case 'literal': { const v = e.value === !negated; return () => () => v; }
    case 'field': {
      const g = getter(e, ctx), want = !negated;
      return viaShredded(e, ctx, (v) => v === want, (cols) => { const a = g(cols); return (i) => a(i) === want; });
    }
    case 'compare': return compare(negated ? NEGATE[e.op] : e.op, e.left, e.right, ctx);
    case 'in': {
      const g = getter(e.arg, ctx), set = new Set(e.values.map((v) => v.value)), flip = e.negated !== negated;
      return viaShredded(e.arg, ctx, (v) => isScalar(v) && set.has(v) !== flip,
        (cols) => { const a = g(cols); return (i) => { const v = a(i); return isScalar(v) && set.has(v) !== flip; }; });
    }
    case 'like': {
      const g = getter(e.arg, ctx), m = compileLike(e.pattern), flip = e.negated !== negated;
      return viaShredded(e.arg, ctx, (v) => typeof v === 'string' && m(v) !== flip,
        (cols) => { const a = g(cols); return (i) => { const v = a(i); return typeof v === 'string' && m(v) !== flip; }; });
    }
    case 'textMatch': {
      // Each row's text and the query are analyzed as the field's texts are (stop words, stems, ...): with
      // multi_analyzer_params both by the analyzer the row's by_field value picks, so a row matches in its own language.
      const analysis = textAnalysis(ctx.schema, e.arg.name);
      const g = getter(e.arg, ctx), by = analysis.byField === undefined ? undefined : getter({ kind: 'field', name: analysis.byField, path: [], pos: e.pos } as Expr, ctx);
      const queries = new Map<Analyzer, string[]>();
      const queryOf = (an: Analyzer): string[] => { let q = queries.get(an); if (!q) { q = tokenize(e.query, an); queries.set(an, q); } return q; };
      if (e.phrase) {
        const { slop } = e.phrase;
        return (cols) => {
          const a = g(cols), b = by?.(cols);
          return (i) => { const v = a(i); if (typeof v !== 'string') return false; const an = analysis.forRow(b?.(i)); return phraseMatches(tokenize(v, an), queryOf(an), slop) !== negated; };
        };
      }
      // Unknown (false either way) for a null text, as `like`.
      const sets = new Map<Analyzer, Set<string>>();
      const wordsOf = (an: Analyzer): Set<string> => { let w = sets.get(an); if (!w) { w = new Set(queryOf(an)); sets.set(an, w); } return w; };
      return (cols) => {
        const a = g(cols), b = by?.(cols);
        return (i) => { const v = a(i); if (typeof v !== 'string') return false; const an = analysis.forRow(b?.(i)), words = wordsOf(an); return tokenize(v, an).some((w) => words.has(w)) !== negated; };
      };
    }
    case 'geo': {
      const test = geoTest(e), { name } = e.arg;
      return (cols) => {
        const c = column(cols, name, ctx);
        const d = ctx.defaults.get(name), dflt = typeof d === 'string' ? [d] : null;
        if (!c && !dflt) return () => false;
        return (i) => {
          const g = c && c[i] != null ? rowGeometry(c, i) : dflt && rowGeometry(dflt, 0);
          return g !== null && test(g) !== negated;
        };
      };
    }
    case 'sample': {
      // Placement (sample.ts) keeps it out of any `not`: `negated` is false here.
      const test = sampleTest(e), pk = primaryField(ctx.schema).name;
      return (cols) => { const c = column(cols, pk, ctx)!; return (i) => test(c[i] as PrimaryKey) !== negated; };
    }
    case 'isNull': {
      const g = getter(e.arg, ctx), flip = e.negated !== negated;
      return viaShredded(e.arg, ctx, (v) => (v == null) !== flip, (cols) => { const a = g(cols); return (i) => (a(i) == null) !== flip; });
    }
    case 'elementMatch': {
      // The condition compiled once against the element schema; rows counted by elementMatch.ts.
      const f = ctx.schema.fields.find((x) => x.name === e.arg.name)!;
      const inner = compileFilter(e.pred, elementSchema(f)), enough = elementCount(e.fn, e.count);
      return (cols) => elementMatchRows(column(cols, e.arg.name, ctx), inner, enough, negated);
    }
    case 'contains': {
      // Unknown (false either way) unless the value is a list.
      const g = getter(e.arg, ctx), test = containsTest(e.op, e.values.map((v) => v.value));
      return viaShredded(e.arg, ctx, (v) => Array.isArray(v) && test(v) !== negated,
        (cols) => { const a = g(cols); return (i) => { const v = a(i); return Array.isArray(v) && test(v) !== negated; }; });
    }
    default: throw new NuthatchError('Internal', `'${e.kind}' is not a condition`);
  }
}

/** Whether `m` of `n` elements matching satisfies the function (MATCH_ALL of no elements holds, as count == total does). */
function elementCount(fn: ElementFn, k: number | undefined): (m: number, n: number) => boolean {
  switch (fn) {
    case 'element_filter': case 'match_any': return (m) => m >= 1;
    case 'match_all': return (m, n) => m === n;
    case 'match_least': return (m) => m >= k!;
    case 'match_most': return (m) => m <= k!;
    default: return (m) => m === k!;
  }
}

/** Whether a list holds the value (`contains`), every value, or any; elements compare as `==` does. */
function containsTest(op: ContainsOp, values: readonly unknown[]): (list: unknown[]) => boolean {
  if (op === 'contains') { const k = values[0]; return (list) => list.includes(k); }
  if (op === 'containsAll') return (list) => { for (const k of values) if (!list.includes(k)) return false; return true; };
  const set = new Set(values);
  return (list) => { for (const x of list) if (set.has(x)) return true; return false; };
}

function all(parts: Build<RowPredicate>[]): Build<RowPredicate> {
  if (parts.length === 1) return parts[0]!;
  return (cols) => {
    const ps = parts.map((p) => p(cols));
    const s = combinedSupport(ps, true);
    let p: RowPredicate;
    if (ps.length === 2) { const [a, b] = ps as [RowPredicate, RowPredicate]; p = (i) => a(i) && b(i); }
    else p = (i) => { for (const q of ps) if (!q(i)) return false; return true; };
    return s ? withSupport(p, s) : p;
  };
}

function any(parts: Build<RowPredicate>[]): Build<RowPredicate> {
  if (parts.length === 1) return parts[0]!;
  return (cols) => {
    const ps = parts.map((p) => p(cols));
    const s = combinedSupport(ps, false);
    let p: RowPredicate;
    if (ps.length === 2) { const [a, b] = ps as [RowPredicate, RowPredicate]; p = (i) => a(i) || b(i); }
    else p = (i) => { for (const q of ps) if (q(i)) return true; return false; };
    return s ? withSupport(p, s) : p;
  };
}

const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function compare(op: CompareOp, left: Expr, right: Expr, ctx: Ctx): Build<RowPredicate> {
  if (left.kind === 'literal' && right.kind === 'field') return compare(MIRROR[op], right, left, ctx);
  if (left.kind === 'field' && right.kind === 'literal') return fieldVsLiteral(op, left.name, left.path, right, ctx);
  const l = getter(left, ctx), r = getter(right, ctx);
  return (cols) => { const a = l(cols), b = r(cols); return (i) => holds(op, a(i), b(i)); };
}

/** The hot path: one column against a constant, with the operator fixed at compile time. */
function fieldVsLiteral(op: CompareOp, name: string, path: (string | number)[], lit: LiteralNode, ctx: Ctx): Build<RowPredicate> {
  const k = lit.value;
  if (path.length > 0 || ctx.json.has(name) || ctx.defaults.has(name)) {
    // JSON values carry no static type, and a null of a field with a default reads as it: the generic semantics decide per row.
    const f: Expr = { kind: 'field', name, path, pos: 0 }, g = getter(f, ctx);
    return viaShredded(f, ctx, (v) => holds(op, v, k), (cols) => { const a = g(cols); return (i) => holds(op, a(i), k); }, { op, k });
  }
  // A typed column holds values of the literal's kind or null, so only null needs a test.
  return (cols) => {
    const c = column(cols, name, ctx);
    if (!c) return () => false;
    switch (op) {
      case '==': return (i) => c[i] === k;
      case '!=': return (i) => { const v = c[i]; return v != null && v !== k; };
      case '<': return (i) => { const v = c[i]; return v != null && (v as number) < (k as number); };
      case '<=': return (i) => { const v = c[i]; return v != null && (v as number) <= (k as number); };
      case '>': return (i) => { const v = c[i]; return v != null && (v as number) > (k as number); };
      default: return (i) => { const v = c[i]; return v != null && (v as number) >= (k as number); };
    }
  };
}

/**
 * A leaf over a JSON path: bound to a column with a shredded form at that
 * path (shreddedJson.ts), `test` runs over the shredded form; else `plain`.
 * `test` is exactly what `plain` applies to each row's value, so the two agree.
 */
function viaShredded(arg: Expr, ctx: Ctx, test: ValueTest, plain: Build<RowPredicate>, cmp?: LiteralCompare): Build<RowPredicate> {
  if (arg.kind !== 'field' || arg.path.length === 0 || !ctx.json.has(arg.name) || ctx.defaults.has(arg.name)) return plain;
  const { name, path } = arg;
  return (cols) => {
    const c = cols[name];
    const sp = c === undefined ? undefined : shreddedPathOf(c, path);
    return sp ? shreddedPredicate(sp, c!, path, test, cmp) : plain(cols);
  };
}
