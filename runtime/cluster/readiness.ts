import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import type { Bus } from '../ports/bus.js';
import { client } from '../rpc/typedBus.js';

/**
 * Whether the cluster can serve: the coordinator answers, and every pchannel has
 * an owner whose WAL answers. Used by the gateway's /healthz.
 */
export async function clusterReady(bus: Bus, timeoutMs = 2000): Promise<boolean> {
  try {
    const a = await client<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT)('assignments', {}, timeoutMs);
    if (a.pchannels.length === 0) return false;
    await Promise.all(a.pchannels.map((p) => client<StreamingProtocol>(bus, streamingSubject(p.pchannel))('status', {}, timeoutMs)));
    return true;
  } catch {
    return false;
  }
}
