/**
 * Random, well-typed filter trees and rows over the fixture schema, for property
 * tests. Trees use source names (dynamic fields unresolved), as the parser makes them.
 */
import type { ArithOp, CompareOp, ContainsOp, Expr, FieldNode, LiteralNode } from '../../messages/filter/index.js';
import { pick } from './fixtures.js';

type R = () => number;

const lit = (type: LiteralNode['type'], value: number | string | boolean): LiteralNode => ({ kind: 'literal', type, value, pos: 0 });
const fld = (name: string, ...path: (string | number)[]): FieldNode => ({ kind: 'field', name, path, pos: 0 });
const CMP: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const ARITH: ArithOp[] = ['+', '-', '*', '/', '%'];
const STRINGS = ['', 'a', 'ab', 'ba', 'al%ce', 'a_', 'Åb', '1'];
const JSON_PATHS = () => [fld('j', 'a'), fld('j', 'b', 'c'), fld('j', 'tags', 0), fld('j', 0), fld('n'), fld('color'), fld('$meta', 'n'), fld('j')];
/** Elements of the Array fields, past the end included (index 4 of at most 4 or 5). */
const NUM_ELEMENTS = () => [fld('nums', 0), fld('nums', 1), fld('nums', 4)];
const TAG_ELEMENTS = () => [fld('tags', 0), fld('tags', 2), fld('tags', 4)];
/** What the array functions take: the Array fields and JSON values that may be lists. */
const LISTS = () => [fld('tags'), fld('nums'), fld('j', 'tags'), fld('j'), fld('color')];
const CONTAINS: ContainsOp[] = ['contains', 'containsAll', 'containsAny'];

function numLit(r: R): LiteralNode {
  return r() < 0.6 ? lit('int', Math.floor(r() * 9) - 4 || 1) : lit('float', pick(r, [-1.5, 0.5, 2.25, 3.0]));
}

export function genNum(r: R, d: number): Expr {
  const x = r();
  if (d > 0 && x < 0.25) {
    const op = pick(r, ARITH);
    const right = genNum(r, d - 1);
    return { kind: 'arith', op, left: genNum(r, d - 1), right: (op === '/' || op === '%') && right.kind === 'literal' && right.value === 0 ? lit('int', 2) : right, pos: 0 };
  }
  if (d > 0 && x < 0.3) return { kind: 'neg', arg: pick(r, [fld('age'), fld('score'), fld('j', 'a'), fld('nums', 0)]), pos: 0 };
  if (x < 0.5) return pick(r, [fld('age'), fld('k'), fld('score'), fld('id')]);
  if (x < 0.55) return pick(r, NUM_ELEMENTS());
  if (x < 0.6) return { kind: 'length', arg: pick(r, LISTS()), pos: 0 };
  if (x < 0.7) return pick(r, JSON_PATHS());
  return numLit(r);
}

function genStr(r: R): Expr {
  const x = r();
  if (x < 0.3) return fld('name');
  if (x < 0.4) return pick(r, TAG_ELEMENTS());
  if (x < 0.6) return pick(r, JSON_PATHS());
  return lit('string', pick(r, STRINGS));
}

function genPattern(r: R): string {
  let p = '';
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) p += pick(r, ['a', 'b', 'l', 'c', '%', '%', '_', '\\%', '\\_', 'Å', '1']);
  return p;
}

export function genCond(r: R, d: number): Expr {
  const x = r();
  if (d > 0 && x < 0.12) return { kind: 'not', arg: genCond(r, d - 1), pos: 0 };
  if (d > 0 && x < 0.3) {
    const args = Array.from({ length: 2 + Math.floor(r() * 3) }, () => genCond(r, d - 1));
    return { kind: r() < 0.5 ? 'and' : 'or', args, pos: 0 };
  }
  if (x < 0.5) return { kind: 'compare', op: pick(r, CMP), left: genNum(r, d), right: genNum(r, d), pos: 0 };
  if (x < 0.6) return { kind: 'compare', op: pick(r, CMP), left: genStr(r), right: genStr(r), pos: 0 };
  if (x < 0.65) {
    const left = pick(r, [fld('ok'), fld('j', 'b', 'c')]);
    return { kind: 'compare', op: pick(r, ['==', '!='] as CompareOp[]), left, right: pick(r, [lit('bool', true), lit('bool', false), fld('ok')]), pos: 0 };
  }
  if (x < 0.75) {
    const json = r() < 0.4;
    const arg = json ? pick(r, JSON_PATHS()) : r() < 0.5 ? fld('name') : pick(r, [fld('age'), fld('k'), fld('score')]);
    const isStr = !json && arg.name === 'name';
    const values = Array.from({ length: Math.floor(r() * 4) }, () =>
      json ? pick(r, [numLit(r), lit('string', pick(r, STRINGS)), lit('bool', r() < 0.5)]) : isStr ? lit('string', pick(r, STRINGS)) : numLit(r));
    return { kind: 'in', arg, values, negated: r() < 0.4, pos: 0 };
  }
  if (x < 0.82) return { kind: 'like', arg: pick(r, [fld('name'), fld('name'), fld('j', 'a'), fld('color'), fld('tags', 0)]), pattern: genPattern(r), negated: r() < 0.3, pos: 0 };
  if (x < 0.88) return genContains(r);
  if (x < 0.93) return { kind: 'isNull', arg: pick(r, [fld('age'), fld('score'), fld('name'), fld('ok'), fld('j'), fld('n'), fld('tags'), ...TAG_ELEMENTS(), ...JSON_PATHS()]), negated: r() < 0.5, pos: 0 };
  return pick(r, [fld('ok'), fld('j', 'b', 'c'), lit('bool', r() < 0.5)]);
}

/** array_contains*: values of the elements' type on Array fields, of any kind on JSON. */
function genContains(r: R): Expr {
  const arg = pick(r, LISTS()), op = pick(r, CONTAINS);
  const one = (): LiteralNode => arg.name === 'tags' ? lit('string', pick(r, STRINGS)) : arg.name === 'nums' ? numLit(r)
    : pick(r, [numLit(r), lit('string', pick(r, STRINGS)), lit('bool', r() < 0.5)]);
  const values = op === 'contains' ? [one()] : Array.from({ length: Math.floor(r() * 4) }, one);
  return { kind: 'contains', op, arg, values, pos: 0 };
}

function jsonScalar(r: R): unknown {
  return pick(r, [1, -1, 0, 2.5, '1', 'a', 'ab', true, false, null, [1], { x: 1 }]);
}

/** A random row of the fixture schema, nulls and missing JSON keys included. */
export function genRow(r: R, id: number): Record<string, unknown> {
  const maybe = <T>(v: T) => (r() < 0.2 ? null : v);
  const obj: Record<string, unknown> = {};
  if (r() < 0.8) obj.a = jsonScalar(r);
  if (r() < 0.5) obj.b = { c: pick(r, [true, false, 1, null]) };
  if (r() < 0.4) obj.tags = r() < 0.5 ? [pick(r, STRINGS), 2] : [pick(r, STRINGS), pick(r, STRINGS), true, null];
  const meta: Record<string, unknown> = {};
  if (r() < 0.6) meta.color = pick(r, ['red', 'a', 5, null, 'ab', ['a', 1], []]);
  if (r() < 0.6) meta.n = pick(r, [3, -1, 0.5, '3', null]);
  return {
    id, k: Math.floor(r() * 11) - 5,
    age: maybe(Math.floor(r() * 11) - 5), score: maybe(pick(r, [-1.5, 0, 0.5, 2, 3])),
    name: maybe(pick(r, STRINGS)), ok: maybe(r() < 0.5),
    j: r() < 0.15 ? null : r() < 0.1 ? pick(r, [[1, 2], 5, 'x']) : obj,
    tags: r() < 0.2 ? null : Array.from({ length: Math.floor(r() * 5) }, () => pick(r, STRINGS)),
    nums: Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 7) - 3),
    $meta: meta,
  };
}
