import type { Observable } from 'rxjs';
import type { Fence } from '../../messages/fence.js';

/**
 * The metadata store port, shaped after etcd: a flat key space with revisions,
 * compare-and-swap on a key's modification revision, leases and prefix watches.
 * Adapters: embedded (runtime/meta/embeddedMeta.ts, file-backed) and etcd
 * (runtime/meta/etcdMeta.ts). Keys are strings; values are bytes.
 */
export interface MetaEntry {
  key: string;
  value: Uint8Array;
  /** The store revision at which this key was last modified (etcd mod_revision). */
  modRevision: number;
}

export interface MetaEvent {
  type: 'put' | 'delete';
  key: string;
  /** Absent on delete. */
  value?: Uint8Array;
  modRevision: number;
}

export interface Lease {
  readonly id: string;
  /** Ends the lease: every key attached to it is deleted. */
  revoke(): Promise<void>;
  /** Fires once if the lease is lost (keep-alive failed or expired). */
  readonly lost: Promise<void>;
}

export interface MetaStore {
  get(key: string): Promise<MetaEntry | undefined>;
  /** Every key with this prefix, sorted by key. */
  list(prefix: string): Promise<MetaEntry[]>;
  /**
   * Writes a key; returns its new modRevision. With `fence`, writes only while the
   * fence key is at its revision (one transaction), else throws StaleFence.
   */
  put(key: string, value: Uint8Array, opts?: { lease?: Lease; fence?: Fence }): Promise<number>;
  /**
   * Writes only if the key's modRevision equals `expectedRevision` (0 = the key must
   * be absent). Returns the new modRevision, or undefined when the compare failed.
   */
  compareAndSwap(key: string, expectedRevision: number, value: Uint8Array, opts?: { lease?: Lease }): Promise<number | undefined>;
  /** Deletes a key; with `fence`, only while the fence holds (else StaleFence). */
  delete(key: string, opts?: { fence?: Fence }): Promise<void>;
  /** Events for every change under the prefix after the call (not the current state). */
  watch(prefix: string): Observable<MetaEvent>;
  /** A lease kept alive by the adapter until revoked or lost. */
  grantLease(ttlMs: number): Promise<Lease>;
  /**
   * Campaigns for leadership of `name`; resolves once this caller leads. The
   * returned promise `lost` settles if leadership is lost.
   */
  campaign(name: string, candidate: string, ttlMs: number): Promise<{ resign(): Promise<void>; lost: Promise<void> }>;
  close(): Promise<void>;
}
