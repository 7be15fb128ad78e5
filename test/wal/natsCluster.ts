/**
 * A three-server JetStream cluster on 127.0.0.1, for the jetstream WAL's
 * 'replicated' durability (num_replicas 3, ack after a quorum of two). Started by
 * the test that needs it; each server has its own store dir and log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries } from '../../runtime/devServices/ensureBinaries.js';
import { freePort } from '../../runtime/devServices/freePort.js';
import { spawnServer, stopProcess, waitUntilReady, type Spawned } from '../../runtime/devServices/serverProcess.js';
import { tcpGreets } from '../../runtime/devServices/probes.js';

export interface NatsCluster {
  urls: string[];
  /** SIGKILLs server i (a crash of its host, as far as the others can tell). */
  crash(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const bin = ensureBinaries({ 'nats-server': 'nats-server' })['nats-server']!;
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-natscluster-'));
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
  const procs: Spawned[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const conf = join(dir, `n${i}.conf`);
      writeFileSync(conf, [
        `server_name: n${i}`,
        `listen: 127.0.0.1:${ports[i]}`,
        'max_payload: 8MB',
        `jetstream { store_dir: "${join(dir, `n${i}`)}" }`,
        `cluster { name: nuthatch, listen: 127.0.0.1:${routes[i]}, routes: [${routes.filter((_, k) => k !== i).map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}] }`,
      ].join('\n'));
      procs.push(spawnServer(bin, ['-c', conf], join(dir, `n${i}.log`)));
    }
    await Promise.all(procs.map((p, i) => waitUntilReady(p, `nats-server n${i}`, () => tcpGreets(ports[i]!, 'INFO'))));
  } catch (e) {
    await Promise.allSettled(procs.map((p) => stopProcess(p)));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    urls: ports.map((p) => `nats://127.0.0.1:${p}`),
    crash: async (i) => { const p = procs[i]!; p.child.kill('SIGKILL'); await p.exited; },
    stop: async () => {
      await Promise.allSettled(procs.map((p) => stopProcess(p)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
