import type { NuthatchApi } from './api.js';
import type { RbacApi } from './rbacApi.js';
import { AccessClient } from './accessClient.js';

/**
 * The streaming client, nuthatch's proxy: implements the user API by sending
 * typed messages. It finds each vchannel's pchannel owner through the
 * pchannel's subject and waits (retrying) while a WAL is moving, so callers
 * see at most a pause.
 *
 * It is built in layers, one concern each, every layer extending the one before:
 * - clientBase.ts: connections, retries, the record cache, write admission, read guarantees;
 * - queryClient.ts: queries, get, run_analyzer;
 * - writeClient.ts: insert, upsert (whole and merged), delete;
 * - shardSearch.ts: a search's round to the shards (dense, sparse, embedding lists);
 * - searchClient.ts: search by vectors or keys, ordered, aggregated, highlighted, decay-ranked;
 * - hybridClient.ts: hybrid search;
 * - iteratorClient.ts: query and search iterators;
 * - catalogClient.ts: databases, collections, partitions, indexes, loads, jobs;
 * - accessClient.ts: resource groups, users, roles and privileges.
 */
export class NuthatchClient extends AccessClient implements NuthatchApi, RbacApi {}
