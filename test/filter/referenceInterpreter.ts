/**
 * A deliberately plain interpreter of a checked filter tree over one row object,
 * written from the semantics (three-valued logic: true, false, null = unknown)
 * without the compiler's tricks, so the compiled predicates can be tested
 * against it. A row matches when the result is `true`.
 */
import type { Expr } from '../../messages/filter/index.js';
import { dwithin, prepared, relateWkt } from '../../messages/geometry/predicates.js';

type Truth = boolean | null;
type Row = Record<string, unknown>;

const scalar = (v: unknown) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

export function interpret(e: Expr, row: Row): Truth {
  switch (e.kind) {
    case 'not': { const v = interpret(e.arg, row); return v === null ? null : !v; }
    case 'and': {
      const vs = e.args.map((a) => interpret(a, row));
      return vs.includes(false) ? false : vs.includes(null) ? null : true;
    }
    case 'or': {
      const vs = e.args.map((a) => interpret(a, row));
      return vs.includes(true) ? true : vs.includes(null) ? null : false;
    }
    case 'literal': case 'field': case 'neg': case 'arith': case 'length': {
      const v = value(e, row);
      return typeof v === 'boolean' ? v : null;
    }
    case 'compare': {
      const a = value(e.left, row), b = value(e.right, row);
      if (a == null || b == null) return null;
      if (e.op === '==' || e.op === '!=') {
        if (!scalar(a) || !scalar(b)) return null;
        return (a === b) === (e.op === '==');
      }
      if (!(typeof a === 'number' && typeof b === 'number') && !(typeof a === 'string' && typeof b === 'string')) return null;
      if (e.op === '<') return a < b;
      if (e.op === '<=') return a <= b;
      if (e.op === '>') return a > b;
      return a >= b;
    }
    case 'in': {
      const v = value(e.arg, row);
      if (v == null || !scalar(v)) return null;
      const found = e.values.some((l) => l.value === v);
      return e.negated ? !found : found;
    }
    case 'like': {
      const v = value(e.arg, row);
      if (typeof v !== 'string') return null;
      const m = likeRegExp(e.pattern).test(v);
      return e.negated ? !m : m;
    }
    case 'sample': throw new Error('the reference interpreter knows no RANDOM_SAMPLE (test/filter/randomSample.test.ts tests it)');
    case 'geo': {
      const v = value(e.arg, row);
      if (typeof v !== 'string') return null;
      const g = prepared(v), q = prepared(e.wkt);
      return e.op === 'ST_DWITHIN' ? dwithin(g, [q.box![0], q.box![1]], e.distance!) : relateWkt(e.op, v, e.wkt);
    }
    case 'isNull': { const v = value(e.arg, row); return e.negated ? v != null : v == null; }
    case 'textMatch': {
      const v = value(e.arg, row);
      if (typeof v !== 'string') return null;
      if (e.phrase) return phraseByWindows(v, e.query, e.phrase.slop);
      const words = new Set(e.query.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean));
      return v.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).some((w) => w.length > 0 && words.has(w));
    }
    case 'elementMatch': {
      const els = (row[e.arg.name] ?? []) as Row[];
      const m = els.filter((el) => interpret(e.pred, Object.fromEntries(Object.entries(el).map(([k, x]) => [`$[${k}]`, x]))) === true).length;
      const k = e.count!;
      return e.fn === 'match_all' ? m === els.length : e.fn === 'match_least' ? m >= k : e.fn === 'match_most' ? m <= k : e.fn === 'match_exact' ? m === k : m >= 1;
    }
    case 'contains': {
      const v = value(e.arg, row);
      if (!Array.isArray(v)) return null;
      const has = (k: unknown) => v.some((x) => scalar(x) && x === k);
      if (e.op === 'contains') return has(e.values[0]!.value);
      return e.op === 'containsAll' ? e.values.every((l) => has(l.value)) : e.values.some((l) => has(l.value));
    }
  }
}

function value(e: Expr, row: Row): unknown {
  switch (e.kind) {
    case 'literal': return e.value;
    case 'field': {
      let v: unknown = row[e.name];
      for (const k of e.path) {
        if (typeof k === 'number') v = Array.isArray(v) ? v[k] : undefined;
        else v = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, k) ? (v as Row)[k] : undefined;
      }
      return v;
    }
    case 'neg': { const v = value(e.arg, row); return typeof v === 'number' ? -v : null; }
    case 'length': { const v = value(e.arg, row); return Array.isArray(v) ? v.length : null; }
    case 'arith': {
      const a = value(e.left, row), b = value(e.right, row);
      if (typeof a !== 'number' || typeof b !== 'number') return null;
      const r = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b
        : e.op === '/' ? (e.integer ? Math.trunc(a / b) : a / b) : a % b;
      return Number.isFinite(r) ? r : null;
    }
    default: return interpret(e, row);
  }
}

/** The like pattern as an anchored RegExp (fine for tests; the real matcher avoids RegExp). */
export function likeRegExp(pattern: string): RegExp {
  let src = '';
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\' && i + 1 < cps.length) src += escape(cps[++i]!);
    else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += escape(c);
  }
  return new RegExp(`^${src}$`, 'su');
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * PHRASE_MATCH by brute force: every way of giving each phrase term a distinct
 * position of the text, and the spread of (position - place in the phrase).
 */
function phraseByWindows(text: string, query: string, slop: number): boolean {
  const words = (t: string) => t.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
  const tokens = words(text), phrase = words(query);
  if (phrase.length === 0) return false;
  const choose = (i: number, used: number[]): boolean => {
    if (i === phrase.length) {
      const offs = used.map((p, j) => p - j);
      return Math.max(...offs) - Math.min(...offs) <= slop;
    }
    return tokens.some((t, p) => t === phrase[i] && !used.includes(p) && choose(i + 1, [...used, p]));
  };
  return choose(0, []);
}
