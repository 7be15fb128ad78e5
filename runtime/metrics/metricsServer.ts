import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../http/serverLifecycle.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import type { MetricsRegistry } from './registry.js';

/** Where scrapers read the metrics, on the gateway and on a node's metrics port alike. */
export const METRICS_PATH = '/metrics';

/** Answers a request for METRICS_PATH: GET (or HEAD) gets every metric of `registry`. */
export function respondWithMetrics(req: IncomingMessage, res: ServerResponse, registry: MetricsRegistry): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${METRICS_PATH} takes GET\n`);
    return;
  }
  const text = registry.render();
  res.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export interface MetricsServer { url: string; close(): Promise<void> }

/** A server for METRICS_PATH alone: a `nuthatch node` process's `--metrics-port`. */
export async function startMetricsServer(registry: MetricsRegistry, o: { port: number; host: string }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === METRICS_PATH) return respondWithMetrics(req, res, registry);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`only ${METRICS_PATH} is served here\n`);
  });
  const url = await listen(server, o.port, o.host);
  return { url, close: () => closeServer(server) };
}
