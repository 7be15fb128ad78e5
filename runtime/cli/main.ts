#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startStandalone } from '../standalone/standalone.js';
import type { WalChoice } from '../wal/openWalBackend.js';
import { REPLAY_USAGE } from './replay.js';
import { PUT_OBJECT_USAGE } from './putObject.js';
import { REPLICATE_USAGE } from './replicate.js';
import { clusteringOf, compactionMs, mergeSegmentsOf, orphanSweepMs, QUOTA_USAGE, retentionMs, TIERED_STORAGE_USAGE, toleranceMs, trimAfterEntriesOf } from '../cluster/nodeOptions.js';
import { parseQuotaDefaults, type QuotaDefaults } from '../../messages/admission.js';
import { parseTieredStorage, type TieredStorageConfig } from '../../actors/query-node/core/tieredStorageConfig.js';
import { retentionPolicy } from '../../actors/streaming-node/core/walRetention.js';
import { JSON_SHREDDING_USAGE, parseJsonShredding } from '../../actors/shared/segment/jsonShreddingFlag.js';
import type { JsonShreddingConfig } from '../../actors/shared/segment/jsonShredding.js';

const USAGE = `usage:
  nuthatch standalone [--data-dir DIR] [--port PORT] [--host HOST] [--wal local|object|jetstream] [--nats URL]
                     [--wal-retention-ms MS|forever] [--drop-tolerance-ms MS]
                     [--compaction-interval-ms MS] [--compaction-grace-ms MS] [--merge-segments N] [--trim-after-entries N]
                     [--clustering-interval-ms MS] [--clustering-target-rows N]
                     [--gc-interval-ms MS] [--gc-tolerance-ms MS] [--auth] [--root-password PASSWORD] [--quota K=V,...]
                     [--tiered-storage K=V,...] [--json-shredding K=V,...]
      every actor in one process on embedded defaults (data in ./data, HTTP on 19530);
      the WAL keeps 26 h of history behind its newest checkpoint, a dropped collection's
      files are purged 10 min after the drop, sealed segments whose rows are a fifth
      deleted (deletes older than 10 s) are rewritten every minute (and four or more small
      ones of a partition merged), and segment files no record names are looked for
      hourly and removed after a day, unless told otherwise;
      --inspect-port PORT also serves the inspector page;
      --auth requires 'Authorization: Bearer <user>:<password>' on the HTTP API and checks
      privileges (root's first password: --root-password or NUTHATCH_ROOT_PASSWORD, default Milvus);
${QUOTA_USAGE.replace('coordinator: ', '').replace(', streaming nodes', '')}
${TIERED_STORAGE_USAGE.replace('query node: ', '')}
${JSON_SHREDDING_USAGE.replace('streaming, data and query nodes: ', '')}
  nuthatch inspect --nats URL [--port PORT] [--host HOST]
      the inspector page for a cluster (reads the inspection stream from NATS)
  ${REPLAY_USAGE}
  ${REPLICATE_USAGE}
  nuthatch node --role <coordinator|streaming-node|data-node|query-node|index-node|gateway> [options]
      one actor per process on NATS, etcd and S3 (see README)`;

function fail(msg: string): never {
  console.error(`nuthatch: ${msg}\n${USAGE}`);
  process.exit(2);
}

/** Node's argument parser throws a bare TypeError (unknown flag, dash-led value): say it as a usage error. */
function parseOrFail<T>(parse: () => T): T {
  try { return parse(); } catch (e) { return fail((e as Error).message); }
}

function walChoice(kind: string | undefined, dataDir: string, nats: string | undefined): WalChoice {
  switch (kind ?? 'local') {
    case 'local': return { kind: 'local', dir: resolve(dataDir, 'wal') };
    case 'object': return { kind: 'object' };
    case 'jetstream': return { kind: 'jetstream', natsUrl: nats ?? process.env.NUTHATCH_NATS ?? fail('--wal jetstream needs --nats URL') };
    default: return fail(`unknown WAL backend '${kind}' (local, object, jetstream)`);
  }
}

/** Stops cleanly on SIGTERM/SIGINT; a second signal exits at once. */
function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`[nuthatch] ${sig}: stopping`);
    stop().then(() => process.exit(0), (e) => { console.error('[nuthatch] stop failed:', e); process.exit(1); });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'standalone') {
    const { values } = parseOrFail(() => parseArgs({ args: rest, options: {
      'data-dir': { type: 'string', default: process.env.NUTHATCH_DATA_DIR ?? './data' },
      port: { type: 'string', default: process.env.NUTHATCH_PORT ?? '19530' },
      host: { type: 'string', default: process.env.NUTHATCH_HOST ?? '127.0.0.1' },
      wal: { type: 'string', default: process.env.NUTHATCH_WAL },
      nats: { type: 'string' },
      'segment-rows': { type: 'string' },
      'seal-idle-ms': { type: 'string' },
      'wal-retention-ms': { type: 'string', default: process.env.NUTHATCH_WAL_RETENTION_MS },
      'drop-tolerance-ms': { type: 'string', default: process.env.NUTHATCH_DROP_TOLERANCE_MS },
      'compaction-interval-ms': { type: 'string', default: process.env.NUTHATCH_COMPACTION_INTERVAL_MS },
      'compaction-grace-ms': { type: 'string', default: process.env.NUTHATCH_COMPACTION_GRACE_MS },
      'merge-segments': { type: 'string', default: process.env.NUTHATCH_MERGE_SEGMENTS },
      'trim-after-entries': { type: 'string', default: process.env.NUTHATCH_TRIM_AFTER_ENTRIES },
      'clustering-interval-ms': { type: 'string', default: process.env.NUTHATCH_CLUSTERING_INTERVAL_MS },
      'clustering-target-rows': { type: 'string', default: process.env.NUTHATCH_CLUSTERING_TARGET_ROWS },
      'gc-interval-ms': { type: 'string', default: process.env.NUTHATCH_GC_INTERVAL_MS },
      'gc-tolerance-ms': { type: 'string', default: process.env.NUTHATCH_GC_TOLERANCE_MS },
      'inspect-port': { type: 'string', default: process.env.NUTHATCH_INSPECT_PORT },
      auth: { type: 'boolean', default: process.env.NUTHATCH_AUTH === 'true' || process.env.NUTHATCH_AUTH === '1' },
      'root-password': { type: 'string', default: process.env.NUTHATCH_ROOT_PASSWORD },
      quota: { type: 'string', default: process.env.NUTHATCH_QUOTA },
      'tiered-storage': { type: 'string', default: process.env.NUTHATCH_TIERED_STORAGE },
      'json-shredding': { type: 'string', default: process.env.NUTHATCH_JSON_SHREDDING },
    } }));
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port '${values.port}'`);
    const dataDir = resolve(values['data-dir']!);
    const segment = {
      ...(values['segment-rows'] ? { maxRows: Number(values['segment-rows']) } : {}),
      ...(values['seal-idle-ms'] ? { idleMs: Number(values['seal-idle-ms']) } : {}),
    };
    let quota: QuotaDefaults = {};
    try { quota = parseQuotaDefaults(values.quota ?? ''); } catch (e) { fail((e as Error).message); }
    let tieredStorage: TieredStorageConfig | undefined;
    try { tieredStorage = parseTieredStorage(values['tiered-storage'] ?? ''); } catch (e) { fail((e as Error).message); }
    let jsonShredding: JsonShreddingConfig | undefined;
    try { jsonShredding = parseJsonShredding(values['json-shredding'] ?? ''); } catch (e) { fail((e as Error).message); }
    let keepMs: number | undefined, dropToleranceMs: number | undefined, compaction: ReturnType<typeof compactionMs> & ReturnType<typeof clusteringOf> & { mergeSegments?: number; trimAfterEntries?: number } = {}, orphans: ReturnType<typeof orphanSweepMs> = {};
    try {
      keepMs = retentionMs(values['wal-retention-ms']);
      dropToleranceMs = toleranceMs(values['drop-tolerance-ms']);
      compaction = { ...compactionMs(values['compaction-interval-ms'], values['compaction-grace-ms']), ...mergeSegmentsOf(values['merge-segments']), ...trimAfterEntriesOf(values['trim-after-entries']), ...clusteringOf(values['clustering-interval-ms'], values['clustering-target-rows']) };
      orphans = orphanSweepMs(values['gc-interval-ms'], values['gc-tolerance-ms']);
    } catch (e) { fail((e as Error).message); }
    const streaming = { segment: segment as never, ...(keepMs === undefined ? {} : { walRetention: retentionPolicy(keepMs) }),
      ...(quota.memoryHighWaterLevel === undefined ? {} : { memoryHighWaterLevel: quota.memoryHighWaterLevel }) };
    const inspectPort = values['inspect-port'] === undefined ? undefined : Number(values['inspect-port']);
    if (inspectPort !== undefined && (!Number.isInteger(inspectPort) || inspectPort < 0 || inspectPort > 65535)) fail(`bad --inspect-port '${values['inspect-port']}'`);
    const s = await startStandalone({ dataDir, port, host: values.host, wal: walChoice(values.wal, dataDir, values.nats), streaming, coordinator: { ...(dropToleranceMs === undefined ? {} : { dropToleranceMs }), compaction, orphans, quota: { defaults: quota } }, ...(inspectPort === undefined ? {} : { inspect: { port: inspectPort } }), auth: { enabled: values.auth === true, rootPassword: values['root-password'] }, tieredStorage, jsonShredding });
    onSignals(() => s.stop());
    return;
  }
  if (cmd === 'inspect') {
    const { runInspect } = await import('./inspect.js');
    await runInspect(rest, onSignals);
    return;
  }
  if (cmd === 'put-object') {
    const { runPutObject } = await import('./putObject.js');
    await runPutObject(rest, fail);
    return;
  }
  if (cmd === 'replay') {
    const { runReplay } = await import('./replay.js');
    await runReplay(rest);
    return;
  }
  if (cmd === 'replicate') {
    const { runReplicate } = await import('./replicate.js');
    await runReplicate(rest, onSignals, fail);
    return;
  }
  if (cmd === 'node') {
    const { runNode } = await import('./node.js' as string);
    await runNode(rest, onSignals);
    return;
  }
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') { console.log(USAGE); return; }
  fail(`unknown command '${cmd}'`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`[nuthatch] fatal: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
