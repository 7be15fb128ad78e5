import { Coordinator } from '../../actors/coordinator/shell/coordinator.js';
import { DataNode } from '../../actors/data-node/shell/dataNode.js';
import { IndexNode } from '../../actors/index-node/shell/indexNode.js';
import { QueryNode } from '../../actors/query-node/shell/queryNode.js';
import { StreamingNode } from '../../actors/streaming-node/shell/streamingNode.js';
import { retentionPolicy } from '../../actors/streaming-node/core/walRetention.js';
import { vectorIndexes } from '../vectorIndex/vectorIndexes.js';
import { METRICS_PATH, startMetricsServer } from '../metrics/metricsServer.js';
import { addNodeInfo, addProcessMetrics } from '../metrics/processMetrics.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { openWalBackend, type WalChoice } from '../wal/openWalBackend.js';
import { checkWalKind } from '../wal/walKind.js';
import { startGateway } from './gatewayRole.js';
import { connectInfra, type Infra } from './infra.js';
import type { NodeOptions, Role } from './nodeOptions.js';

/** A running role: `stop()` ends it cleanly and closes its connections. */
export interface RunningRole { stop(): Promise<void>; url?: string }

type Log = (...a: unknown[]) => void;

/** What each role needs besides NATS. */
const NEEDS: Record<Role, { meta: boolean; objects: boolean }> = {
  coordinator: { meta: true, objects: false },
  'streaming-node': { meta: true, objects: true },
  'data-node': { meta: true, objects: true },
  'query-node': { meta: true, objects: true },
  'index-node': { meta: true, objects: true },
  gateway: { meta: false, objects: false },
};

/**
 * Builds one actor on NATS, etcd and S3 and starts it. The actors are the same
 * classes standalone runs; only the bus, metadata and object store differ.
 * `onEvent` hears 'standby' (a coordinator waiting in the election), 'ready',
 * and 'lost' (a coordinator that lost leadership and must exit).
 */
export async function startRole(o: NodeOptions, log: Log, onEvent: (e: 'standby' | 'ready' | 'lost') => void): Promise<RunningRole> {
  const metrics = new MetricsRegistry();
  addProcessMetrics(metrics);
  addNodeInfo(metrics, o.role, o.nodeId);
  // Served before the actor starts, so a standby coordinator or a node still waiting for its servers can be scraped.
  const scrape = o.metricsPort === undefined ? undefined : await startMetricsServer(metrics, { port: o.metricsPort, host: o.metricsHost });
  if (scrape) log(`serving metrics on ${scrape.url}${METRICS_PATH}`);
  const infra = await connectInfra(o, NEEDS[o.role], log).catch(async (e) => { await scrape?.close(); throw e; });
  try {
    const r = await build(o, infra, metrics, log, onEvent);
    onEvent('ready');
    return { url: r.url, async stop() { await r.stop(); await infra.close(); await scrape?.close(); } };
  } catch (e) {
    await infra.close();
    await scrape?.close();
    throw e;
  }
}

async function build(o: NodeOptions, infra: Infra, metrics: MetricsRegistry, log: Log, onEvent: (e: 'standby' | 'ready' | 'lost') => void): Promise<RunningRole> {
  const { bus, meta, objects } = infra;
  const nodeId = o.nodeId;
  switch (o.role) {
    case 'coordinator': {
      await checkWalKind(meta!, o.wal);
      const pchannels = Array.from({ length: o.pchannels }, (_, i) => `dml_${i}`);
      const c = new Coordinator({ bus, meta: meta!, pchannels, nodeId, log, sessionTtlMs: o.sessionTtlMs, replicas: o.replicas, dropToleranceMs: o.dropToleranceMs,
        compaction: o.compaction, orphans: o.orphans, metrics, rootPassword: o.rootPassword, quota: { defaults: o.quota },
        onLeadershipLost: () => onEvent('lost') });
      onEvent('standby');
      await c.start();
      return { stop: () => c.stop() };
    }
    case 'streaming-node': {
      await checkWalKind(meta!, o.wal);
      const choice: WalChoice = o.wal === 'object' ? { kind: 'object' } : { kind: 'jetstream', natsUrl: o.nats.join(','), durability: o.jetstreamDurability };
      const wal = await openWalBackend(choice, { meta: meta!, objects: objects! });
      const segment = {
        ...(o.segmentRows !== undefined ? { maxRows: o.segmentRows } : {}),
        ...(o.sealIdleMs !== undefined ? { idleMs: o.sealIdleMs } : {}),
      };
      const config = {
        ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
        ...(o.checkpointMs !== undefined ? { checkpointMs: o.checkpointMs } : {}),
        ...(o.walRetentionMs !== undefined ? { walRetention: retentionPolicy(o.walRetentionMs) } : {}),
        ...(o.quota.memoryHighWaterLevel !== undefined ? { memoryHighWaterLevel: o.quota.memoryHighWaterLevel } : {}),
        segment: segment as never,
        jsonShredding: o.jsonShredding,
      };
      const sn = new StreamingNode({ nodeId, bus, meta: meta!, objects: objects!, wal, config, log, sessionTtlMs: o.sessionTtlMs, metrics });
      await sn.start();
      return { async stop() { await sn.stop(); await wal.close(); } };
    }
    case 'data-node': {
      const dn = new DataNode({ nodeId, bus, meta: meta!, sessionTtlMs: o.sessionTtlMs, objects: objects!, log, metrics, jsonShredding: o.jsonShredding });
      await dn.start();
      return { stop: () => dn.stop() };
    }
    case 'index-node': {
      const n = new IndexNode({ nodeId, bus, meta: meta!, sessionTtlMs: o.sessionTtlMs, objects: objects!, indexes: vectorIndexes, buildThread: true, log, metrics });
      await n.start();
      return { stop: () => n.stop() };
    }
    case 'query-node': {
      const qn = new QueryNode({ nodeId, bus, meta: meta!, objects: objects!, indexes: vectorIndexes, log, sessionTtlMs: o.sessionTtlMs, metrics, tieredStorage: o.tieredStorage, jsonShredding: o.jsonShredding });
      await qn.start();
      return { stop: () => qn.stop() };
    }
    case 'gateway':
      return startGateway(bus, o, log, metrics);
  }
}
