import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { Caller } from '../../../runtime/rpc/typedBus.js';
import type { PchannelWal } from './pchannelWal.js';

export interface StreamingConfig {
  /** Time tick period. */
  tickMs: number;
  checkpointMs: number;
  segment: { maxBytes: number; maxRows?: number; idleMs: number; lifetimeMs: number };
}

export const DEFAULT_STREAMING_CONFIG: StreamingConfig = {
  tickMs: 200,
  checkpointMs: 10_000,
  segment: { maxBytes: 64 * 1024 * 1024, idleMs: 600_000, lifetimeMs: 24 * 3600_000 },
};

/** What a pchannel WAL needs from the node that hosts it. */
export interface NodeContext {
  nodeId: string;
  log: (...a: unknown[]) => void;
  config: StreamingConfig;
  coordinator: Caller<CoordinatorProtocol>;
  objects: ObjectStore;
  allocId(): Promise<number>;
  dispatchFlush(wal: PchannelWal, vchannel: string, segmentId: number): void;
  reportFlushed(wal: PchannelWal, vchannel: string, segmentId: number): Promise<void>;
  walFailed(wal: PchannelWal): void;
}
