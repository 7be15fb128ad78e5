import type { AdmissionSnapshot } from '../../../messages/admission.js';
import type { Bucket } from '../../shared/quota/tokenBucket.js';
import { admit, type AdmissionRequest, type Buckets, type Refusal } from './admission.js';

/**
 * Admission of a write made of several appends as one decision (Milvus's
 * proxy admits a request whole, before it is split by shard). A client whose
 * write spans several appends reserves it first on every owner it will reach;
 * each owner admits its whole part at once — force-deny, disk quota, rate —
 * and charges the buckets. If any owner refuses, the client releases the
 * others (their tokens are refunded) and writes nothing. The appends that
 * follow name the reservation and are admitted against what it holds.
 */
export interface Reservation {
  /** Bytes still covered per vchannel: an append within them passes without a second charge. */
  bytesLeft: Map<string, number>;
  /** What was taken from which bucket, refunded if the reservation is released. */
  charges: { key: string; cost: number; rate: number }[];
  expiresAtMs: number;
}

/** How long a reservation covers its appends: a write's whole deadline. */
export const RESERVATION_TTL_MS = 120_000;

export type ReserveVerdict =
  | { refusal: Refusal }
  | { refusal?: undefined; buckets: Map<string, Bucket>; reservation: Reservation };

/**
 * Admits every part, pure: all or none. Parts of one vchannel and kind are
 * summed first, so a bucket sees the part as one request (as one append of it
 * would be seen). On a refusal no bucket changes.
 */
export function reserve(snapshot: AdmissionSnapshot | undefined, buckets: Buckets, parts: readonly AdmissionRequest[], nowMs: number): ReserveVerdict {
  const summed = new Map<string, AdmissionRequest & { op: 'write' }>();
  const bytesLeft = new Map<string, number>();
  for (const p of parts) {
    if (p.op !== 'write') continue;
    const key = `${p.vchannel}/${p.kind}`;
    const s = summed.get(key);
    summed.set(key, s ? { ...s, bytes: s.bytes + p.bytes } : { ...p });
    bytesLeft.set(p.vchannel, (bytesLeft.get(p.vchannel) ?? 0) + p.bytes);
  }
  const work = new Map(buckets);
  const charges: Reservation['charges'] = [];
  for (const r of summed.values()) {
    const before = work.get(`${r.vchannel}/${r.kind}`);
    const v = admit(snapshot, work, r, nowMs);
    if (v.refusal) return { refusal: v.refusal };
    if (!v.bucket) continue;
    // The charge is what the bucket lost, refill included, so a refund never mints tokens.
    const rate = rateOf(snapshot, r);
    const was = before ? Math.min(rate, before.tokens + (rate * Math.max(0, nowMs - before.atMs)) / 1000) : rate;
    charges.push({ key: v.bucket.key, cost: was - v.bucket.bucket.tokens, rate });
    work.set(v.bucket.key, v.bucket.bucket);
  }
  const changed = new Map<string, Bucket>();
  for (const c of charges) changed.set(c.key, work.get(c.key)!);
  return { buckets: changed, reservation: { bytesLeft, charges, expiresAtMs: nowMs + RESERVATION_TTL_MS } };
}

/** The bucket after a released reservation's charge is given back: refilled to now, never over a second's worth. */
export function refund(b: Bucket, charge: { cost: number; rate: number }, nowMs: number): Bucket {
  const elapsed = Math.max(0, nowMs - b.atMs);
  const tokens = Math.min(charge.rate, b.tokens + (charge.rate * elapsed) / 1000 + charge.cost);
  return { tokens, atMs: Math.max(nowMs, b.atMs) };
}

/**
 * Whether an append of `bytes` on `vchannel` is covered by a live reservation;
 * if so it comes back with those bytes spent. An append beyond what was
 * reserved (or after it expired) is admitted as any other.
 */
export function spend(r: Reservation | undefined, vchannel: string, bytes: number, nowMs: number): Reservation | undefined {
  if (!r || nowMs >= r.expiresAtMs) return undefined;
  const left = r.bytesLeft.get(vchannel);
  if (left === undefined || bytes > left) return undefined;
  const bytesLeft = new Map(r.bytesLeft);
  bytesLeft.set(vchannel, left - bytes);
  return { ...r, bytesLeft };
}

function rateOf(snapshot: AdmissionSnapshot | undefined, r: AdmissionRequest & { op: 'write' }): number {
  const a = snapshot?.collections[String(r.collectionId)];
  const limit = a?.rates?.[r.kind] ?? 0;
  return limit / Math.max(1, a?.shards ?? 1);
}
