#!/usr/bin/env node
/**
 * `npm run cluster -- --port PORT`: nats-server, etcd and s3rver on free local
 * ports with temp dirs, then every role as its own process (1 coordinator, 2
 * streaming nodes, 2 query nodes, 1 data node, 1 index node, 1 gateway serving
 * HTTP on PORT). Ready when GET /healthz answers 200; SIGTERM/SIGINT stop it all.
 */
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './cluster.js';
import { startClusterServices, type ClusterServices } from './services.js';

const USAGE = `usage: npm run cluster -- [--port PORT] [--host HOST] [--wal object|jetstream] [--verbose]
  starts NATS, etcd, an S3 server and one process per actor; HTTP on PORT (default 19530)`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    port: { type: 'string', default: process.env.NUTHATCH_PORT ?? '19530' },
    host: { type: 'string', default: '127.0.0.1' },
    wal: { type: 'string', default: 'object' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  } });
  if (values.help) { console.log(USAGE); return; }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`bad --port '${values.port}'\n${USAGE}`); process.exit(2); }
  if (values.wal !== 'object' && values.wal !== 'jetstream') { console.error(`--wal must be object or jetstream\n${USAGE}`); process.exit(2); }
  let cluster: Cluster | undefined;
  let services: ClusterServices | undefined;
  let stopping = false;
  const stop = async (sig: string): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`[cluster] ${sig}: stopping every node and server`);
    // Nodes still starting are killed when this process exits; the servers stop (and their temp dirs go) here.
    await cluster?.stop();
    await services?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  console.error('[cluster] starting nats-server, etcd and s3rver, then the nodes...');
  services = await startClusterServices();
  if (stopping) return;
  try {
    cluster = await startCluster({
      port, host: values.host, wal: values.wal, services,
      // JetStream on one dev server can only be unsynced (no replicas, nats-server 2.9).
      args: values.wal === 'jetstream' ? ['--jetstream-durability', 'unsynced'] : [],
      echo: values.verbose ? (id, line) => console.error(`[${id}] ${line}`) : undefined,
    });
  } catch (e) {
    await services.stop();
    throw e;
  }
  if (stopping) return;
  const s = cluster.services;
  console.error(`[cluster] nats ${s.nats}  etcd ${s.etcd}  s3 ${s.s3}/${s.bucket}`);
  console.error(`[cluster] nodes: ${[...cluster.nodes.values()].map((p) => `${p.id}(pid ${p.pid})`).join(' ')}`);
  console.error(`[cluster] logs in ${cluster.logDir}`);
  console.error(`[cluster] ready: ${cluster.url} (GET /healthz); Ctrl-C stops everything`);
}

main().catch((e) => {
  console.error(`[cluster] failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
