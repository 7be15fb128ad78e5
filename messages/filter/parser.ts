/**
 * Recursive-descent parser for Milvus filter expressions. Precedence, loosest first:
 *   or (`or`, `||`)  <  and (`and`, `&&`)  <  not (`not`, `!`)
 *   <  predicate (comparison, chained `1 < a < 5`, `in`, `not in`, `like`, `is [not] null`)
 *   <  `+ -`  <  `* / %`  <  unary `-`
 *   <  field, JSON path `f["k"][0]`, element `tags[0]`, literal, `( )`, function call.
 * Functions (names in any case, as keywords): `array_contains(f, v)`,
 * `array_contains_all(f, [..])`, `array_contains_any(f, [..])` (also spelled
 * `json_contains*`), `array_length(f)`, `text_match(f, "words")` and
 * `phrase_match(f, "words", slop?)`, and the geometry operators `ST_CONTAINS(f, 'WKT')`
 * and the rest (geoCall.ts), and `RANDOM_SAMPLE(factor)` (sample.ts); a name is a function only before `(`.
 * `not` binds looser than a comparison (`not a > 1` is `not (a > 1)`), as in SQL and Python.
 * Timestamptz literals (Milvus's): `ISO '2025-01-03T00:00:00+08:00'` is an
 * instant (text without an offset read in `timezone`, default UTC), kept as
 * microseconds; `INTERVAL 'P1DT2H'` an ISO 8601 duration, only as in
 * `field + INTERVAL '...'` or `- INTERVAL`. Bad text is refused here.
 * Template parameters `{name}` (filter_params, params.ts) stand for a literal, an
 * `in` or array-function list, or a `like` pattern; their values are given beside the text.
 * Syntax only: field names and types are checked against a schema by checkFilter.
 */
import { FILTER_LIMITS, filterError } from './ast.js';
import type { ArithOp, CompareOp, ContainsOp, ElementFn, Expr, FieldNode, LiteralNode } from './ast.js';
import { COUNTED_ELEMENT_FNS, ELEMENT_FNS } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { listLiterals, paramValue, scalarLiteral, type FilterParams } from './params.js';
import { ValidationError } from '../errors.js';
import { geoNode } from './geoCall.js';
import { SAMPLE_NAME, sampleFactor } from './sample.js';
import { DEFAULT_TIMEZONE, parseInterval, parseTimestamptz } from '../timestamptz.js';

/** The largest slop phrase_match takes (Milvus keeps it in a uint32; a phrase of more spread matches nothing sensible). */
const MAX_SLOP = 2 ** 31 - 1;

const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
const ASCENDING = new Set(['<', '<=']);
const DESCENDING = new Set(['>', '>=']);
const CONTAINS: Record<string, ContainsOp> = {
  array_contains: 'contains', array_contains_all: 'containsAll', array_contains_any: 'containsAny',
  json_contains: 'contains', json_contains_all: 'containsAll', json_contains_any: 'containsAny',
};

/** Parses filter text into an AST; throws ValidationError (InvalidArgument) saying what and where. */
export function parseFilter(text: string, params?: FilterParams, timezone: string = DEFAULT_TIMEZONE): Expr {
  if (typeof text !== 'string') throw new ValidationError('filter must be a string');
  if (text.length > FILTER_LIMITS.maxLength) throw new ValidationError(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  if (text.trim() === '') throw new ValidationError('filter is empty');
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new ValidationError('filter params must be an object of name: value');
  return new Parser(tokenize(text), params, timezone).parseAll();
}

class Parser {
  private i = 0;
  /** Depth of each built node, to refuse trees deeper than FILTER_LIMITS.maxDepth. */
  private readonly depth = new WeakMap<Expr, number>();
  private nesting = 0;
  /** Inside an element_filter / MATCH_* predicate: fields are the elements' `$[sub]` only. */
  private inElement = false;

  constructor(private readonly toks: Token[], private readonly params: FilterParams | undefined, private readonly timezone: string) {}

  parseAll(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') throw this.unexpected(t);
    return e;
  }

  private peek(): Token { return this.toks[this.i]!; }
  private next(): Token { return this.toks[this.i++]!; }
  private is(kind: Token['kind'], text?: string, at = 0): boolean {
    const t = this.toks[Math.min(this.i + at, this.toks.length - 1)]!;
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private isKw(...words: string[]): boolean { return this.peek().kind === 'kw' && words.includes(this.peek().text); }
  private expect(kind: Token['kind'], text: string): Token {
    const t = this.peek();
    if (t.kind !== kind || t.text !== text) throw filterError(`expected '${text}' but found ${describe(t)}`, t.pos);
    return this.next();
  }
  private unexpected(t: Token): ValidationError {
    return filterError(t.kind === 'eof' ? 'unexpected end of input' : `unexpected ${describe(t)}`, t.pos);
  }

  /** Registers a node's depth (1 + deepest child) and refuses it past the limit. */
  private mk<T extends Expr>(node: T, ...children: Expr[]): T {
    let d = 0;
    for (const c of children) d = Math.max(d, this.depth.get(c) ?? 1);
    if (d + 1 > FILTER_LIMITS.maxDepth) throw filterError(`expression is nested deeper than ${FILTER_LIMITS.maxDepth}`, node.pos);
    this.depth.set(node, d + 1);
    return node;
  }
  /** Guards the recursion itself, which runs before any node exists. */
  private enter(pos: number): void {
    if (++this.nesting > FILTER_LIMITS.maxDepth) throw filterError(`expression is nested deeper than ${FILTER_LIMITS.maxDepth}`, pos);
  }

  private parseOr(): Expr { return this.parseLogical('or', '||', () => this.parseAnd()); }
  private parseAnd(): Expr { return this.parseLogical('and', '&&', () => this.parseNot()); }

  private parseLogical(kw: 'and' | 'or', sym: string, sub: () => Expr): Expr {
    const first = sub();
    if (!this.isKw(kw) && !this.is('punct', sym)) return first;
    const args = [first];
    while (this.isKw(kw) || this.is('punct', sym)) { this.next(); args.push(sub()); }
    return this.mk({ kind: kw, args, pos: first.pos }, ...args);
  }

  private parseNot(): Expr {
    if (!this.isKw('not') && !this.is('punct', '!')) return this.parsePredicate();
    const t = this.next();
    this.enter(t.pos);
    const arg = this.parseNot();
    this.nesting--;
    return this.mk({ kind: 'not', arg, pos: t.pos }, arg);
  }

  private parsePredicate(): Expr {
    const left = this.parseSum();
    const t = this.peek();
    if (t.kind === 'punct' && COMPARE.has(t.text)) return this.parseComparison(left);
    if (this.isKw('in')) { this.next(); return this.parseIn(left, false, t.pos); }
    if (this.isKw('like')) { this.next(); return this.parseLike(left, false, t.pos); }
    if (this.isKw('not') && this.is('kw', 'in', 1)) { this.i += 2; return this.parseIn(left, true, t.pos); }
    if (this.isKw('not') && this.is('kw', 'like', 1)) { this.i += 2; return this.parseLike(left, true, t.pos); }
    if (this.isKw('is')) return this.parseIsNull(left);
    return left;
  }

  private parseComparison(left: Expr): Expr {
    const op1 = this.next();
    const mid = this.parseSum();
    const first = this.mk({ kind: 'compare', op: op1.text as CompareOp, left, right: mid, pos: op1.pos }, left, mid);
    const t = this.peek();
    if (t.kind !== 'punct' || !COMPARE.has(t.text)) return first;
    const chain = (ASCENDING.has(op1.text) && ASCENDING.has(t.text)) || (DESCENDING.has(op1.text) && DESCENDING.has(t.text));
    if (!chain) throw filterError(`cannot chain '${op1.text}' with '${t.text}'; only '<'/'<=' or '>'/'>=' chain (use parentheses)`, t.pos);
    this.next();
    const right = this.parseSum();
    const second = this.mk({ kind: 'compare', op: t.text as CompareOp, left: mid, right, pos: t.pos }, mid, right);
    const after = this.peek();
    if (after.kind === 'punct' && COMPARE.has(after.text)) throw filterError(`a comparison chain has at most two operators, found ${describe(after)}`, after.pos);
    return this.mk({ kind: 'and', args: [first, second], pos: left.pos }, first, second);
  }

  private parseIn(arg: Expr, negated: boolean, pos: number): Expr {
    const values = this.parseList('an \'in\' list holds only literals');
    return this.mk({ kind: 'in', arg, values, negated, pos }, arg);
  }

  /** `[literal, ...]`, a trailing comma allowed. */
  private parseList(hint: string): LiteralNode[] {
    const p = this.peek();
    if (p.kind === 'param') { this.next(); return listLiterals(paramValue(this.params, p.text, p.pos), p.text, p.pos).map((l) => this.mk(l)); }
    this.expect('punct', '[');
    const values: LiteralNode[] = [];
    while (!this.is('punct', ']')) {
      values.push(this.parseLiteral(hint));
      if (!this.is('punct', ',')) break;
      this.next();
    }
    this.expect('punct', ']');
    return values;
  }

  private parseLike(arg: Expr, negated: boolean, pos: number): Expr {
    const t = this.peek();
    let pattern: string;
    if (t.kind === 'param') {
      const v = paramValue(this.params, t.text, t.pos);
      if (typeof v !== 'string') throw filterError(`template parameter {${t.text}} must be a string pattern for 'like'`, t.pos);
      pattern = scalarLiteral(v, t.text, t.pos).value as string;
    } else if (t.kind === 'str') pattern = t.value as string;
    else throw filterError(`'like' needs a string pattern, found ${describe(t)}`, t.pos);
    this.next();
    return this.mk({ kind: 'like', arg, pattern, negated, pos }, arg);
  }

  private parseIsNull(arg: Expr): Expr {
    const is = this.next();
    const negated = this.isKw('not');
    if (negated) this.next();
    this.expect('kw', 'null');
    if (arg.kind !== 'field') throw filterError(`'is ${negated ? 'not ' : ''}null' applies to a field`, is.pos);
    return this.mk({ kind: 'isNull', arg, negated, pos: is.pos }, arg);
  }

  private parseSum(): Expr { return this.parseArith(['+', '-'], () => this.parseProduct()); }
  private parseProduct(): Expr { return this.parseArith(['*', '/', '%'], () => this.parseUnary()); }

  private parseArith(ops: string[], sub: () => Expr): Expr {
    let left = sub();
    while (this.peek().kind === 'punct' && ops.includes(this.peek().text)) {
      const op = this.next();
      const right = sub();
      left = this.mk({ kind: 'arith', op: op.text as ArithOp, left, right, pos: op.pos }, left, right);
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind !== 'punct' || (t.text !== '-' && t.text !== '+')) return this.parsePrimary();
    this.next();
    this.enter(t.pos);
    const arg = this.parseUnary();
    this.nesting--;
    if (t.text === '+') return arg;
    // Fold `-3` into a literal so `in [-3]` and `a > -3` need no arithmetic.
    if (arg.kind === 'literal' && typeof arg.value === 'number') return this.mk({ ...arg, value: -arg.value, pos: t.pos });
    return this.mk({ kind: 'neg', arg, pos: t.pos }, arg);
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      this.enter(t.pos);
      const e = this.parseOr();
      this.nesting--;
      this.expect('punct', ')');
      return e;
    }
    if (this.isTimeLiteral()) return this.parseLiteral('');
    if (t.kind === 'ident' && this.is('punct', '(', 1)) return this.parseCall();
    if (t.kind === 'ident' && t.text === '$' && this.is('punct', '[', 1)) return this.parseElementField();
    if (t.kind === 'ident' && this.inElement) throw filterError(`inside element_filter and MATCH_*, a condition reads the Struct's sub-fields as $[name]; '${t.text}' is not one`, t.pos);
    if (t.kind === 'ident') { this.next(); return this.parsePath({ kind: 'field', name: t.text, path: [], pos: t.pos }); }
    return this.parseLiteral('expected a field, a literal or \'(\'');
  }

  /** `name(field, ...)`: the array functions. */
  private parseCall(): Expr {
    const t = this.next(), name = t.text.toLowerCase(), op = CONTAINS[name];
    if (name.startsWith('st_')) return this.parseGeo(t);
    if (ELEMENT_FNS.has(name)) return this.parseElementMatch(t, name as ElementFn);
    if (this.inElement) throw filterError(`inside element_filter and MATCH_*, a condition reads $[sub-fields] only: ${t.text}() is not taken there`, t.pos);
    if (name === 'random_sample') return this.parseSample(t);
    if (op === undefined && name !== 'array_length' && name !== 'text_match' && name !== 'phrase_match') throw filterError(`unknown function '${t.text}' (array_contains, array_contains_all, array_contains_any, array_length, text_match, phrase_match, RANDOM_SAMPLE, element_filter, MATCH_ANY and the other MATCH_ operators, ST_CONTAINS and the other ST_ operators)`, t.pos);
    this.expect('punct', '(');
    const f = this.peek();
    if (f.kind !== 'ident') throw filterError(`${name} needs a field as its first argument, found ${describe(f)}`, f.pos);
    this.next();
    const arg = this.parsePath({ kind: 'field', name: f.text, path: [], pos: f.pos }) as FieldNode;
    if (name === 'text_match') {
      this.expect('punct', ',');
      const q = this.parseLiteral('text_match takes the words to match as a string');
      if (typeof q.value !== 'string') throw filterError('text_match takes the words to match as a string', q.pos);
      this.expect('punct', ')');
      return this.mk({ kind: 'textMatch', arg, query: q.value, pos: t.pos }, arg);
    }
    if (name === 'phrase_match') {
      this.expect('punct', ',');
      const q = this.parseLiteral('phrase_match takes the phrase as a string');
      if (typeof q.value !== 'string') throw filterError('phrase_match takes the phrase as a string', q.pos);
      let slop = 0;
      if (this.is('punct', ',')) {
        this.next();
        const s = this.parseLiteral('phrase_match takes its slop as a non-negative integer');
        if (typeof s.value !== 'number' || !Number.isSafeInteger(s.value) || s.value < 0 || s.value > MAX_SLOP) throw filterError(`phrase_match takes its slop as an integer in 0..${MAX_SLOP}`, s.pos);
        slop = s.value;
      }
      this.expect('punct', ')');
      return this.mk({ kind: 'textMatch', arg, query: q.value, pos: t.pos, phrase: { slop } }, arg);
    }
    if (op === undefined) {
      this.expect('punct', ')');
      return this.mk({ kind: 'length', arg, pos: t.pos }, arg);
    }
    this.expect('punct', ',');
    let values: LiteralNode[];
    if (op !== 'contains') values = this.parseList(`${name} takes a list of literals`);
    else if (this.is('punct', '[') || (this.is('param') && Array.isArray(this.params?.[this.peek().text]))) throw filterError(`${name} takes one value; for a list use array_contains_all or array_contains_any`, this.peek().pos);
    else values = [this.parseLiteral(`${name} takes a literal value`)];
    this.expect('punct', ')');
    return this.mk({ kind: 'contains', op, arg, values, pos: t.pos }, arg);
  }

  /** `element_filter(f, pred)`, `MATCH_ALL(f, pred)`, `MATCH_LEAST(f, pred, k)`, ...: Milvus 3.0's StructArray operators. */
  private parseElementMatch(t: Token, fn: ElementFn): Expr {
    if (this.inElement) throw filterError(`${t.text} cannot be nested in another element condition`, t.pos);
    this.expect('punct', '(');
    const f = this.peek();
    if (f.kind !== 'ident' || f.text === '$') throw filterError(`${t.text} needs an Array of Structs field as its first argument, found ${describe(f)}`, f.pos);
    this.next();
    const arg = this.mk<FieldNode>({ kind: 'field', name: f.text, path: [], pos: f.pos });
    this.expect('punct', ',');
    this.inElement = true;
    this.enter(t.pos);
    const pred = this.parseOr();
    this.nesting--;
    this.inElement = false;
    let count: number | undefined;
    if (COUNTED_ELEMENT_FNS.has(fn)) {
      this.expect('punct', ',');
      const k = this.parseLiteral(`${t.text} takes a count of elements`);
      if (k.type !== 'int' || (k.value as number) < 0) throw filterError(`${t.text} takes its count as a non-negative integer`, k.pos);
      count = k.value as number;
    }
    this.expect('punct', ')');
    return this.mk({ kind: 'elementMatch', fn, arg, pred, ...(count === undefined ? {} : { count }), pos: t.pos }, pred);
  }

  /** `$[sub]` (or `$["sub"]`): a sub-field of the Struct elements an element condition reads. */
  private parseElementField(): Expr {
    const t = this.next();
    if (!this.inElement) throw filterError('$[name] names a Struct\'s sub-field, only inside element_filter or MATCH_*', t.pos);
    this.expect('punct', '[');
    const k = this.peek();
    if (k.kind !== 'ident' && k.kind !== 'str') throw filterError(`$[...] takes a sub-field name, found ${describe(k)}`, k.pos);
    this.next();
    this.expect('punct', ']');
    return this.mk<FieldNode>({ kind: 'field', name: `$[${k.kind === 'str' ? k.value as string : k.text}]`, path: [], pos: t.pos });
  }

  /** `RANDOM_SAMPLE(factor)`, factor in (0, 1); where it may stand is checked by checkFilter (sample.ts). */
  private parseSample(t: Token): Expr {
    this.expect('punct', '(');
    const f = this.parseLiteral(`${SAMPLE_NAME} takes a sampling factor in (0, 1)`);
    const factor = sampleFactor(f.type === 'int' || f.type === 'float' ? f.value : String(f.value), f.pos);
    this.expect('punct', ')');
    return this.mk({ kind: 'sample', factor, pos: t.pos });
  }

  /** `ST_OP(field, 'wkt')` and `ST_DWITHIN(field, 'POINT (x y)', meters)`: Milvus's geometry operators (geoCall.ts). */
  private parseGeo(t: Token): Expr {
    this.expect('punct', '(');
    const f = this.peek();
    if (f.kind !== 'ident') throw filterError(`${t.text} needs a Geometry field as its first argument, found ${describe(f)}`, f.pos);
    this.next();
    const arg = this.parsePath({ kind: 'field', name: f.text, path: [], pos: f.pos }) as FieldNode;
    this.expect('punct', ',');
    const wkt = this.parseLiteral(`${t.text} takes a WKT string`);
    let distance: LiteralNode | undefined;
    if (this.is('punct', ',')) { this.next(); distance = this.parseLiteral(`${t.text} takes a distance in meters`); }
    this.expect('punct', ')');
    return this.mk(geoNode(t.text, t.pos, arg, wkt, distance), arg);
  }

  private parsePath(field: FieldNode): Expr {
    while (this.is('punct', '[')) {
      const open = this.next();
      const k = this.peek();
      if (k.kind === 'str') field.path.push(k.value as string);
      else if (k.kind === 'num' && !k.float && (k.value as number) >= 0) field.path.push(k.value as number);
      else throw filterError(`a JSON path key must be a string or a non-negative integer, found ${describe(k)}`, k.pos);
      this.next();
      this.expect('punct', ']');
      if (field.path.length > FILTER_LIMITS.maxDepth) throw filterError(`JSON path is longer than ${FILTER_LIMITS.maxDepth}`, open.pos);
    }
    return this.mk(field);
  }

  /** `ISO '...'` or `INTERVAL '...'` ahead (the keyword in any case). */
  private isTimeLiteral(): boolean {
    const t = this.peek();
    return t.kind === 'ident' && /^(iso|interval)$/i.test(t.text) && this.is('str', undefined, 1);
  }

  /** The literal after `ISO` or `INTERVAL` (the keyword token `k`, already taken); the string is taken by the caller. */
  private timeLiteral(k: Token): LiteralNode {
    const s = this.peek(), text = s.value as string;
    if (k.text.toLowerCase() === 'iso') {
      const t = parseTimestamptz(text, this.timezone);
      if (typeof t === 'string') throw filterError(`ISO literal ${t}`, s.pos);
      return { kind: 'literal', type: 'timestamptz', value: t, pos: k.pos };
    }
    const iv = parseInterval(text);
    if (typeof iv === 'string') throw filterError(`INTERVAL literal ${iv}`, s.pos);
    return { kind: 'literal', type: 'interval', value: text, pos: k.pos };
  }

  private parseLiteral(hint: string): LiteralNode {
    const t = this.peek();
    let neg = false;
    if (t.kind === 'punct' && t.text === '-' && this.is('num', undefined, 1)) { neg = true; this.next(); }
    const v = this.peek();
    let lit: LiteralNode;
    if (this.isTimeLiteral() && !neg) { this.next(); lit = this.timeLiteral(v); }
    else if (v.kind === 'param' && !neg) lit = scalarLiteral(paramValue(this.params, v.text, v.pos), v.text, v.pos);
    else if (v.kind === 'num') lit = { kind: 'literal', type: v.float ? 'float' : 'int', value: neg ? -(v.value as number) : v.value as number, pos: t.pos };
    else if (v.kind === 'str') lit = { kind: 'literal', type: 'string', value: v.value as string, pos: t.pos };
    else if (v.kind === 'kw' && (v.text === 'true' || v.text === 'false')) lit = { kind: 'literal', type: 'bool', value: v.text === 'true', pos: t.pos };
    else throw filterError(v.kind === 'eof' ? `unexpected end of input (${hint})` : `unexpected ${describe(v)} (${hint})`, v.pos);
    this.next();
    return this.mk(lit);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  if (t.kind === 'param') return `template parameter {${t.text}}`;
  if (t.kind === 'kw') return `keyword '${t.text}'`;
  if (t.kind === 'str') return `string ${t.text.length > 40 ? t.text.slice(0, 40) + '...' : t.text}`;
  return `token '${t.text.length > 40 ? t.text.slice(0, 40) + '...' : t.text}'`;
}
