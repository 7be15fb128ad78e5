/**
 * `nuthatch inspect --nats URL`: the inspector page for a cluster. It reads the
 * inspection stream that nodes started with inspection on publish on NATS.
 */
import { parseArgs } from 'node:util';
import { NatsBus } from '../bus/natsBus.js';
import { startInspectorServer } from '../inspect/inspectorServer.js';
import { inspectStream } from '../inspect/transport.js';

export async function runInspect(args: string[], onSignals: (stop: () => Promise<void>) => void): Promise<void> {
  const { values } = parseArgs({ args, options: {
    nats: { type: 'string', default: process.env.NUTHATCH_NATS },
    port: { type: 'string', default: '19531' },
    host: { type: 'string', default: '127.0.0.1' },
  } });
  const port = Number(values.port);
  if (!values.nats || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: nuthatch inspect --nats URL [--port PORT] [--host HOST]');
    process.exit(2);
  }
  const bus = await NatsBus.connect({ servers: values.nats, name: 'nuthatch-inspector' });
  const server = await startInspectorServer({ port, host: values.host, events: inspectStream(bus), log: (...a) => console.error('[inspector]', ...a) });
  console.error(`[inspector] reading ${values.nats}; open ${server.url}`);
  onSignals(async () => { await server.close(); await bus.close(); });
}
