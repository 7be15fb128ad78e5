/**
 * The HTTP black-box suite against the gateway over an in-memory api: proves
 * the gateway and the suite together before the standalone process exists.
 * (test/http/standalone.test.ts runs the same suite against the real system.)
 */
import { createHttpGateway } from '../../runtime/http/gateway.js';
import { httpBlackBox } from './blackbox.js';
import { MemoryApi } from './support/memoryApi.js';

httpBlackBox('gateway over the in-memory api', async () => {
  const gw = await createHttpGateway(new MemoryApi(), { port: 0 });
  return { url: gw.url, stop: () => gw.close() };
});
