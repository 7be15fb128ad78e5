import type { Expr, LiteralNode } from '../../messages/filter/ast.js';
import { ValidationError } from '../../messages/errors.js';
import type { QueryResult } from '../../messages/rpc/records.js';
import type { AggHitRow, AggLevel, AggregateRequest } from '../../messages/searchAggregation.js';
import type { PrimaryKey } from '../../messages/schema.js';
import { finalizeBuckets, type AggregationBucket } from '../../actors/shared/aggregation/finalize.js';
import { mergePartials } from '../../actors/shared/aggregation/partial.js';
import type { AggregationHit, Hit, SearchRequest } from './api.js';

/**
 * A search aggregation, as the client runs it, in two rounds at one pinned TSO:
 *
 * 1. the plain search (same vectors, filter, params and `limit`) ranks the
 *    candidates: its best `limit` hits, exactly those a plain search returns;
 * 2. every shard is asked for the partial buckets of its candidate rows
 *    (`pk in [candidates]`): each query node aggregates its sealed segments'
 *    rows and the delegator its growing rows and merges them; the client
 *    merges the shards' parts, orders the buckets and keeps `size`.
 *
 * The field values metrics read never leave the node holding the row; only
 * each bucket's top hits travel. Partial buckets merge exactly (partial.ts),
 * so the answer equals aggregating the candidates in one place.
 */

/** Options a search aggregation does not combine with. */
export function refuseAggregationOptions(req: SearchRequest): void {
  const clash = req.groupingField !== undefined ? 'groupingField' : (req.offset ?? 0) !== 0 ? 'offset'
    : req.ranker !== undefined ? 'ranker' : req.highlighter !== undefined ? 'highlighter' : undefined;
  if (clash) throw new ValidationError(`a search aggregation takes no ${clash}: it buckets the search's best \`limit\` hits itself`, { field: clash });
}

/** `pk in [keys]` as a filter tree. */
export function primaryKeyIn(pkName: string, keys: readonly PrimaryKey[]): Expr {
  const values: LiteralNode[] = keys.map((k) => ({ kind: 'literal', type: typeof k === 'string' ? 'string' : 'int', value: k, pos: 0 }));
  return { kind: 'in', arg: { kind: 'field', name: pkName, path: [], pos: 0 }, values, negated: false, pos: 0 };
}

/** What round two needs of the client: asking every shard, and shaping a top hit. */
export interface AggregationRound {
  level: AggLevel;
  /** Each shard's partial buckets of the rows the filter keeps. */
  askShards: (filter: Expr, aggregate: AggregateRequest) => Promise<QueryResult[]>;
  pkName: string;
  hit: (h: AggHitRow) => AggregationHit;
}

/** Round two for each query vector's candidates (round one's hits, best first). */
export function aggregateCandidates(candidates: readonly Hit[][], round: AggregationRound): Promise<Array<Array<AggregationBucket<AggregationHit>>>> {
  return Promise.all(candidates.map(async (hits) => {
    if (hits.length === 0) return [];
    const aggregate: AggregateRequest = { level: round.level, pks: hits.map((h) => h.id), scores: hits.map((h) => h.distance) };
    const parts = await round.askShards(primaryKeyIn(round.pkName, aggregate.pks), aggregate);
    return finalizeBuckets(mergePartials(parts.map((p) => p.agg ?? []), round.level), round.level, round.hit);
  }));
}
