import { ValidationError } from './errors.js';
import { SAMPLE_NAME, checkFilter, hasSample, parseFilter, type Expr, type FilterParams } from './filter/index.js';
import type { CollectionSchema } from './schema.js';

/**
 * Milvus 2.6.2's Boost Ranker, pure: each segment's search candidates that
 * match a function's filter get its weight (or weight × a seeded random
 * value in [0, 1)); a row's weights over the functions combine by
 * `function_mode` (product or sum), then meet its score by `boost_mode`
 * (score × boost or score + boost). Rows no function matches keep their score.
 *
 * Like Milvus (segcore RescoresNode), the boost works on the raw score the
 * metric gives, distances included, and the candidates are re-sorted in the
 * metric's order: for L2, where smaller is better, a weight below 1 promotes
 * (Milvus's boost-ranker guide says so) and one above 1 demotes.
 */
export interface BoostRanker {
  name?: string;
  description?: string;
  type?: 'Rerank';
  /** Must be empty for a boost ranker (as in Milvus). */
  inputFieldNames?: [];
  params: {
    reranker: 'boost';
    /** A filter expression; absent: every candidate matches. */
    filter?: string;
    weight: number;
    /** A random factor in [0, 1) from `seed` and the row's `field` value (default the primary key). */
    random_score?: { seed?: number; field?: string };
  };
}

export type BoostMode = 'Multiply' | 'Sum';

/** Milvus's FunctionScore: functions applied together, and how their values combine. */
export interface FunctionScoreParams { boost_mode?: BoostMode; function_mode?: BoostMode }

/** One boost function as a shard search carries it: the filter parsed (a messages/filter AST). */
export interface ShardBoostFunction { filter: unknown; weight: number; random?: { seed: number; field: string } }

/** The boost of a shard search (ShardSearch.boost). */
export interface ShardBoost { functions: ShardBoostFunction[]; boostMode: BoostMode; functionMode: BoostMode }

/** Fields a random_score may hash: Milvus takes Int64 only; VarChar too here, so a VarChar primary key (the default) works. */
const RANDOM_FIELD_TYPES = new Set(['Int64', 'VarChar']);

/** Whether a ranker function names the boost reranker (case-insensitively, as Milvus reads `reranker`). */
export function isBoostRanker(f: unknown): f is BoostRanker {
  const p = (f as { params?: { reranker?: unknown } } | null)?.params;
  return typeof p?.reranker === 'string' && p.reranker.toLowerCase() === 'boost';
}

/** A mode name, Multiply (the default) or Sum, any case as Milvus parses it. */
export function checkBoostMode(v: unknown, key: 'boost_mode' | 'function_mode'): BoostMode {
  if (v === undefined) return 'Multiply';
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (s === 'multiply') return 'Multiply';
  if (s === 'sum') return 'Sum';
  throw new ValidationError(`unknown ${key === 'boost_mode' ? 'boost' : 'function'} mode ${JSON.stringify(v)}: ${key} must be Multiply or Sum`, { field: `ranker.params.${key}` });
}

/** Checks one boost function against the schema (its filter parsed with the search's filter params and zone). */
export function checkBoostFunction(f: unknown, schema: CollectionSchema, at: string, filterParams?: FilterParams, timezone?: string): ShardBoostFunction {
  const where = { field: at };
  if (!isBoostRanker(f)) throw new ValidationError(`${at} must be a boost function: {type: "Rerank", params: {reranker: "boost", weight, filter?, random_score?}}`, where);
  const { type, inputFieldNames: names, params: p } = f;
  if (type !== undefined && String(type).toLowerCase() !== 'rerank') throw new ValidationError(`${at}.type must be Rerank, got ${String(type)}`, where);
  if (names !== undefined && !(Array.isArray(names) && names.length === 0)) throw new ValidationError(`${at}.inputFieldNames must be empty for a boost ranker`, where);
  // Milvus's params are strings on the wire ("0.8"): a numeric string is taken too.
  const raw: unknown = p.weight;
  const weight = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof weight !== 'number' || !Number.isFinite(weight)) throw new ValidationError(`${at} weight must be a finite number, got ${JSON.stringify(p.weight) ?? 'nothing'}`, where);
  let filter: unknown = null;
  if (p.filter !== undefined && p.filter !== null && String(p.filter).trim() !== '') {
    try {
      filter = parseFilter(String(p.filter), filterParams, timezone);
      checkFilter(filter, schema);
      if (hasSample(filter as Expr)) throw new ValidationError(`${SAMPLE_NAME} filters the rows a read returns; a boost weights rows, use random_score for a random weight`);
    } catch (e) {
      throw new ValidationError(`${at} filter ${JSON.stringify(p.filter)} is invalid: ${(e as Error).message}`, where);
    }
  }
  const out: ShardBoostFunction = { filter, weight };
  const rs = p.random_score;
  if (rs !== undefined) {
    if (rs === null || typeof rs !== 'object' || Array.isArray(rs)) throw new ValidationError(`${at} random_score must be {seed?, field?}`, where);
    const seed = rs.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new ValidationError(`${at} random_score seed must be an integer, got ${JSON.stringify(rs.seed)}`, where);
    const pk = schema.fields.find((x) => x.isPrimary);
    const name = rs.field ?? pk?.name;
    const field = schema.fields.find((x) => x.name === name);
    if (!field || !RANDOM_FIELD_TYPES.has(field.dataType)) throw new ValidationError(`${at} random_score field must be an Int64 or VarChar field: '${String(name)}' is ${field ? field.dataType : 'not a field'}`, where);
    out.random = { seed, field: field.name };
  }
  return out;
}

/** Checks the boost functions of a search and its FunctionScore params into what the shards carry. */
export function checkBoost(functions: readonly unknown[], params: FunctionScoreParams | undefined, schema: CollectionSchema, filterParams?: FilterParams, timezone?: string): ShardBoost {
  if (params !== undefined && (params === null || typeof params !== 'object')) throw new ValidationError('ranker params must be {boost_mode?, function_mode?}', { field: 'ranker.params' });
  return {
    functions: functions.map((f, i) => checkBoostFunction(f, schema, functions.length === 1 ? 'ranker' : `ranker.functions[${i}]`, filterParams, timezone)),
    boostMode: checkBoostMode(params?.boost_mode, 'boost_mode'),
    functionMode: checkBoostMode(params?.function_mode, 'function_mode'),
  };
}

/**
 * A deterministic value in [0, 1) of a seed and a field value: FNV-1a over
 * the value's kind and text, mixed with the seed by murmur3's finalizer.
 * The same seed and value give the same number on every node and segment.
 */
export function randomScore(seed: number, value: unknown): number {
  // An integer hashes alike as a number or a bigint (however a column holds it); a string apart from it.
  const text = typeof value === 'number' || typeof value === 'bigint' ? `n:${String(value)}` : typeof value === 'string' ? `s:${value}` : `${typeof value}:${String(value)}`;
  let h = 0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

const merge = (mode: BoostMode, a: number, b: number) => (mode === 'Sum' ? a + b : a * b);

/**
 * A row's boost: the values of the functions it matches (weight, or weight ×
 * random score) combined by function_mode; undefined when it matches none.
 */
export function boostOf(b: ShardBoost, matches: (i: number) => boolean, valueOf: (field: string) => unknown): number | undefined {
  let boost: number | undefined;
  b.functions.forEach((f, i) => {
    if (!matches(i)) return;
    const v = f.random ? f.weight * randomScore(f.random.seed, valueOf(f.random.field)) : f.weight;
    boost = boost === undefined ? v : merge(b.functionMode, boost, v);
  });
  return boost;
}

/** A score met by a boost (boost_mode); a row no function matched (undefined) keeps its score. */
export function boostedScore(b: ShardBoost, score: number, boost: number | undefined): number {
  return boost === undefined ? score : merge(b.boostMode, score, boost);
}
