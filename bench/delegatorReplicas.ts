/**
 * Delegator replicas benchmark: search QPS and latency of a distributed cluster
 * (2 streaming nodes, each its own process) with one delegator per shard (the
 * pchannel owner) against two (owner + follower), on the same data in the same
 * run. Rows stay growing (no flush), so every search is answered by the
 * delegators themselves, which is the work replicas spread.
 *
 *   npm run bench -- delegatorReplicas [--rows 20000] [--dim 32] [--seconds 4] [--rounds 2] [--clients 8]
 *
 * Rounds alternate 1 and 2 replicas so load from other processes hits both
 * alike; each figure is the median over rounds. `ratio` = QPS with 2 / QPS with 1,
 * per consistency level. All processes share this machine's cores, so the ratio
 * shows the spread and the cost of the follower's owner round trip (Strong),
 * not the gain of separate machines. Writes bench/results/delegator-replicas.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NatsBus } from '../runtime/bus/natsBus.js';
import { NuthatchClient } from '../runtime/client/client.js';
import type { ConsistencyLevel } from '../runtime/client/api.js';
import { startCluster } from '../runtime/cluster/cluster.js';
import { startClusterServices } from '../runtime/cluster/services.js';
import { EtcdMeta } from '../runtime/meta/etcdMeta.js';
import { decodeValue } from '../messages/valueCodec.js';
import type { PchannelAssignment } from '../messages/rpc/records.js';
import { mulberry32 } from './support/dataset.js';
import { median, percentiles } from './support/percentiles.js';
import { printTable } from './support/table.js';

const NAME = 'bench_replicas';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
}

interface Pass { replicas: number; level: ConsistencyLevel; qps: number; p50Ms: number; p99Ms: number }

export default async function run(args: string[]): Promise<void> {
  const rows = option(args, 'rows', 20_000), dim = option(args, 'dim', 32), seconds = option(args, 'seconds', 4);
  const rounds = option(args, 'rounds', 2), clients = option(args, 'clients', 8);
  const services = await startClusterServices(`bench-${Date.now()}`);
  const cluster = await startCluster({ port: 0, services, args: ['--session-ttl-ms', '3000'] }).catch(async (e) => { await services.stop(); throw e; });
  const bus = await NatsBus.connect({ servers: services.nats, name: 'bench' });
  const meta = await EtcdMeta.connect({ hosts: services.etcd });
  try {
    const c = new NuthatchClient(bus);
    const rand = mulberry32(7);
    const vec = () => Array.from({ length: dim }, () => rand() * 2 - 1);
    await c.createCollection({
      collectionName: NAME, metricType: 'L2', shardsNum: 4,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vector', dataType: 'FloatVector', dim }] },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', indexType: 'FLAT', params: {} }], load: true,
    });
    for (let i = 0; i < rows; i += 2000) await c.insert(NAME, Array.from({ length: Math.min(2000, rows - i) }, (_, k) => ({ id: i + k, vector: vec() })));
    const queries = Array.from({ length: 64 }, vec);
    const pchannels = new Set((await c.describeCollection(NAME)).vchannels.map((v) => v.slice(0, v.lastIndexOf('_'))));
    const followersReady = async (want: number) => {
      for (let i = 0; i < 300; i++) {
        const list = (await meta.list('assign/')).map((e) => decodeValue(e.value) as unknown as PchannelAssignment);
        if (list.filter((a) => pchannels.has(a.pchannel)).every((a) => (a.followers ?? []).length === want)) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`followers did not reach ${want}`);
    };
    const pass = async (replicas: number, level: ConsistencyLevel): Promise<Pass> => {
      const lat: number[] = [];
      const end = performance.now() + seconds * 1000;
      let q = 0;
      await Promise.all(Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await c.search(NAME, { data: [queries[q++ % queries.length]!], limit: 10, consistencyLevel: level });
          lat.push(performance.now() - t0);
        }
      }));
      const [p50, p99] = percentiles(lat, [50, 99]);
      return { replicas, level, qps: lat.length / seconds, p50Ms: p50!, p99Ms: p99! };
    };
    const passes: Pass[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const replicas of [1, 2]) {
        await c.loadCollection(NAME, { replicas });
        await followersReady(replicas - 1);
        await c.search(NAME, { data: [queries[0]!], limit: 10, consistencyLevel: 'Strong' }); // warm
        for (const level of ['Strong', 'Bounded'] as const) passes.push(await pass(replicas, level));
      }
    }
    const summary = (['Strong', 'Bounded'] as const).map((level) => {
      const of = (n: number) => passes.filter((p) => p.level === level && p.replicas === n);
      const fig = (n: number) => ({ qps: median(of(n).map((p) => p.qps)), p50Ms: median(of(n).map((p) => p.p50Ms)), p99Ms: median(of(n).map((p) => p.p99Ms)) });
      const one = fig(1), two = fig(2);
      return { level, one, two, ratio: two.qps / one.qps };
    });
    console.log(`${rows} growing rows x ${dim}, 4 shards, ${clients} concurrent clients, ${seconds} s x ${rounds} rounds per case`);
    printTable(['level', 'QPS 1 delegator', 'QPS 2 delegators', 'ratio', 'p50 ms 1/2', 'p99 ms 1/2'], summary.map((s) => [
      s.level, s.one.qps.toFixed(0), s.two.qps.toFixed(0), s.ratio.toFixed(2),
      `${s.one.p50Ms.toFixed(1)} / ${s.two.p50Ms.toFixed(1)}`, `${s.one.p99Ms.toFixed(1)} / ${s.two.p99Ms.toFixed(1)}`,
    ]));
    const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}delegator-replicas.json`, JSON.stringify({ rows, dim, clients, seconds, rounds, summary, passes }, null, 2) + '\n');
  } finally {
    await bus.close().catch(() => {});
    await meta.close().catch(() => {});
    await cluster.stop();
    await services.stop();
  }
}
