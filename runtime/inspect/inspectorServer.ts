/**
 * The inspector's HTTP server (node:http, no framework): the page and its static
 * files from playground/inspector, the current state as JSON, the machine graph,
 * a "replay to here" endpoint when the WAL is readable from this process, and
 * live events as Server-Sent Events. A client that falls more than `maxBuffered`
 * bytes behind is disconnected; its EventSource reconnects and starts again from
 * the current state (explicit backpressure rather than unbounded buffering).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Observable } from 'rxjs';
import { asNuthatchError } from '../../messages/errors.js';
import type { InspectEnvelope } from './events.js';
import { InspectorModel } from './InspectorModel.js';
import { toJson } from './json.js';
import { machineGraph } from './machineGraph.js';
import type { ReplayOptions, ReplayStep, ReplaySummary } from './replay.js';

export interface InspectorServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  events: Observable<InspectEnvelope>;
  /** Replays one pchannel of the WAL up to a point; absent when this process cannot read the WAL. */
  replay?: (pchannel: string, opts: ReplayOptions) => Promise<{ steps: ReplayStep[]; summary: ReplaySummary }>;
  maxBuffered?: number;
  log?: (...a: unknown[]) => void;
}

export interface InspectorServer {
  url: string;
  model: InspectorModel;
  close(): Promise<void>;
}

const PAGE_DIR = fileURLToPath(new URL('../../../playground/inspector/', import.meta.url));
const STATIC: Record<string, string> = {
  '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/diagram.js': 'diagram.js', '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** `?to-position=12&to-tso=...&vchannel=...` as replay options. */
function replayOptions(q: URLSearchParams): ReplayOptions {
  const o: ReplayOptions = {};
  const pos = q.get('to-position'), tso = q.get('to-tso'), v = q.get('vchannel');
  if (pos !== null && /^\d+$/.test(pos)) o.toPosition = Number(pos);
  if (tso !== null && /^\d+$/.test(tso)) o.toTso = BigInt(tso);
  if (v) o.vchannel = v;
  return o;
}

export async function startInspectorServer(o: InspectorServerOptions): Promise<InspectorServer> {
  const model = new InspectorModel();
  const clients = new Set<ServerResponse>();
  const maxBuffered = o.maxBuffered ?? 1024 * 1024;
  const graph = toJson(machineGraph());
  const sub = o.events.subscribe((env) => {
    model.apply(env);
    if (clients.size === 0) return;
    const frame = `event: inspect\ndata: ${toJson(env)}\n\n`;
    for (const res of clients) {
      if (res.writableLength > maxBuffered) { clients.delete(res); res.end(); continue; }
      res.write(frame);
    }
  });

  const sse = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 2000\nevent: state\ndata: ${toJson(model.snapshot())}\n\n`);
    clients.add(res);
    req.on('close', () => clients.delete(res));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://inspector');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    if (url.pathname === '/events') return sse(req, res);
    if (url.pathname === '/api/snapshot') return send(res, 200, 'application/json', toJson(model.snapshot()));
    if (url.pathname === '/api/machine') return send(res, 200, 'application/json', graph);
    if (url.pathname === '/api/replay') {
      const p = url.searchParams.get('pchannel');
      if (!o.replay) return send(res, 404, 'application/json', toJson({ error: 'this inspector cannot read the WAL (replay works next to a standalone)' }));
      if (!p) return send(res, 400, 'application/json', toJson({ error: 'pchannel is required' }));
      return send(res, 200, 'application/json', toJson(await o.replay(p, replayOptions(url.searchParams))));
    }
    const file = STATIC[url.pathname];
    if (!file) return send(res, 404, 'text/plain', 'not found\n');
    return send(res, 200, TYPES[file.split('.').pop()!]!, await readFile(PAGE_DIR + file));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      o.log?.('inspector request failed:', (e as Error).message);
      if (!res.headersSent) send(res, 500, 'application/json', toJson({ error: asNuthatchError(e).message }));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    model,
    async close() {
      sub.unsubscribe();
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
