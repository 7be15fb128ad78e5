/**
 * Random JSON documents shaped for shredding (keys that are typed, dynamic,
 * nested, rare, never there; nulls, lists, rows that are not objects) and
 * random filters over their paths, on the JSON field `meta` and on dynamic
 * fields (bare names, which resolve to `$meta`).
 */
import { pick } from './fixtures.js';

type R = () => number;

const WORDS = ['', 'a', 'ab', 'b', 'x', 'al%ce', '1', 'Åb'];

/** A document: mostly an object, sometimes null, a list or a scalar. */
export function genDoc(r: R): unknown {
  const x = r();
  if (x < 0.04) return null;
  if (x < 0.06) return pick(r, [[1, 2], 'text', 5, [{ a: 1 }]]);
  const d: Record<string, unknown> = {};
  if (r() < 0.95) d.a = Math.floor(r() * 20) - 5;                                   // typed number (int32)
  if (r() < 0.6) d.f = pick(r, [0.5, -1.25, 3, 7.75, 1e10]);                        // typed number (float)
  if (r() < 0.9) d.s = pick(r, WORDS);                                              // typed string
  if (r() < 0.7) d.ok = r() < 0.1 ? null : r() < 0.5;                              // typed bool, some nulls
  if (r() < 0.8) d.b = pick(r, [1, 2, 'x', 'ab', true, false, null, [1, 'x'], { c: 1 }, 2.5]); // dynamic
  if (r() < 0.7) d.n = r() < 0.9 ? { x: Math.floor(r() * 6), y: pick(r, ['a', 'b', 3]) } : 'flat'; // nested
  if (r() < 0.05) d.e = pick(r, ['rare', 4, true]);                                 // shared
  if (r() < 0.3) d.l = [pick(r, WORDS), Math.floor(r() * 3), pick(r, [true, null])]; // a list
  return d;
}

const PATHS = ['["a"]', '["f"]', '["s"]', '["ok"]', '["b"]', '["n"]', '["n"]["x"]', '["n"]["y"]', '["e"]', '["zz"]', '["l"]', '["l"][0]', '["b"][1]', '["n"]["x"]["q"]'];
const DYNAMIC = ['a', 'f', 's', 'ok', 'b', 'n', 'e', 'zz', 'l', 'n["x"]', 'b[0]'];

function path(r: R): string {
  return r() < 0.6 ? `meta${pick(r, PATHS)}` : pick(r, DYNAMIC);
}

function literal(r: R): string {
  return pick(r, ['3', '0', '-5', '2.5', '1e10', '7.75', '"a"', '"ab"', '"x"', '""', 'true', 'false']);
}

function leaf(r: R): string {
  const p = path(r), x = r();
  if (x < 0.35) return `${p} ${pick(r, ['==', '!=', '<', '<=', '>', '>='])} ${literal(r)}`;
  if (x < 0.45) return `${literal(r)} ${pick(r, ['<', '==', '>='])} ${p}`;
  if (x < 0.6) return `${p} ${r() < 0.3 ? 'not in' : 'in'} [${Array.from({ length: Math.floor(r() * 4) }, () => literal(r)).join(', ')}]`;
  if (x < 0.67) return `${p} ${r() < 0.3 ? 'not like' : 'like'} "${pick(r, ['a%', '%b', '_', 'x', '%', 'al\\\\%%'])}"`;
  if (x < 0.77) return `${p} is ${r() < 0.5 ? 'not ' : ''}null`;
  if (x < 0.83) return `json_contains${pick(r, ['', '_any', '_all'])}(${p}, ${r() < 0.5 ? literal(r) : `[${literal(r)}, ${literal(r)}]`})`.replace(/json_contains\((.*), \[(.*)\]\)$/, 'json_contains($1, $2)');
  if (x < 0.88) return `${p} ${pick(r, ['+', '-', '*', '%'])} ${pick(r, ['1', '2', path(r)])} ${pick(r, ['>', '==', '<='])} ${pick(r, ['2', '4'])}`;
  if (x < 0.93) return `${p} ${pick(r, ['<', '==', '!='])} ${path(r)}`;
  if (x < 0.96) return `array_length(${p}) ${pick(r, ['==', '>'])} ${pick(r, ['0', '2', '3'])}`;
  return `${p} == ${pick(r, ['true', 'false'])}`;
}

/** A filter of one to a few leaves under not/and/or. */
export function genJsonFilter(r: R, depth = 2): string {
  const x = r();
  if (depth > 0 && x < 0.15) return `not (${genJsonFilter(r, depth - 1)})`;
  if (depth > 0 && x < 0.4) return `(${genJsonFilter(r, depth - 1)}) ${pick(r, ['and', 'or'])} (${genJsonFilter(r, depth - 1)})`;
  return leaf(r);
}
