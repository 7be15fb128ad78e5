import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { NuthatchError } from '../../messages/errors.js';
import { parseQuotaDefaults, type QuotaDefaults } from '../../messages/admission.js';
import { parseTieredStorage, type TieredStorageConfig } from '../../actors/query-node/core/tieredStorageConfig.js';
import { JSON_SHREDDING_USAGE, parseJsonShredding } from '../../actors/shared/segment/jsonShreddingFlag.js';
import type { JsonShreddingConfig } from '../../actors/shared/segment/jsonShredding.js';

/** The `--tiered-storage` flag's help (standalone and query node). */
export const TIERED_STORAGE_USAGE = `  --tiered-storage K=V[,K=V]   query node: Milvus's tiered storage (off by default): enabled=true, warmup.scalarField,
                            warmup.scalarIndex, warmup.vectorField, warmup.vectorIndex (sync|disable), evictionEnabled,
                            backgroundEvictionEnabled, memoryLowWatermarkRatio, memoryHighWatermarkRatio, cacheTtl (s),
                            evictableMemoryCacheRatio or memoryBudgetBytes (the cache's size)`;

/** The `--quota` flag's help (standalone and coordinator). */
export const QUOTA_USAGE = `  --quota K=V[,K=V]         coordinator: cluster rate limits and disk quotas by Milvus's quotaAndLimits names:
                            dml.{insert,upsert,delete}Rate.collection.max (MB/s), dql.searchRate.collection.max
                            (vectors/s), dql.queryRate.collection.max (qps), limitWriting.diskProtection.diskQuota
                            and .diskQuotaPerCollection (MB), collection properties override them;
                            limitWriting.memProtection.dataNodeMemoryHighWaterLevel (0..1, streaming nodes)`;

/** The roles `nuthatch node --role` runs: one actor per process (or the stateless HTTP gateway). */
export const ROLES = ['coordinator', 'streaming-node', 'data-node', 'query-node', 'index-node', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** Exit code of a coordinator that lost leadership: its supervisor starts it again (as a standby). */
export const EXIT_RESTART = 3;

/** Everything a node process needs, from flags with environment fallbacks. */
export interface NodeOptions {
  role: Role;
  nodeId: string;
  nats: string[];
  etcd: string[];
  /** Omit for AWS S3; credentials and region come from the usual AWS_* variables. */
  s3Endpoint?: string;
  bucket: string;
  wal: 'object' | 'jetstream';
  jetstreamDurability?: 'replicated' | 'sync-always' | 'unsynced';
  /** Gateway: where the HTTP API listens. */
  port: number;
  host: string;
  /** Where GET /metrics is served for this process (any role); no such server when absent. */
  metricsPort?: number;
  metricsHost: string;
  /** Coordinator: how many pchannels the WAL has. */
  pchannels: number;
  /** Coordinator: query-node replicas of each sealed segment when a load names none. */
  replicas: number;
  /** Node sessions and coordinator leadership: lease TTL. */
  sessionTtlMs: number;
  /** Streaming node tuning (optional). */
  segmentRows?: number;
  sealIdleMs?: number;
  tickMs?: number;
  checkpointMs?: number;
  /** WAL history kept behind the newest checkpoint; Infinity keeps the whole log. */
  walRetentionMs?: number;
  /** Coordinator: how long a dropped collection's files are kept before they are purged. */
  dropToleranceMs?: number;
  /** Coordinator: delete compaction's period (0: off) and the age deletes must reach to be applied; each when given. */
  compaction: { intervalMs?: number; graceMs?: number; mergeSegments?: number; trimAfterEntries?: number };
  /** Coordinator: the orphan file sweep's period (0: off) and how long a file stays unreferenced before it goes; each when given. */
  orphans: { intervalMs?: number; toleranceMs?: number };
  /** Gateway: require credentials and check privileges on the HTTP API. */
  auth: boolean;
  /** Coordinator: root's password when the first start makes it (default 'Milvus'). */
  rootPassword?: string;
  /** Coordinator: the cluster's rate limits and disk quotas; streaming node: its memory high water level (`--quota`, messages/admission.ts). */
  quota: QuotaDefaults;
  /** Query node: tiered storage (`--tiered-storage`, actors/query-node/core/tieredStorageConfig.ts). */
  tieredStorage: TieredStorageConfig;
  /** Streaming, data and query nodes: JSON shredding (`--json-shredding`, actors/shared/segment/jsonShreddingFlag.ts). */
  jsonShredding: JsonShreddingConfig;
}

/** Flag name -> environment variable that supplies its default. */
const ENV: Record<string, string> = {
  'node-id': 'NUTHATCH_NODE_ID', nats: 'NUTHATCH_NATS', etcd: 'NUTHATCH_ETCD', 's3-endpoint': 'NUTHATCH_S3_ENDPOINT',
  bucket: 'NUTHATCH_BUCKET', wal: 'NUTHATCH_WAL', 'jetstream-durability': 'NUTHATCH_JETSTREAM_DURABILITY',
  port: 'NUTHATCH_PORT', host: 'NUTHATCH_HOST', 'metrics-port': 'NUTHATCH_METRICS_PORT', 'metrics-host': 'NUTHATCH_METRICS_HOST', pchannels: 'NUTHATCH_PCHANNELS', replicas: 'NUTHATCH_REPLICAS',
  'session-ttl-ms': 'NUTHATCH_SESSION_TTL_MS', 'segment-rows': 'NUTHATCH_SEGMENT_ROWS', 'seal-idle-ms': 'NUTHATCH_SEAL_IDLE_MS',
  'tick-ms': 'NUTHATCH_TICK_MS', 'checkpoint-ms': 'NUTHATCH_CHECKPOINT_MS', 'wal-retention-ms': 'NUTHATCH_WAL_RETENTION_MS',
  'drop-tolerance-ms': 'NUTHATCH_DROP_TOLERANCE_MS', 'compaction-interval-ms': 'NUTHATCH_COMPACTION_INTERVAL_MS',
  'compaction-grace-ms': 'NUTHATCH_COMPACTION_GRACE_MS', 'gc-interval-ms': 'NUTHATCH_GC_INTERVAL_MS', 'merge-segments': 'NUTHATCH_MERGE_SEGMENTS', 'trim-after-entries': 'NUTHATCH_TRIM_AFTER_ENTRIES', 'clustering-interval-ms': 'NUTHATCH_CLUSTERING_INTERVAL_MS', 'clustering-target-rows': 'NUTHATCH_CLUSTERING_TARGET_ROWS', 'gc-tolerance-ms': 'NUTHATCH_GC_TOLERANCE_MS',
  auth: 'NUTHATCH_AUTH', 'root-password': 'NUTHATCH_ROOT_PASSWORD', quota: 'NUTHATCH_QUOTA', 'tiered-storage': 'NUTHATCH_TIERED_STORAGE',
  'json-shredding': 'NUTHATCH_JSON_SHREDDING',
};

export const NODE_USAGE = `nuthatch node --role <${ROLES.join('|')}> [options]
  --node-id ID              unique per process (default <role>-<host>-<pid>)
  --nats URL[,URL]          NATS servers (default nats://127.0.0.1:4222)
  --etcd URL[,URL]          etcd endpoints (default http://127.0.0.1:2379)
  --s3-endpoint URL         S3-compatible endpoint (omit for AWS; AWS_ACCESS_KEY_ID/SECRET/REGION apply)
  --bucket NAME             object storage bucket (default nuthatch)
  --wal object|jetstream    shared-storage WAL (default object); --jetstream-durability replicated|sync-always|unsynced
  --port PORT --host HOST   gateway HTTP address (default 127.0.0.1:19530); the gateway serves GET /metrics there too
  --metrics-port PORT --metrics-host HOST   serve this process's Prometheus metrics on GET /metrics (any role;
                            0 picks a free port, logged as 'serving metrics on URL'; host default 127.0.0.1)
  --pchannels N             coordinator: WAL pchannels (default 4)
  --replicas N              coordinator: default query-node replicas per segment (default 1)
  --session-ttl-ms MS       node session / leadership lease TTL (default 10000)
  --segment-rows N --seal-idle-ms MS --tick-ms MS --checkpoint-ms MS   streaming-node tuning
  --wal-retention-ms MS|forever   WAL history kept behind the newest checkpoint (default 26 h)
  --drop-tolerance-ms MS    coordinator: a dropped collection's files are purged this long after the drop (default 10 min)
  --compaction-interval-ms MS   coordinator: how often sealed segments with deleted rows are compacted (default 60000; 0: never)
  --compaction-grace-ms MS  coordinator: deletes younger than this are not applied by compaction (default 10000)
  --merge-segments N        coordinator: small segments of a partition are merged N or more at a time (default 4; 0: never)
  --trim-after-entries N    coordinator: a shard's delete log this long gets the segments holding its trim back compacted (default 1000000)
  --clustering-interval-ms MS  coordinator: clustering compaction of every collection with a clustering key every MS (default 0: manual only)
  --clustering-target-rows N   coordinator: rows per segment a clustering compaction writes (default: 0.8 of a 64 MiB segment)
  --gc-interval-ms MS       coordinator: how often orphaned segment files are looked for (default 3600000; 0: never)
  --gc-tolerance-ms MS      coordinator: an orphaned segment file is removed once unreferenced this long (default 86400000)
  --auth true|false         gateway: require 'Authorization: Bearer <user>:<password>' and check privileges (default false)
  --root-password PASSWORD  coordinator: root's password when the first start makes it (default Milvus)
${QUOTA_USAGE}
${TIERED_STORAGE_USAGE}
${JSON_SHREDDING_USAGE}
Every option also reads NUTHATCH_<NAME> (e.g. NUTHATCH_NATS, NUTHATCH_BUCKET). A NATS server that requires
credentials: NUTHATCH_NATS_USER and NUTHATCH_NATS_PASSWORD, or NUTHATCH_NATS_TOKEN.`;

function bad(msg: string): never { throw new NuthatchError('InvalidArgument', msg); }

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) bad(`--${name} must be an integer in ${min}..${max}, got '${v}'`);
  return n;
}

/** How long a dropped collection's files are kept, in milliseconds (up to 30 days). */
export function toleranceMs(v: string | undefined): number | undefined {
  return int('drop-tolerance-ms', v, 0, 30 * 86_400_000);
}

/** A coordinator job's period (`--<job>-interval-ms`, 0: off) and one more duration, each when given. */
function jobMs<K extends string>(job: string, interval: string | undefined, key: K, flag: string, value: string | undefined, max: number): { intervalMs?: number } & { [k in K]?: number } {
  const intervalMs = int(`${job}-interval-ms`, interval, 0, 86_400_000);
  const ms = int(flag, value, 0, max);
  return { ...(intervalMs === undefined ? {} : { intervalMs }), ...(ms === undefined ? {} : { [key]: ms }) } as { intervalMs?: number } & { [k in K]?: number };
}

/** Delete compaction's period and grace (coordinator/core/compactionPolicy.ts), each when given. */
export const compactionMs = (interval: string | undefined, grace: string | undefined) => jobMs('compaction', interval, 'graceMs', 'compaction-grace-ms', grace, 86_400_000);

/** How many small segments a merge takes at least (0: no merges), when given. */
export function mergeSegmentsOf(v: string | undefined): { mergeSegments?: number } {
  const n = int('merge-segments', v, 0, 1000);
  return n === undefined ? {} : { mergeSegments: n };
}

/** How long a shard's delete log grows before the segments holding its trim back are examined (compactionPolicy.ts), when given. */
export function trimAfterEntriesOf(v: string | undefined): { trimAfterEntries?: number } {
  const n = int('trim-after-entries', v, 1, 1_000_000_000);
  return n === undefined ? {} : { trimAfterEntries: n };
}

/** Clustering compaction's automatic period and output size (coordinator/core/compactionPolicy.ts), each when given. */
export function clusteringOf(interval: string | undefined, targetRows: string | undefined): { clusteringIntervalMs?: number; clusteringTargetRows?: number } {
  const ms = int('clustering-interval-ms', interval, 0, 30 * 86_400_000), rows = int('clustering-target-rows', targetRows, 1, 100_000_000);
  return { ...(ms === undefined ? {} : { clusteringIntervalMs: ms }), ...(rows === undefined ? {} : { clusteringTargetRows: rows }) };
}

/** The orphan sweep's period and tolerance (coordinator/core/orphanFiles.ts), each when given. */
export const orphanSweepMs = (interval: string | undefined, tolerance: string | undefined) => jobMs('gc', interval, 'toleranceMs', 'gc-tolerance-ms', tolerance, 30 * 86_400_000);

/** `forever` or milliseconds (up to ten years). */
export function retentionMs(v: string | undefined): number | undefined {
  return v === 'forever' ? Infinity : int('wal-retention-ms', v, 0, 10 * 365 * 86_400_000);
}

function flag(name: string, v: string | undefined): boolean {
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  return bad(`--${name} must be true or false, got '${v}'`);
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** Parses `nuthatch node` arguments; throws InvalidArgument with a readable message. */
export function parseNodeOptions(args: string[], env: NodeJS.ProcessEnv = process.env): NodeOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args, options: {
      role: { type: 'string' },
      ...Object.fromEntries(Object.keys(ENV).map((k) => [k, { type: 'string' as const }])),
    } }) as { values: Record<string, string | undefined> });
  } catch (e) {
    bad((e as Error).message); // unknown flag, missing or dash-led value: node's parser throws a bare TypeError
  }
  const v = (k: string): string | undefined => values[k] ?? env[ENV[k]!];
  const role = (values.role ?? env.NUTHATCH_ROLE) as Role | undefined;
  if (!role || !ROLES.includes(role)) bad(`--role must be one of ${ROLES.join(', ')}`);
  const wal = v('wal') ?? 'object';
  if (wal !== 'object' && wal !== 'jetstream') bad(`--wal must be object or jetstream in distributed mode (local disk cannot move between machines), got '${wal}'`);
  const durability = v('jetstream-durability');
  if (durability !== undefined && !['replicated', 'sync-always', 'unsynced'].includes(durability)) bad(`--jetstream-durability must be replicated, sync-always or unsynced`);
  const bucket = v('bucket') ?? 'nuthatch';
  if (!/^[a-z0-9][a-z0-9.-]{2,62}$/.test(bucket)) bad(`--bucket '${bucket}' is not a valid bucket name`);
  return {
    role,
    nodeId: v('node-id') ?? `${role}-${hostname()}-${process.pid}`,
    nats: list(v('nats') ?? 'nats://127.0.0.1:4222'),
    etcd: list(v('etcd') ?? 'http://127.0.0.1:2379'),
    s3Endpoint: v('s3-endpoint') || undefined,
    bucket,
    wal,
    jetstreamDurability: durability as NodeOptions['jetstreamDurability'],
    port: int('port', v('port'), 0, 65535) ?? 19530,
    host: v('host') ?? '127.0.0.1',
    metricsPort: int('metrics-port', v('metrics-port'), 0, 65535),
    metricsHost: v('metrics-host') ?? '127.0.0.1',
    pchannels: int('pchannels', v('pchannels'), 1, 256) ?? 4,
    replicas: int('replicas', v('replicas'), 1, 16) ?? 1,
    sessionTtlMs: int('session-ttl-ms', v('session-ttl-ms'), 1000, 600_000) ?? 10_000,
    segmentRows: int('segment-rows', v('segment-rows'), 1, 100_000_000),
    sealIdleMs: int('seal-idle-ms', v('seal-idle-ms'), 1, 86_400_000),
    tickMs: int('tick-ms', v('tick-ms'), 10, 60_000),
    checkpointMs: int('checkpoint-ms', v('checkpoint-ms'), 100, 3_600_000),
    walRetentionMs: retentionMs(v('wal-retention-ms')),
    dropToleranceMs: toleranceMs(v('drop-tolerance-ms')),
    compaction: { ...compactionMs(v('compaction-interval-ms'), v('compaction-grace-ms')), ...mergeSegmentsOf(v('merge-segments')), ...trimAfterEntriesOf(v('trim-after-entries')), ...clusteringOf(v('clustering-interval-ms'), v('clustering-target-rows')) },
    orphans: orphanSweepMs(v('gc-interval-ms'), v('gc-tolerance-ms')),
    auth: flag('auth', v('auth')),
    rootPassword: v('root-password') || undefined,
    quota: parseQuotaDefaults(v('quota') ?? ''),
    tieredStorage: parseTieredStorage(v('tiered-storage') ?? ''),
    jsonShredding: parseJsonShredding(v('json-shredding') ?? ''),
  };
}
