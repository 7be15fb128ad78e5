/**
 * Milvus 2.6's RANDOM_SAMPLE(factor): a filter term that keeps about `factor`
 * of the rows the rest of the filter matches.
 *
 * Where it may stand (as Milvus documents): alone, or as an operand of the
 * top-level `and` (`color == "red" and RANDOM_SAMPLE(0.01)`), once. Under `or`
 * or `not`, or inside a nested `and`, it is refused: "red or a sample of
 * everything" means nothing.
 *
 * How rows are chosen: a row is kept when a 32-bit hash of its primary key and
 * the request's seed falls below `factor * 2^32`. Milvus samples each segment
 * apart; hashing the key instead makes every row an independent coin of weight
 * `factor` wherever it lives (growing or sealed, any segment, shard, replica or
 * compaction of it), so the sample leans towards no segment or key range and
 * its size is Binomial(matches, factor). The decision does not depend on the
 * other conditions, so it is the same as sampling after them. One request
 * has one seed (the client draws it), so its count, its rows and an
 * iterator's pages all see one sample; the next request draws another.
 */
import { filterError, type Expr, type SampleNode } from './ast.js';
import type { PrimaryKey } from '../schema.js';

/** The name as Milvus spells it (the parser takes any case). */
export const SAMPLE_NAME = 'RANDOM_SAMPLE';

/** The factor as a number in (0, 1), bounds excluded, or a typed filter error at `pos`. */
export function sampleFactor(v: unknown, pos: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
    throw filterError(`${SAMPLE_NAME} takes a sampling factor in (0, 1), bounds excluded, got ${typeof v === 'number' || typeof v === 'string' ? String(v) : typeof v}`, pos);
  }
  return v;
}

/**
 * Refuses a RANDOM_SAMPLE anywhere but alone or directly under the top-level
 * `and`, and more than one. Called on every checked tree (parsed or received).
 */
export function checkSamplePlacement(top: Expr): void {
  const allowed = top.kind === 'and' ? top.args : [top];
  const placed = allowed.filter((a) => a.kind === 'sample');
  if (placed.length > 1) throw filterError(`a filter holds at most one ${SAMPLE_NAME}`, placed[1]!.pos);
  const visit = (e: Expr, ok: boolean): void => {
    if (e.kind === 'sample' && !ok) throw filterError(`${SAMPLE_NAME} may stand only alone or joined by 'and' to the rest of the filter at its top level (not under 'or', 'not' or parentheses of another condition)`, e.pos);
    for (const c of children(e)) visit(c, e === top && top.kind === 'and');
  };
  visit(top, true);
}

/** Whether a tree holds a RANDOM_SAMPLE anywhere. */
export function hasSample(e: Expr): boolean {
  return e.kind === 'sample' || children(e).some(hasSample);
}

/** The tree with `seed` set on its RANDOM_SAMPLE (where placement allows one); the same tree when it has none. */
export function withSampleSeed(e: Expr, seed: number): Expr {
  const seeded = (x: Expr): Expr => (x.kind === 'sample' ? { ...x, seed: seed >>> 0 } : x);
  if (e.kind === 'sample') return seeded(e);
  if (e.kind === 'and' && e.args.some((a) => a.kind === 'sample')) return { ...e, args: e.args.map(seeded) };
  return e;
}

/** Whether a row with primary key `pk` is in the sample of `node`. */
export function sampleTest(node: Pick<SampleNode, 'factor' | 'seed'>): (pk: PrimaryKey) => boolean {
  const below = node.factor * 2 ** 32, seed = (node.seed ?? 0) >>> 0;
  return (pk) => keyHash(pk, seed) < below;
}

/**
 * MurmurHash3 (x86, 32-bit) of a key: an integer as its two 32-bit halves, a
 * string as its UTF-16 code units; unsigned. Its finalizer spreads
 * consecutive keys evenly, so a key range is sampled as evenly as random keys.
 */
export function keyHash(pk: PrimaryKey, seed: number): number {
  let h = seed | 0, n = 0;
  if (typeof pk === 'number') {
    h = mix(h, pk >>> 0); // the low half (ToUint32 is the value mod 2^32)
    h = mix(h, Math.floor(pk / 2 ** 32) | 0);
    n = 8;
  } else {
    for (let i = 0; i < pk.length; i++) h = mix(h, pk.charCodeAt(i));
    n = pk.length * 2;
  }
  h ^= n;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);
  h ^= k; h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'and': case 'or': return e.args;
    case 'not': case 'neg': return [e.arg];
    case 'arith': case 'compare': return [e.left, e.right];
    case 'in': case 'like': return [e.arg];
    default: return [];
  }
}
