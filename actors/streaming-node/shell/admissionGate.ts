import { isNewer, type AdmissionSnapshot } from '../../../messages/admission.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { Bucket } from '../../shared/quota/tokenBucket.js';
import { admit, type AdmissionRequest } from '../core/admission.js';

/**
 * A streaming node's admission of client requests (core/admission.ts): the
 * newest snapshot the coordinator published (messages/admission.ts) and the
 * token buckets of the shards served here. A refusal is thrown as its typed
 * error before anything is stamped, so a refused write writes nothing.
 */
export class AdmissionGate {
  private snapshot?: AdmissionSnapshot;
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Keeps `s` if it is newer than the one held (events may cross an answer to the start-up ask). */
  offer(s: AdmissionSnapshot): void {
    if (isNewer(s, this.snapshot)) this.snapshot = s;
  }

  /** Throws ForceDenied, QuotaExceeded or RateLimited, or charges the request's bucket. */
  check(r: AdmissionRequest | undefined): void {
    if (!r) return;
    const v = admit(this.snapshot, this.buckets, r, this.now());
    if (v.refusal) throw new NuthatchError(v.refusal.code, v.refusal.message, v.refusal.details);
    if (v.bucket) this.buckets.set(v.bucket.key, v.bucket.bucket);
  }
}
