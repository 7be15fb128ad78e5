/**
 * Starts a private nats-server: JetStream on, a temp store dir, max payload 8 MB
 * (as Milvus runs NATS), bound to 127.0.0.1 on a free port.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './ensureBinaries.js';
import { tcpGreets } from './probes.js';
import { startServer, type ServerHandle } from './serverHandle.js';

export const NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

/**
 * Starts nats-server with JetStream (installing the Debian package if missing).
 * The handle's dir holds the JetStream store (`jetstream/`), the config and the log.
 */
export async function startNats(opts: { auth?: { user: string; password: string } | { token: string } } = {}): Promise<ServerHandle> {
  const bin = ensureBinaries({ 'nats-server': 'nats-server' })['nats-server']!;
  return startServer({
    name: 'nats-server',
    dirTag: 'nats',
    ports: 1,
    url: (port) => `nats://127.0.0.1:${port}`,
    command: (dir, [port]) => {
      const conf = join(dir, 'nats.conf');
      writeFileSync(conf, `max_payload: ${NATS_MAX_PAYLOAD}\nmax_pending: ${8 * NATS_MAX_PAYLOAD}\n${authorization(opts.auth)}`);
      return { cmd: bin, args: ['-c', conf, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream')], log: 'nats.log' };
    },
    ready: ([port]) => tcpGreets(port, 'INFO'),
  });
}

/** A server that requires a user and password, or a token (the config's authorization block). */
function authorization(a: { user: string; password: string } | { token: string } | undefined): string {
  if (!a) return '';
  return 'token' in a ? `authorization { token: ${JSON.stringify(a.token)} }\n` : `authorization { user: ${JSON.stringify(a.user)}, password: ${JSON.stringify(a.password)} }\n`;
}
