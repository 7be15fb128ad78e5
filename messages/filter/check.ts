/**
 * Validates a filter AST against a collection schema and returns a resolved copy:
 * dynamic fields are rewritten to `$meta` paths and integer arithmetic is marked.
 * An Array field is a value only through an element (`tags[0]`, typed as its
 * elements), `array_contains*`, `array_length` or `is null`.
 * The input may come off the wire, so its shape is checked too; any fault is a
 * ValidationError (InvalidArgument) that names the field or position.
 */
import { CONTAINS_NAME, FILTER_LIMITS, VALUE_KINDS, filterError } from './ast.js';
import type { ContainsOp, Expr, FieldNode, LiteralNode } from './ast.js';
import type { CollectionSchema, DataType, FieldSchema } from '../schema.js';
import { parseInterval } from '../timestamptz.js';
import { checkedGeo } from './geoCall.js';
import { COUNTED_ELEMENT_FNS, ELEMENT_FNS, type ElementFn } from './ast.js';
import { elementSchema, isStructArray } from '../structArray.js';
import { checkSamplePlacement, sampleFactor } from './sample.js';
import { primaryField } from '../schema.js';

/** A checked filter: the resolved tree and the columns it reads (`$meta` for dynamic fields). */
export interface CheckedFilter { expr: Expr; fields: string[] }

/** Static type of a subexpression. `json` is known only per row; `cond` is a truth value; `array` a whole Array field. */
type Ty = 'bool' | 'int' | 'float' | 'string' | 'json' | 'cond' | 'array' | 'timestamptz' | 'interval' | 'geometry';
/** `elem` describes the elements of an `array`. */
interface Typed { e: Expr; ty: Ty; what: string; elem?: { ty: Ty; what: string } }

const FIELD_TYPE: Record<DataType, Ty | null> = {
  Bool: 'bool', Int8: 'int', Int16: 'int', Int32: 'int', Int64: 'int', Float: 'float', Double: 'float',
  VarChar: 'string', JSON: 'json', Array: 'array', FloatVector: null, SparseFloatVector: null,
  Float16Vector: null, BFloat16Vector: null, BinaryVector: null, Int8Vector: null, Timestamptz: 'timestamptz',
  Geometry: 'geometry',
};
const CONTAINS_OPS: ReadonlySet<unknown> = new Set(Object.keys(CONTAINS_NAME));
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const ARITH_OPS = new Set(['+', '-', '*', '/', '%']);
const isNum = (t: Ty) => t === 'int' || t === 'float';

/** Checks `expr` (a parsed or received AST) against `schema`. */
export function checkFilter(expr: unknown, schema: CollectionSchema): CheckedFilter {
  const c = new Checker(schema);
  const top = c.check(expr, 0);
  if (!isCond(top.ty)) throw filterError(`a filter must be a condition, not ${top.what}`, top.e.pos);
  checkSamplePlacement(top.e);
  return { expr: sampleLast(top.e), fields: [...c.fields] };
}

/** A top-level `and` with its RANDOM_SAMPLE last: the other conditions run first and the hash only on rows they pass. */
function sampleLast(e: Expr): Expr {
  if (e.kind !== 'and' || !e.args.some((a) => a.kind === 'sample')) return e;
  return { ...e, args: [...e.args.filter((a) => a.kind !== 'sample'), ...e.args.filter((a) => a.kind === 'sample')] };
}

const isCond = (t: Ty) => t === 'cond' || t === 'bool' || t === 'json';

class Checker {
  readonly fields = new Set<string>();
  private readonly byName: Map<string, FieldSchema>;
  constructor(private readonly schema: CollectionSchema) { this.byName = new Map(schema.fields.map((f) => [f.name, f])); }

  check(raw: unknown, depth: number): Typed {
    if (depth >= FILTER_LIMITS.maxDepth) throw filterError(`expression is nested deeper than ${FILTER_LIMITS.maxDepth}`, posOf(raw));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw filterError('malformed filter tree: a node is not an object', 0);
    const n = raw as Record<string, unknown>;
    const pos = posOf(n);
    const sub = (x: unknown) => this.check(x, depth + 1);
    switch (n.kind) {
      case 'literal': { const e = literal(n, pos); return { e, ty: e.type, what: describeLiteral(e) }; }
      case 'field': return this.field(n, pos);
      case 'neg': {
        const a = this.value(sub(n.arg));
        if (!isNum(a.ty) && a.ty !== 'json') throw filterError(`cannot negate ${a.what}`, pos);
        return { e: { kind: 'neg', arg: a.e, pos }, ty: a.ty === 'json' ? 'float' : a.ty, what: 'a number' };
      }
      case 'arith': {
        if (!ARITH_OPS.has(n.op as string)) throw filterError(`malformed filter tree: unknown operator ${JSON.stringify(n.op)}`, pos);
        const op = n.op as '+';
        const l = this.value(sub(n.left)), r = this.value(sub(n.right));
        if (l.ty === 'interval' || r.ty === 'interval') {
          // Milvus's `tsz + INTERVAL 'P1D'`: an instant shifted by a duration, still an instant.
          if ((op as string !== '+' && op as string !== '-') || l.ty !== 'timestamptz' || r.ty !== 'interval') throw filterError(`an INTERVAL is only added to or subtracted from a Timestamptz value (tsz + INTERVAL 'P1D'), not used with '${op}' on ${l.ty === 'interval' ? r.what : l.what}`, pos);
          return { e: { kind: 'arith', op, left: l.e, right: r.e, pos }, ty: 'timestamptz', what: 'a shifted Timestamptz' };
        }
        for (const s of [l, r]) if (!isNum(s.ty) && s.ty !== 'json') throw filterError(`arithmetic '${op}' needs numbers, not ${s.what}`, pos);
        if ((op as string === '/' || op as string === '%') && r.e.kind === 'literal' && r.e.value === 0) throw filterError('division by zero', pos);
        const integer = l.ty === 'int' && r.ty === 'int';
        return { e: { kind: 'arith', op, left: l.e, right: r.e, integer, pos }, ty: integer ? 'int' : 'float', what: 'an arithmetic result' };
      }
      case 'compare': {
        if (!COMPARE_OPS.has(n.op as string)) throw filterError(`malformed filter tree: unknown comparison ${JSON.stringify(n.op)}`, pos);
        const op = n.op as '==';
        const l = this.value(sub(n.left)), r = this.value(sub(n.right));
        comparable(l, r, op, pos);
        return { e: { kind: 'compare', op, left: l.e, right: r.e, pos }, ty: 'cond', what: 'a comparison' };
      }
      case 'in': {
        const a = this.value(sub(n.arg));
        if (!Array.isArray(n.values)) throw filterError("malformed filter tree: 'in' without a list", pos);
        const values = n.values.map((v: unknown) => {
          if (v === null || typeof v !== 'object') throw filterError("malformed filter tree: 'in' list item", pos);
          const lit = literal(v as Record<string, unknown>, posOf(v));
          comparable(a, { ty: lit.type, what: describeLiteral(lit) }, '==', lit.pos);
          return lit;
        });
        return { e: { kind: 'in', arg: a.e, values, negated: n.negated === true, pos }, ty: 'cond', what: "an 'in' test" };
      }
      case 'like': {
        const a = this.value(sub(n.arg));
        if (typeof n.pattern !== 'string') throw filterError("malformed filter tree: 'like' without a string pattern", pos);
        if (a.ty !== 'string' && a.ty !== 'json') throw filterError(`'like' needs a VarChar or JSON value, not ${a.what}`, pos);
        return { e: { kind: 'like', arg: a.e, pattern: n.pattern, negated: n.negated === true, pos }, ty: 'cond', what: "a 'like' test" };
      }
      case 'contains': {
        if (!CONTAINS_OPS.has(n.op)) throw filterError(`malformed filter tree: unknown contains operator ${JSON.stringify(n.op)}`, pos);
        const op = n.op as ContainsOp, fn = CONTAINS_NAME[op];
        const a = this.list(sub(n.arg), fn, pos);
        if (!Array.isArray(n.values) || (op === 'contains' && n.values.length !== 1)) throw filterError(`malformed filter tree: bad values of ${fn}`, pos);
        const values = n.values.map((v: unknown) => {
          if (v === null || typeof v !== 'object') throw filterError(`malformed filter tree: ${fn} value`, pos);
          const lit = literal(v as Record<string, unknown>, posOf(v));
          if (a.elem) comparable(a.elem, { ty: lit.type, what: describeLiteral(lit) }, '==', lit.pos);
          return lit;
        });
        return { e: { kind: 'contains', op, arg: a.e as FieldNode, values, pos }, ty: 'cond', what: `an '${fn}' test` };
      }
      case 'length': {
        const a = this.list(sub(n.arg), 'array_length', pos);
        return { e: { kind: 'length', arg: a.e as FieldNode, pos }, ty: 'int', what: 'an array length' };
      }
      case 'textMatch': {
        const a = sub(n.arg);
        const f = a.e.kind === 'field' && a.e.path.length === 0 ? this.byName.get(a.e.name) : undefined;
        const fn = n.phrase ? 'phrase_match' : 'text_match';
        if (!f || f.dataType !== 'VarChar' || f.enableAnalyzer !== true) throw filterError(`${fn} needs a VarChar field with enable_analyzer, not ${a.what}`, pos);
        if (typeof n.query !== 'string') throw filterError(`malformed filter tree: ${fn} without a string`, pos);
        const slop = n.phrase ? (n.phrase as { slop?: unknown }).slop : undefined;
        if (n.phrase && !(typeof slop === 'number' && Number.isSafeInteger(slop) && slop >= 0)) throw filterError('malformed filter tree: phrase_match without a slop', pos);
        // A field of multi_analyzer_params analyzes each row by the analyzer its by_field value picks: that column is read too.
        const byField = (f.multiAnalyzerParams as { by_field?: unknown } | undefined)?.by_field;
        if (typeof byField === 'string') this.fields.add(byField);
        return { e: { kind: 'textMatch', arg: a.e as FieldNode, query: n.query, pos, ...(n.phrase ? { phrase: { slop: slop as number } } : {}) }, ty: 'cond', what: `a ${fn} test` };
      }
      case 'geo': {
        const a = sub(n.arg);
        const f = a.e.kind === 'field' && a.e.path.length === 0 ? this.byName.get(a.e.name) : undefined;
        const e = checkedGeo(n, pos);
        if (!f || f.dataType !== 'Geometry') throw filterError(`${e.op} needs a Geometry field as its first argument, not ${a.what}`, pos);
        return { e: { ...e, arg: a.e as FieldNode }, ty: 'cond', what: `an ${e.op} test` };
      }
      case 'elementMatch': {
        const fn = n.fn as ElementFn, arg = n.arg as Record<string, unknown> | null;
        if (!ELEMENT_FNS.has(fn)) throw filterError(`malformed filter tree: unknown element function ${JSON.stringify(n.fn)}`, pos);
        const f = arg && arg.kind === 'field' && typeof arg.name === 'string' ? this.byName.get(arg.name) : undefined;
        if (!f || !isStructArray(f) || (Array.isArray(arg!.path) && arg!.path.length > 0)) throw filterError(`${fn} needs an Array of Structs field as its first argument`, pos);
        const counted = COUNTED_ELEMENT_FNS.has(fn);
        if (counted !== (n.count !== undefined) || (counted && !(Number.isSafeInteger(n.count) && (n.count as number) >= 0))) throw filterError(`${fn} ${counted ? 'takes a non-negative integer count' : 'takes no count'}`, pos);
        // The condition is checked against the elements' sub-fields alone, named `$[sub]`.
        const inner = checkFilter(n.pred, elementSchema(f));
        this.fields.add(f.name);
        return { e: { kind: 'elementMatch', fn, arg: { kind: 'field', name: f.name, path: [], pos: posOf(arg) }, pred: inner.expr, ...(counted ? { count: n.count as number } : {}), pos }, ty: 'cond', what: `a ${fn} test` };
      }
      case 'sample': {
        // Reads the primary key: the sample is drawn by key (sample.ts).
        const factor = sampleFactor(n.factor, pos), seed = n.seed;
        if (seed !== undefined && !(Number.isSafeInteger(seed) && (seed as number) >= 0 && (seed as number) < 2 ** 32)) throw filterError('malformed filter tree: a RANDOM_SAMPLE seed is a 32-bit unsigned integer', pos);
        this.fields.add(primaryField(this.schema).name);
        return { e: { kind: 'sample', factor, ...(seed !== undefined ? { seed: seed as number } : {}), pos }, ty: 'cond', what: 'a RANDOM_SAMPLE' };
      }
      case 'isNull': {
        // Milvus's rule: no IS NULL / IS NOT NULL on a vector field, even a nullable one.
        const named = n.arg !== null && typeof n.arg === 'object' ? this.byName.get((n.arg as { name?: unknown }).name as string) : undefined;
        if (named && FIELD_TYPE[named.dataType] === null) throw filterError(`'is ${n.negated === true ? 'not ' : ''}null' cannot test vector field '${named.name}': a vector field, nullable or not, takes no IS NULL or IS NOT NULL filter`, pos);
        const a = sub(n.arg);
        if (a.e.kind !== 'field') throw filterError("'is null' applies to a field", pos);
        return { e: { kind: 'isNull', arg: a.e, negated: n.negated === true, pos }, ty: 'cond', what: "an 'is null' test" };
      }
      case 'not': {
        const a = this.cond(sub(n.arg));
        return { e: { kind: 'not', arg: a.e, pos }, ty: 'cond', what: "a 'not'" };
      }
      case 'and': case 'or': {
        if (!Array.isArray(n.args) || n.args.length === 0) throw filterError(`malformed filter tree: '${n.kind}' without operands`, pos);
        const args = n.args.map((x: unknown) => this.cond(sub(x)).e);
        return { e: { kind: n.kind, args, pos }, ty: 'cond', what: `an '${n.kind}'` };
      }
      default: throw filterError(`malformed filter tree: unknown node kind ${JSON.stringify(n.kind)}`, pos);
    }
  }

  private value(t: Typed): Typed {
    if (t.ty === 'cond' || !VALUE_KINDS.has(t.e.kind)) throw filterError(`${t.what} cannot be an operand here (it is a condition)`, t.e.pos);
    if (t.ty === 'array') throw filterError(`${t.what} is a list: compare an element (${(t.e as FieldNode).name}[0]) or use array_contains, array_length`, t.e.pos);
    return t;
  }
  /** The first argument of an array function: an Array field or a JSON value. */
  private list(t: Typed, fn: string, pos: number): Typed {
    if (t.e.kind !== 'field' || (t.ty !== 'array' && t.ty !== 'json')) throw filterError(`${fn} needs an Array or JSON field, not ${t.what}`, pos);
    return t;
  }
  private cond(t: Typed): Typed {
    if (!isCond(t.ty)) throw filterError(`expected a condition, not ${t.what}`, t.e.pos);
    return t;
  }

  private field(n: Record<string, unknown>, pos: number): Typed {
    const name = n.name, path = n.path ?? [];
    if (typeof name !== 'string') throw filterError('malformed filter tree: field without a name', pos);
    if (!Array.isArray(path) || path.length > FILTER_LIMITS.maxDepth || !path.every(validKey)) throw filterError(`malformed filter tree: bad JSON path on '${name}'`, pos);
    const keys = path as (string | number)[];
    const f = this.byName.get(name);
    const dynamic = this.schema.enableDynamicField === true;
    if (!f && name === '$meta' && dynamic) return this.json('$meta', keys, pos, `dynamic field ${show(keys)}`);
    if (!f) {
      if (!dynamic) throw filterError(`unknown field '${name}'`, pos);
      return this.json('$meta', [name, ...keys], pos, `dynamic field '${name}'`);
    }
    const ty = FIELD_TYPE[f.dataType];
    if (ty === null) throw filterError(`vector field '${name}' cannot be used in a filter`, pos);
    if (ty === 'array') return this.array(f, keys, pos);
    if (keys.length > 0 && ty !== 'json') throw filterError(`${f.dataType} field '${name}' has no keys; only JSON fields take ["key"]`, pos);
    if (ty === 'json') return this.json(name, keys, pos, `JSON field '${name}'`);
    this.fields.add(name);
    return { e: { kind: 'field', name, path: [], pos }, ty, what: `${f.dataType} field '${name}'` };
  }

  /** An Array field, whole (`tags`) or one element (`tags[0]`, typed as the elements). */
  private array(f: FieldSchema, keys: (string | number)[], pos: number): Typed {
    const name = f.name, et = f.elementType;
    // Milvus 2.6 takes no Array of Structs, nor any of its sub-fields, in a filter.
    if (et === 'Struct') throw filterError(`Array of Structs field '${name}' cannot be used in a filter`, pos);
    const elemTy = et === undefined ? undefined : FIELD_TYPE[et];
    if (!elemTy) throw filterError(`Array field '${name}' has no valid element type`, pos);
    this.fields.add(name);
    const elem = { ty: elemTy, what: `${et} elements of Array field '${name}'` };
    if (keys.length === 0) return { e: { kind: 'field', name, path: [], pos }, ty: 'array', what: `Array field '${name}'`, elem };
    if (keys.length > 1 || typeof keys[0] !== 'number') throw filterError(`Array field '${name}' takes one element index, such as ${name}[0]`, pos);
    return { e: { kind: 'field', name, path: [keys[0]], pos }, ty: elemTy, what: `element ${name}[${keys[0]}] (${et})` };
  }

  private json(name: string, path: (string | number)[], pos: number, what: string): Typed {
    this.fields.add(name);
    const e: FieldNode = { kind: 'field', name, path, pos };
    return { e, ty: 'json', what };
  }
}

function comparable(l: Pick<Typed, 'ty' | 'what'>, r: Pick<Typed, 'ty' | 'what'>, op: string, pos: number): void {
  const ordered = op !== '==' && op !== '!=';
  if (l.ty === 'geometry' || r.ty === 'geometry') throw filterError(`${l.ty === 'geometry' ? l.what : r.what} is compared only by the ST_ operators (ST_EQUALS(geo, 'POINT (1 2)'), ST_CONTAINS, ST_INTERSECTS, ...)`, pos);
  if (l.ty === 'interval' || r.ty === 'interval') throw filterError("an INTERVAL is not a value to compare: add it to a Timestamptz field (tsz + INTERVAL 'P1D' > ISO '...')", pos);
  // An instant compares only with an instant: a Timestamptz field with `ISO '...'`, never a number or a string.
  if ((l.ty === 'timestamptz') !== (r.ty === 'timestamptz')) throw filterError(`cannot compare ${l.what} with ${r.what}${l.ty === 'timestamptz' || r.ty === 'timestamptz' ? " (a Timestamptz compares with an ISO literal: ISO '2025-01-01T00:00:00Z')" : ''}`, pos);
  if ((l.ty === 'bool' || r.ty === 'bool') && ordered) throw filterError(`cannot order booleans with '${op}' (${l.ty === 'bool' ? l.what : r.what})`, pos);
  if (l.ty === 'json' || r.ty === 'json') return;
  if (l.ty === r.ty || (isNum(l.ty) && isNum(r.ty))) return;
  throw filterError(`cannot compare ${l.what} with ${r.what}`, pos);
}

function literal(n: Record<string, unknown>, pos: number): LiteralNode {
  const { type, value } = n;
  const ok = (type === 'int' && Number.isSafeInteger(value)) || (type === 'float' && Number.isFinite(value))
    || (type === 'string' && typeof value === 'string') || (type === 'bool' && typeof value === 'boolean')
    || (type === 'timestamptz' && Number.isSafeInteger(value)) || (type === 'interval' && typeof parseInterval(value) === 'object');
  if (!ok) throw filterError('malformed filter tree: bad literal', pos);
  return { kind: 'literal', type: type as LiteralNode['type'], value: value as LiteralNode['value'], pos };
}

function describeLiteral(e: LiteralNode): string {
  if (e.type === 'timestamptz') return 'an ISO timestamp';
  if (e.type === 'interval') return 'an INTERVAL';
  return e.type === 'string' ? 'a string' : e.type === 'bool' ? 'a boolean' : 'a number';
}

const validKey = (k: unknown) => typeof k === 'string' || (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0);
const posOf = (n: unknown) => {
  const p = (n as { pos?: unknown } | null)?.pos;
  return typeof p === 'number' && Number.isSafeInteger(p) && p >= 0 ? p : 0;
};
const show = (keys: (string | number)[]) => keys.map((k) => `[${JSON.stringify(k)}]`).join('') || '$meta';
