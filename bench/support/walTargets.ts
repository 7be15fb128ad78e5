/**
 * What the WAL benchmark can measure: one entry per backend, each with its own
 * raw baseline (the storage driven directly, with the same entry and batch sizes
 * as the groups the backend formed), measured in the same run. Another backend
 * joins by adding a factory here (object, jetstream).
 */
import type { WalBackend, WalWriter } from '../../runtime/ports/walBackend.js';
import { jetstreamWalTarget } from './walJetstream.js';
import { localWalTarget } from './walLocal.js';
import { objectWalTarget } from './walObject.js';

/** Storage for one measurement, opened fresh. */
export interface WalBenchStore {
  backend: WalBackend;
  /** Another backend over the same storage, as a restarted process sees it (for catch-up reads). */
  reopen(): Promise<WalBackend>;
  cleanup(): Promise<void>;
}

export interface WalBenchTarget {
  name: string;
  /** Why it cannot run here (a service missing), or undefined when it can. */
  unavailable(): string | undefined;
  open(): Promise<WalBenchStore>;
  /** How many entries and bytes the writer's group commits carried so far, if it says. */
  groupStats(w: WalWriter): { commits: number; bytes: number } | undefined;
  /**
   * The raw limit: `totalBytes` of `entryBytes` entries written straight to the
   * storage in batches of `batchEntries`, each batch made durable before the next.
   * Returns payload bytes per second. `inFlight` is the size case's appends in
   * flight (network targets keep as many requests in flight).
   */
  rawWrite(entryBytes: number, batchEntries: number, totalBytes: number, inFlight?: number): Promise<number | RawFigure>;
  /** One line saying how the raw limit of a size case is measured (printed with the figures). */
  rawNote?(entryBytes: number, inFlight: number): string;
  /**
   * The caller floor (optional): the benchmark's own callers driving the barest
   * durable writer of this storage, bytes per second (see walFloor.ts), for
   * the size cases where it means something (else undefined).
   */
  floorWrite?(entryBytes: number, totalBytes: number, inFlight: number): Promise<number | undefined>;
  /** The raw read limit of what the last store holds, bytes per second (optional). */
  rawRead?(store: WalBenchStore, pchannel: string): Promise<number>;
}

/**
 * A raw limit measured several ways: `bytesPerSec` is the one the ratio uses
 * (the best), `variants` all of them by name, for the report.
 */
export interface RawFigure { bytesPerSec: number; variants: Record<string, number> }

/** Targets by name. */
export const walTargets: Record<string, () => WalBenchTarget> = {
  local: localWalTarget,
  jetstream: jetstreamWalTarget,
  object: objectWalTarget,
};
