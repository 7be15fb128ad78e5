import type { MetaStore } from '../ports/metaStore.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Coordinator } from '../../actors/coordinator/shell/coordinator.js';
import type { CoordinatorOptions } from '../../actors/coordinator/shell/context.js';
import { DataNode } from '../../actors/data-node/shell/dataNode.js';
import { IndexNode } from '../../actors/index-node/shell/indexNode.js';
import { QueryNode } from '../../actors/query-node/shell/queryNode.js';
import type { JsonShreddingConfig } from '../../actors/shared/segment/jsonShredding.js';
import type { TieredStorageOptions } from '../../actors/query-node/core/tieredStorageConfig.js';
import { StreamingNode } from '../../actors/streaming-node/shell/streamingNode.js';
import type { StreamingConfig } from '../../actors/streaming-node/shell/nodeContext.js';
import { MemoryBus } from '../bus/memoryBus.js';
import type { Bus } from '../ports/bus.js';
import { NuthatchClient } from '../client/client.js';
import { createHttpGateway, type HttpGateway } from '../http/gateway.js';
import { EmbeddedMeta } from '../meta/embeddedMeta.js';
import { LocalObjectStore } from '../objectstore/localObjectStore.js';
import { startInspection, type Inspection } from '../inspect/inspection.js';
import { vectorIndexesAt } from '../vectorIndex/vectorIndexes.js';
import { addNodeInfo, addProcessMetrics } from '../metrics/processMetrics.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { checkWalKind } from '../wal/walKind.js';
import { openWalBackend, type WalChoice } from '../wal/openWalBackend.js';

export interface StandaloneOptions {
  dataDir: string;
  /** HTTP port; 0 picks a free one; undefined serves no HTTP. */
  port?: number;
  host?: string;
  pchannels?: number;
  wal?: WalChoice;
  /** Vector indexes built on a worker thread, off the event loop every actor shares (default true). */
  indexBuildThread?: boolean;
  streaming?: Partial<Omit<StreamingConfig, 'jsonShredding'>>;
  /** Purging of dropped collections' files (tests shorten it). */
  coordinator?: Pick<CoordinatorOptions, 'dropToleranceMs' | 'purgeIntervalMs' | 'compaction' | 'orphans' | 'quota'>;
  log?: (...a: unknown[]) => void;
  /** Inspection on: actors publish the inspection stream; with `port`, the inspector page is served too. */
  inspect?: { port?: number; host?: string };
  /**
   * Authentication and privileges at the HTTP API (off by default). `rootPassword`:
   * root's password when the first start makes it (default 'Milvus'); `ttlMs`: how long
   * the gateway caches verified credentials.
   */
  auth?: { enabled: boolean; rootPassword?: string; ttlMs?: number };
  /**
   * JSON shredding of sealed segments (query node, data node) and growing ones
   * (streaming node), under Milvus's names: `enabledJSONShredding` (default true),
   * `jsonShreddingRatioThreshold` (0.3), `jsonShreddingMaxColumns` (1024).
   */
  jsonShredding?: Partial<JsonShreddingConfig>;
  /**
   * The query node's tiered storage, under Milvus's names (off by default): `enabled`, `warmup.{scalarField,
   * scalarIndex,vectorField,vectorIndex}`, `evictionEnabled`, `backgroundEvictionEnabled`, the memory watermarks,
   * `cacheTtl`, `evictableMemoryCacheRatio` or `memoryBudgetBytes` (actors/query-node/core/tieredStorageConfig.ts).
   */
  tieredStorage?: TieredStorageOptions;
}

export interface Standalone {
  client: NuthatchClient;
  http?: HttpGateway;
  inspection?: Inspection;
  /** The in-process bus, for tools that listen on it (the inspection stream). */
  bus: Bus;
  /** The metadata store (a replicator checkpoints in its target's, runtime/replication). */
  meta: MetaStore;
  /** Every actor's metrics (served as GET /metrics on the HTTP port). */
  metrics: MetricsRegistry;
  stop(): Promise<void>;
}

/**
 * Every actor in one process on embedded defaults: the in-process bus (NATS
 * subject semantics, every message through the codec), the file-backed metadata
 * store, local-disk object storage and the local WAL. No server to install.
 */
export async function startStandalone(o: StandaloneOptions): Promise<Standalone> {
  const log = o.log ?? ((...a: unknown[]) => console.error('[nuthatch]', ...a));
  // What has started, stopped in reverse on stop() or when a later step fails.
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => { for (const f of stops.reverse()) await Promise.resolve().then(f).catch(() => {}); stops.length = 0; };
  const metrics = new MetricsRegistry();
  addProcessMetrics(metrics);
  try {
    await mkdir(o.dataDir, { recursive: true });
    const bus = new MemoryBus();
    stops.push(() => bus.close());
    const meta = await EmbeddedMeta.open(join(o.dataDir, 'meta'));
    stops.push(() => meta.close());
    const objects = new LocalObjectStore(join(o.dataDir, 'objects'));
    stops.push(() => objects.close());
    const walChoice: WalChoice = o.wal ?? { kind: 'local', dir: join(o.dataDir, 'wal') };
    await checkWalKind(meta, walChoice.kind);
    const wal = await openWalBackend(walChoice, { meta, objects });
    stops.push(() => wal.close());
    const pchannels = Array.from({ length: o.pchannels ?? 4 }, (_, i) => `dml_${i}`);
    const coordinator = new Coordinator({ ...o.coordinator, bus, meta, pchannels, nodeId: 'coordinator-1', metrics, rootPassword: o.auth?.rootPassword, log: (...a) => log('[coordinator]', ...a) });
    await coordinator.start();
    stops.push(() => coordinator.stop());
    // The query node's local disk: DISKANN indexes keep their vectors and graph in files under the data dir.
    const vectorIndexes = vectorIndexesAt(join(o.dataDir, 'cache', 'diskann'));
    const queryNode = new QueryNode({ nodeId: 'qn-1', bus, meta, objects, indexes: vectorIndexes, metrics, dataDir: o.dataDir, jsonShredding: o.jsonShredding, tieredStorage: o.tieredStorage, log: (...a) => log('[query-node]', ...a) });
    await queryNode.start();
    stops.push(() => queryNode.stop());
    const dataNode = new DataNode({ nodeId: 'dn-1', bus, meta, objects, metrics, jsonShredding: o.jsonShredding, log: (...a) => log('[data-node]', ...a) });
    await dataNode.start();
    stops.push(() => dataNode.stop());
    const indexNode = new IndexNode({ nodeId: 'in-1', bus, meta, objects, indexes: vectorIndexes, buildThread: o.indexBuildThread !== false, metrics, log: (...a) => log('[index-node]', ...a) });
    await indexNode.start();
    stops.push(() => indexNode.stop());
    const inspection = o.inspect ? await startInspection({ bus, wal, port: o.inspect.port, host: o.inspect.host ?? o.host, log }) : undefined;
    if (inspection) stops.push(() => inspection.close());
    const streaming = new StreamingNode({ nodeId: 'sn-1', bus, meta, objects, wal, config: { ...o.streaming, jsonShredding: o.jsonShredding ?? {} }, metrics, log: (...a) => log('[streaming-node]', ...a), inspect: inspection?.hookFor('streaming-node', 'sn-1') });
    await streaming.start();
    stops.push(() => streaming.stop());
    for (const [role, id] of [['coordinator', 'coordinator-1'], ['query-node', 'qn-1'], ['data-node', 'dn-1'], ['index-node', 'in-1'], ['streaming-node', 'sn-1']] as const) addNodeInfo(metrics, role, id);
    const client = new NuthatchClient(bus);
    let ready = true;
    stops.push(() => { ready = false; });
    // As Milvus's proxy: a REST caller gets the rate limit refusal (code 8) and backs off itself.
    const api = o.port === undefined ? undefined : new NuthatchClient(bus, { retryOnRateLimit: false });
    const http = api === undefined ? undefined : await createHttpGateway(api, { port: o.port!, host: o.host ?? '127.0.0.1', isReady: () => ready, log, metrics, rbac: api, auth: o.auth });
    if (http) { stops.push(() => http.close()); log(`serving the HTTP API on ${http.url}`); }
    return { client, http, inspection, bus, meta, metrics, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
