import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema, MetricType } from '../../messages/schema.js';

/**
 * Milvus 2.6's decay rankers, pure: a search's hits re-ranked by how far a
 * numeric field's value lies from an ideal `origin` (freshness, nearness).
 * Final score = normalised similarity × decay, where similarity is the score
 * as is for IP, COSINE and BM25 and 1 − 2·atan(d)/π for an L2 distance, and
 * the decay (1 within `offset` of the origin, `decay` at `scale` beyond that)
 * follows a Gaussian, exponential or linear curve, as Elasticsearch's do.
 * The hits re-ranked are those the search found (its limit + offset).
 */
export interface DecayRanker {
  name?: string;
  type?: 'Rerank';
  inputFieldNames: [string];
  params: { reranker: 'decay'; function: DecayCurve; origin: number; scale: number; offset?: number; decay?: number };
}

export type DecayCurve = 'gauss' | 'exp' | 'linear';

const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double']);

/** The ranker checked against the schema; its field, curve and numbers with defaults filled in. */
export interface CheckedDecay { field: string; curve: DecayCurve; origin: number; scale: number; offset: number; decay: number }

export function checkDecayRanker(r: unknown, schema: CollectionSchema): CheckedDecay {
  const at = { field: 'ranker' };
  if (r === null || typeof r !== 'object') throw new ValidationError('ranker must be a function: {type: "Rerank", inputFieldNames: [field], params: {reranker: "decay", ...}}', at);
  const { type, inputFieldNames: names, params: p } = r as Partial<DecayRanker>;
  if (type !== undefined && String(type).toLowerCase() !== 'rerank') throw new ValidationError(`ranker type must be Rerank, got ${String(type)}`, at);
  if (!p || typeof p !== 'object' || p.reranker !== 'decay') throw new ValidationError('ranker params.reranker must be "decay" or, in a search (not a hybrid search, as in Milvus), "boost"', at);
  if (!Array.isArray(names) || names.length !== 1 || typeof names[0] !== 'string') throw new ValidationError('a decay ranker takes exactly one input field', at);
  const field = schema.fields.find((f) => f.name === names[0]);
  if (!field || !NUMERIC.has(field.dataType)) throw new ValidationError(`a decay ranker's field must be numeric (Int8..Int64, Float, Double): '${names[0]}' is ${field ? field.dataType : 'not a field'}`, at);
  if (p.function !== 'gauss' && p.function !== 'exp' && p.function !== 'linear') throw new ValidationError(`decay function must be gauss, exp or linear, got ${String(p.function)}`, at);
  const num = (k: 'origin' | 'scale' | 'offset' | 'decay', def?: number): number => {
    const v = p[k] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`decay ranker ${k} must be a finite number, got ${String(v)}`, at);
    return v;
  };
  const scale = num('scale'), offset = num('offset', 0), decay = num('decay', 0.5);
  if (scale <= 0) throw new ValidationError(`decay ranker scale must be above 0, got ${scale}`, at);
  if (offset < 0) throw new ValidationError(`decay ranker offset must be 0 or more, got ${offset}`, at);
  if (!(decay > 0 && decay < 1)) throw new ValidationError(`decay ranker decay must be in (0, 1), got ${decay}`, at);
  return { field: field.name, curve: p.function, origin: num('origin'), scale, offset, decay };
}

/** The decay of a value: 1 within offset of the origin, `decay` at scale beyond it; a missing value decays fully. */
export function decayOf(d: CheckedDecay, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 0;
  const x = Math.max(0, Math.abs(value - d.origin) - d.offset);
  switch (d.curve) {
    case 'gauss': { const sigma2 = -(d.scale * d.scale) / (2 * Math.log(d.decay)); return Math.exp(-(x * x) / (2 * sigma2)); }
    case 'exp': return Math.exp((Math.log(d.decay) / d.scale) * x);
    case 'linear': { const s = d.scale / (1 - d.decay); return Math.max(0, (s - x) / s); }
  }
}

/** A hit's similarity on a larger-is-better scale: L2 distances mapped into (0, 1]. */
export function normalisedScore(metric: MetricType, distance: number): number {
  return metric === 'L2' ? 1 - (2 * Math.atan(distance)) / Math.PI : distance;
}

/** Hits re-ranked by normalised score × decay of their field's value, best first (ties keep their order). */
export function decayRerank<H extends { distance: number; fields: Record<string, unknown> }>(hits: readonly H[], d: CheckedDecay, metric: MetricType): H[] {
  return hits
    .map((h, i) => ({ h: { ...h, distance: normalisedScore(metric, h.distance) * decayOf(d, h.fields[d.field]) }, i }))
    .sort((a, b) => b.h.distance - a.h.distance || a.i - b.i)
    .map((x) => x.h);
}

/**
 * A hybrid search's lists fused by a decay ranker, as Milvus fuses them: a
 * row's best normalised score over the searches times its decay, best first,
 * then `offset` and `limit` applied.
 */
export function decayFuse<H extends { id: unknown; distance: number; fields: Record<string, unknown> }>(
  lists: ReadonlyArray<{ metric: MetricType; hits: readonly H[] }>, d: CheckedDecay, limit: number, offset: number,
): H[] {
  const best = new Map<unknown, { h: H; score: number; first: number }>();
  let n = 0;
  for (const { metric, hits } of lists) {
    for (const h of hits) {
      const score = normalisedScore(metric, h.distance), seen = best.get(h.id);
      if (!seen) best.set(h.id, { h, score, first: n++ });
      else if (score > seen.score) { seen.score = score; seen.h = { ...h, fields: { ...seen.h.fields, ...h.fields } }; }
    }
  }
  return [...best.values()]
    .map((x) => ({ h: { ...x.h, distance: x.score * decayOf(d, x.h.fields[d.field]) }, first: x.first }))
    .sort((a, b) => b.h.distance - a.h.distance || a.first - b.first)
    .slice(offset, offset + limit)
    .map((x) => x.h);
}
