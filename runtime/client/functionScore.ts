import { checkBoost, checkBoostMode, isBoostRanker, type BoostRanker, type FunctionScoreParams, type ShardBoost } from '../../messages/boostRanker.js';
import { ValidationError } from '../../messages/errors.js';
import type { FilterParams } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { checkDecayRanker, type CheckedDecay, type DecayRanker } from './decayRanker.js';

/**
 * Milvus's FunctionScore (pymilvus `FunctionScore(functions, params)`): boost
 * functions, applied to each segment's candidates on the servers, and at
 * most one decay function, applied to the merged hits after them (as
 * Milvus's proxy runs its one rerank function after the query nodes' boost).
 */
export interface FunctionScore { functions: Array<BoostRanker | DecayRanker>; params?: FunctionScoreParams }

/** A search's `ranker`: one function, or a FunctionScore of several. */
export type SearchRanker = DecayRanker | BoostRanker | FunctionScore;

/** A search's ranker checked against the schema: the shards' boost and the client's decay, either absent. */
export interface CheckedRanker { boost?: ShardBoost; decay?: CheckedDecay }

export function checkSearchRanker(r: unknown, schema: CollectionSchema, filterParams?: FilterParams, timezone?: string): CheckedRanker {
  const scored = r !== null && typeof r === 'object' && 'functions' in r;
  const functions: unknown[] = scored ? (r as FunctionScore).functions : [r];
  const params = scored ? (r as FunctionScore).params : undefined;
  if (!Array.isArray(functions) || functions.length === 0) throw new ValidationError('ranker functions must be a non-empty list of rerank functions', { field: 'ranker.functions' });
  const boosts = functions.filter(isBoostRanker);
  const others = functions.filter((f) => !isBoostRanker(f));
  if (others.length > 1) throw new ValidationError(`a search takes one rerank function besides its boost functions, got ${others.length} (as in Milvus)`, { field: 'ranker.functions' });
  const out: CheckedRanker = {};
  if (others.length === 1) out.decay = checkDecayRanker(others[0], schema);
  if (boosts.length > 0) out.boost = checkBoost(boosts, params, schema, filterParams, timezone);
  else if (params !== undefined) {
    // A decay ranker alone multiplies (Milvus's decay does): only Multiply says what happens.
    if (checkBoostMode(params?.boost_mode, 'boost_mode') !== 'Multiply') throw new ValidationError('boost_mode Sum needs a boost function: a decay ranker alone multiplies', { field: 'ranker.params.boost_mode' });
    checkBoostMode(params?.function_mode, 'function_mode');
  }
  return out;
}
