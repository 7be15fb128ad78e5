import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from './nodeOptions.js';
import { NodeProcess, type NodeSpec } from './nodeProcess.js';
import { startClusterServices, type ClusterServices, type ServiceEndpoints } from './services.js';

/** How a cluster is laid out and tuned. */
export interface ClusterOptions {
  /** Gateway HTTP port (0 = free). */
  port: number;
  host?: string;
  /** Servers to use; started (and stopped) by the cluster when absent. */
  services?: ServiceEndpoints;
  wal?: 'object' | 'jetstream';
  /** Nodes per role (default: the topology, see DEFAULT_TOPOLOGY). */
  topology?: Partial<Record<Role, number>>;
  /** Flags for every node (e.g. --session-ttl-ms) and per role. */
  args?: string[];
  roleArgs?: Partial<Record<Role, string[]>>;
  /** Where node logs go (default: a new temp dir). */
  logDir?: string;
  /** Each log line of every node, e.g. to print it. */
  echo?: (nodeId: string, line: string) => void;
}

/** 1 coordinator, 2 streaming nodes, 2 query nodes, 1 data node, 1 index node, 1 gateway. */
export const DEFAULT_TOPOLOGY: Record<Role, number> = {
  coordinator: 1, 'streaming-node': 2, 'query-node': 2, 'data-node': 1, 'index-node': 1, gateway: 1,
};

export interface Cluster {
  /** The first gateway's URL. */
  url: string;
  services: ServiceEndpoints;
  nodes: Map<string, NodeProcess>;
  logDir: string;
  /** Starts one more node (e.g. a standby coordinator) and waits until it has started. */
  addNode(role: Role, nodeId: string, args?: string[]): Promise<NodeProcess>;
  /** The nodes of one role, in start order. */
  byRole(role: Role): NodeProcess[];
  /** Stops every node (SIGTERM), then the servers the cluster started. */
  stop(): Promise<void>;
}

/**
 * Starts a cluster of `nuthatch node` processes (and the servers, unless given):
 * the coordinator first, then every other role at once; resolves when the
 * gateway's /healthz answers 200.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  NodeProcess.killAllOnExit();
  const logDir = o.logDir ?? await mkdtemp(join(tmpdir(), 'nuthatch-cluster-'));
  let owned: ClusterServices | undefined;
  const services = o.services ?? (owned = await startClusterServices());
  const env = { ...process.env, ...services.env };
  const common = ['--nats', services.nats, '--etcd', services.etcd, '--s3-endpoint', services.s3, '--bucket', services.bucket, '--wal', o.wal ?? 'object', ...(o.args ?? [])];
  const nodes = new Map<string, NodeProcess>();
  let gatewayPort = o.port;
  const specArgs = (role: Role): string[] => {
    const extra = o.roleArgs?.[role] ?? [];
    if (role !== 'gateway') return [...common, ...extra];
    // Only the first gateway gets the asked-for port; more gateways pick free ones.
    const port = gatewayPort;
    gatewayPort = 0;
    return [...common, '--port', String(port), '--host', o.host ?? '127.0.0.1', ...extra];
  };
  const spawnNode = (spec: NodeSpec): NodeProcess => {
    const p = new NodeProcess(spec, logDir, env, o.echo && ((l) => o.echo!(spec.nodeId, l)));
    nodes.set(spec.nodeId, p);
    return p;
  };
  const stopAll = async (): Promise<void> => {
    // Gateways and workers first, the coordinator last, so nobody waits on a missing leader.
    const order = (p: NodeProcess) => (p.spec.role === 'gateway' ? 0 : p.spec.role === 'coordinator' ? 2 : 1);
    for (const rank of [0, 1, 2]) await Promise.all([...nodes.values()].filter((p) => order(p) === rank).map((p) => p.stop()));
    await owned?.stop();
  };
  try {
    const topology = { ...DEFAULT_TOPOLOGY, ...o.topology };
    // The first coordinator leads; the others start once it does, as standbys.
    const coordinators: NodeProcess[] = [];
    for (let i = 1; i <= topology.coordinator; i++) {
      const c = spawnNode({ role: 'coordinator', nodeId: `coordinator-${i}`, args: specArgs('coordinator') });
      coordinators.push(c);
      if (i === 1) await c.ready;
    }
    const rest: NodeProcess[] = [];
    for (const role of ['streaming-node', 'query-node', 'data-node', 'index-node', 'gateway'] as const) {
      for (let i = 1; i <= topology[role]; i++) rest.push(spawnNode({ role, nodeId: `${role}-${i}`, args: specArgs(role) }));
    }
    await Promise.all([...coordinators.map((c) => c.started), ...rest.map((p) => p.ready)]);
    const gateway = rest.find((p) => p.spec.role === 'gateway');
    const url = gateway ? (await gatewayUrl(gateway)) : '';
    if (gateway) await waitHealthy(url, gateway);
    return {
      url, services, nodes, logDir,
      byRole: (role) => [...nodes.values()].filter((p) => p.spec.role === role),
      async addNode(role, nodeId, args = []) {
        const p = spawnNode({ role, nodeId, args: [...specArgs(role), ...args] });
        await p.started;
        return p;
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The gateway logs the URL it serves on (the port may have been picked free). */
async function gatewayUrl(p: NodeProcess): Promise<string> {
  const m = /serving the HTTP API on (\S+)/.exec(p.log());
  if (!m) throw new Error(`${p.id} did not say where it serves:\n${p.tail()}`);
  return m[1]!;
}

async function waitHealthy(url: string, gateway: NodeProcess, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (!gateway.running) throw new Error(`${gateway.id} exited:\n${gateway.tail()}`);
    if (Date.now() > deadline) throw new Error(`the cluster did not become healthy within ${limitMs} ms (logs in ${gateway.logFile})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
