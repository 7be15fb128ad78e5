import { isNewer, type AdmissionSnapshot } from '../../../messages/admission.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { Bucket } from '../../shared/quota/tokenBucket.js';
import { admit, type AdmissionRequest } from '../core/admission.js';
import { refund, reserve, spend, type Reservation } from '../core/writeReservations.js';

/**
 * A streaming node's admission of client requests (core/admission.ts): the
 * newest snapshot the coordinator published (messages/admission.ts) and the
 * token buckets of the shards served here. A refusal is thrown as its typed
 * error before anything is stamped, so a refused write writes nothing.
 */
export class AdmissionGate {
  private snapshot?: AdmissionSnapshot;
  private readonly buckets = new Map<string, Bucket>();
  /** Writes admitted whole ahead of their appends (core/writeReservations.ts), by the client's reservation id. */
  private readonly reservations = new Map<string, Reservation>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Keeps `s` if it is newer than the one held (events may cross an answer to the start-up ask). */
  offer(s: AdmissionSnapshot): void {
    if (isNewer(s, this.snapshot)) this.snapshot = s;
  }

  /**
   * Throws ForceDenied, QuotaExceeded or RateLimited, or charges the request's
   * bucket. A write covered by its reservation was admitted when it was
   * reserved: it passes and spends the reservation (true comes back).
   */
  check(r: AdmissionRequest | undefined, reservation?: string): boolean {
    if (!r) return false;
    const now = this.now();
    if (reservation !== undefined && r.op === 'write') {
      const left = spend(this.reservations.get(reservation), r.vchannel, r.bytes, now);
      if (left) { this.reservations.set(reservation, left); return true; }
    }
    const v = admit(this.snapshot, this.buckets, r, now);
    if (v.refusal) throw new NuthatchError(v.refusal.code, v.refusal.message, v.refusal.details);
    if (v.bucket) this.buckets.set(v.bucket.key, v.bucket.bucket);
    return false;
  }

  /**
   * Admits a whole write ahead of its appends, or throws the first refusal
   * (charging nothing). `extra` runs the node's own checks (memory) first.
   * Reserving an id again replaces nothing: the first reservation stands.
   */
  reserve(id: string, parts: readonly AdmissionRequest[], extra?: () => void): void {
    const now = this.now();
    this.prune(now);
    if (this.reservations.has(id)) return;
    extra?.();
    const v = reserve(this.snapshot, this.buckets, parts, now);
    if (v.refusal) throw new NuthatchError(v.refusal.code, v.refusal.message, v.refusal.details);
    for (const [k, b] of v.buckets) this.buckets.set(k, b);
    this.reservations.set(id, v.reservation);
  }

  /** Gives a reservation's tokens back (the write it was for will not be made). */
  release(id: string): void {
    const r = this.reservations.get(id);
    if (!r) return;
    this.reservations.delete(id);
    const now = this.now();
    for (const c of r.charges) {
      const b = this.buckets.get(c.key);
      if (b) this.buckets.set(c.key, refund(b, c, now));
    }
  }

  private prune(now: number): void {
    for (const [id, r] of this.reservations) if (now >= r.expiresAtMs) this.reservations.delete(id);
  }
}
