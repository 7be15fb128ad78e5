import { ValidationError } from '../../../messages/index.js';

/**
 * A small evaluator of Milvus boolean filter expressions, enough for the
 * in-memory api the HTTP tests run against: comparisons (== != < <= > >=),
 * `in [..]` / `not in [..]`, and / or / not (also && || !) and parentheses.
 * Test support only; the real filter engine lives with the query path.
 */
export type Predicate = (row: Record<string, unknown>) => boolean;

type Tok = { k: 'id' | 'num' | 'str' | 'op'; v: string | number };

const TOKEN = /\s*(?:(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(==|!=|<=|>=|&&|\|\||[<>()[\],!])|([A-Za-z_$][A-Za-z0-9_$]*))/y;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new ValidationError(`cannot parse filter at ${at}: '${src.slice(at, at + 20)}'`);
    if (m[1] !== undefined) out.push({ k: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ k: 'str', v: m[2] });
    else if (m[3] !== undefined) out.push({ k: 'str', v: m[3] });
    else if (m[4] !== undefined) out.push({ k: 'op', v: m[4] });
    else out.push({ k: 'id', v: m[5]! });
  }
  return out;
}

/** Compiles a filter into a predicate over rows; throws InvalidArgument on syntax errors. */
export function compileFilter(src: string): Predicate {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const isWord = (w: string) => peek()?.k === 'id' && String(peek()!.v).toLowerCase() === w;
  const isOp = (o: string) => peek()?.k === 'op' && peek()!.v === o;
  const expect = (o: string) => { if (!isOp(o)) throw new ValidationError(`filter: expected '${o}' in '${src}'`); i++; };
  const literal = (): unknown => {
    const t = toks[i++];
    if (!t) throw new ValidationError(`filter: unexpected end of '${src}'`);
    if (t.k === 'num' || t.k === 'str') return t.v;
    if (t.k === 'id' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    throw new ValidationError(`filter: expected a value, got '${t.v}' in '${src}'`);
  };
  const list = (): unknown[] => {
    expect('[');
    const out: unknown[] = [];
    while (!isOp(']')) { out.push(literal()); if (isOp(',')) i++; else break; }
    expect(']');
    return out;
  };
  const primary = (): Predicate => {
    if (isOp('(')) { i++; const p = or(); expect(')'); return p; }
    if (isOp('!') || isWord('not')) { i++; const p = primary(); return (r) => !p(r); }
    const t = toks[i++];
    if (t?.k !== 'id') throw new ValidationError(`filter: expected a field name in '${src}'`);
    const field = String(t.v);
    if (isWord('in')) { i++; const set = list(); return (r) => set.includes(r[field]); }
    if (isWord('not')) { i++; if (!isWord('in')) throw new ValidationError(`filter: expected 'in' after 'not' in '${src}'`); i++; const set = list(); return (r) => !set.includes(r[field]); }
    const op = toks[i++];
    if (op?.k !== 'op') throw new ValidationError(`filter: expected an operator after '${field}' in '${src}'`);
    const v = literal();
    const cmp: Record<string, (a: any, b: any) => boolean> = {
      '==': (a, b) => a === b, '!=': (a, b) => a !== b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
    };
    const f = cmp[String(op.v)];
    if (!f) throw new ValidationError(`filter: unknown operator '${op.v}' in '${src}'`);
    return (r) => r[field] !== undefined && r[field] !== null && f(r[field], v);
  };
  const and = (): Predicate => {
    let p = primary();
    while (isOp('&&') || isWord('and')) { i++; const a = p, b = primary(); p = (r) => a(r) && b(r); }
    return p;
  };
  const or = (): Predicate => {
    let p = and();
    while (isOp('||') || isWord('or')) { i++; const a = p, b = and(); p = (r) => a(r) || b(r); }
    return p;
  };
  const p = or();
  if (i !== toks.length) throw new ValidationError(`filter: unexpected '${toks[i]!.v}' in '${src}'`);
  return p;
}
