/**
 * Starts a private single-member etcd, bound to 127.0.0.1 on free client and peer
 * ports with a temp data dir.
 */
import { join } from 'node:path';
import { ensureBinaries } from './ensureBinaries.js';
import { httpGet } from './probes.js';
import { startServer, type ServerHandle } from './serverHandle.js';

/** Starts etcd (installing Debian's etcd-server if missing); the handle's url is the client URL. */
export async function startEtcd(): Promise<ServerHandle> {
  const bin = ensureBinaries({ etcd: 'etcd-server' }).etcd!;
  return startServer({
    name: 'etcd',
    dirTag: 'etcd',
    ports: 2,
    url: (client) => `http://127.0.0.1:${client}`,
    command: (dir, [client, peer]) => {
      const c = `http://127.0.0.1:${client}`;
      const p = `http://127.0.0.1:${peer}`;
      const args = [
        '--name', 'test', '--data-dir', join(dir, 'data'),
        '--listen-client-urls', c, '--advertise-client-urls', c,
        '--listen-peer-urls', p, '--initial-advertise-peer-urls', p,
        '--initial-cluster', `test=${p}`, '--initial-cluster-state', 'new',
        '--logger', 'zap', '--log-level', 'warn',
      ];
      return { cmd: bin, args, log: 'etcd.log' };
    },
    ready: async ([client]) => (await httpGet(`http://127.0.0.1:${client}/health`))?.body.includes('"true"') ?? false,
    dropOnRetry: 'data',
  });
}
