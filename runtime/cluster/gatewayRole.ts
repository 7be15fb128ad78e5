import { NuthatchClient } from '../client/client.js';
import { createHttpGateway } from '../http/gateway.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { Bus } from '../ports/bus.js';
import { clusterReady } from './readiness.js';

/** How often the gateway re-checks the cluster for /healthz. */
const PROBE_MS = 1000;

/**
 * The gateway role: the HTTP API over a streaming client on the bus. It holds no
 * state of its own, so several may run behind a load balancer. /healthz answers
 * 200 while the coordinator and every pchannel's WAL answer; /metrics serves `metrics`.
 */
export async function startGateway(bus: Bus, o: { port: number; host: string; auth?: boolean }, log: (...a: unknown[]) => void, metrics?: MetricsRegistry) {
  // As Milvus's proxy: a REST caller gets the rate limit refusal (code 8) and backs off itself.
  const api = new NuthatchClient(bus, { retryOnRateLimit: false });
  let ready = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const probe = async (): Promise<void> => {
    const now = await clusterReady(bus);
    if (now !== ready) log(now ? 'cluster is ready' : 'cluster is not ready');
    ready = now;
    if (!stopped) timer = setTimeout(() => void probe(), PROBE_MS);
  };
  await probe();
  const http = await createHttpGateway(api, { port: o.port, host: o.host, isReady: () => ready && !stopped, log, metrics, rbac: api, auth: { enabled: o.auth === true } });
  log(`serving the HTTP API on ${http.url}`);
  return {
    url: http.url,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await http.close();
    },
  };
}
