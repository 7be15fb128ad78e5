/**
 * Inspection wiring for a process: publishers that actors emit through, and
 * optionally the inspector server reading the same bus. Standalone uses both;
 * a cluster node uses only publishers and `nuthatch inspect --nats` the server.
 */
import type { Bus } from '../ports/bus.js';
import type { WalBackend } from '../ports/walBackend.js';
import type { InspectHook } from './events.js';
import { startInspectorServer, type InspectorServer } from './inspectorServer.js';
import { Replayer, type ReplayOptions, type ReplayStep } from './replay.js';
import { createInspectPublisher, inspectStream, type InspectPublisher } from './transport.js';
import { readForReplay } from './walSource.js';

export interface InspectionOptions {
  bus: Bus;
  /** Serve the inspector page on this port (0: any free port); undefined: publish only. */
  port?: number;
  host?: string;
  /** A WAL this process can read: enables the page's "replay to here". */
  wal?: WalBackend;
  log?: (...a: unknown[]) => void;
}

export interface Inspection {
  /** The hook for one actor (NodeContext.inspect). */
  hookFor(actor: string, nodeId: string): InspectHook;
  server?: InspectorServer;
  close(): Promise<void>;
}

/** Most steps the replay endpoint returns (the last ones: those just before the stop point). */
const MAX_REPLAY_STEPS = 500;

/** Replays one pchannel of `wal` up to a point, keeping the last steps. */
export function walReplay(wal: WalBackend) {
  return async (pchannel: string, opts: ReplayOptions) => {
    const r = new Replayer(pchannel, opts);
    const steps: ReplayStep[] = [];
    for await (const x of readForReplay(wal, pchannel, opts.toPosition === undefined ? undefined : opts.toPosition + 1)) {
      const s = r.step(x);
      if (r.done) break;
      if (s) { steps.push(s); if (steps.length > MAX_REPLAY_STEPS * 2) steps.splice(0, steps.length - MAX_REPLAY_STEPS); }
    }
    return { steps: steps.slice(-MAX_REPLAY_STEPS), summary: r.summary() };
  };
}

export async function startInspection(o: InspectionOptions): Promise<Inspection> {
  const publishers: InspectPublisher[] = [];
  const server = o.port === undefined ? undefined : await startInspectorServer({
    port: o.port, host: o.host, events: inspectStream(o.bus), log: o.log, ...(o.wal ? { replay: walReplay(o.wal) } : {}),
  });
  if (server) o.log?.(`serving the inspector on ${server.url}`);
  return {
    server,
    hookFor(actor, nodeId) {
      const p = createInspectPublisher(o.bus, actor, nodeId);
      publishers.push(p);
      return p.hook;
    },
    async close() {
      for (const p of publishers) p.close();
      await server?.close();
    },
  };
}
