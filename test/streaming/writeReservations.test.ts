import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AdmissionRequest } from '../../actors/streaming-node/core/admission.js';
import { refund, reserve, RESERVATION_TTL_MS, spend } from '../../actors/streaming-node/core/writeReservations.js';
import type { AdmissionSnapshot, CollectionAdmission } from '../../messages/admission.js';
import type { Bucket } from '../../actors/shared/quota/tokenBucket.js';

/**
 * A write spanning several appends, admitted whole (Milvus admits a request
 * before splitting it): given the snapshot and the buckets, when its parts are
 * reserved, then all are charged or none, and its appends spend what it holds.
 */

const MB = 1024 * 1024;
const snap = (c: CollectionAdmission): AdmissionSnapshot => ({ epoch: 1n, seq: 1, collections: { '7': c } });
const part = (vchannel: string, bytes: number, kind: 'insertMb' | 'deleteMb' = 'insertMb'): AdmissionRequest => ({ op: 'write', vchannel, collectionId: 7, kind, bytes });

test('every part admitted: each bucket charged its summed part, the reservation holds the bytes per vchannel', () => {
  // 2 MB/s over 2 shards: 1 MB/s each.
  const v = reserve(snap({ shards: 2, rates: { insertMb: 2 } }), new Map(), [part('a', 0.25 * MB), part('a', 0.25 * MB), part('b', 0.5 * MB)], 0);
  assert.ok(!v.refusal);
  if (v.refusal) return;
  assert.equal([...v.buckets].map(([k, b]) => [k, b.tokens]).sort(), [['a/insertMb', 0.5], ['b/insertMb', 0.5]]);
  assert.equal([...v.reservation.bytesLeft].sort(), [['a', 0.5 * MB], ['b', 0.5 * MB]]);
  assert.equal(v.reservation.charges.map((c) => c.cost), [0.5, 0.5]);
  assert.is(v.reservation.expiresAtMs, RESERVATION_TTL_MS);
});

test('one part refused: the refusal comes back and no bucket is charged, not even the parts admitted before it', () => {
  const buckets = new Map<string, Bucket>([['b/insertMb', { tokens: -1, atMs: 0 }]]);
  const v = reserve(snap({ shards: 2, rates: { insertMb: 2 } }), buckets, [part('a', 0.5 * MB), part('b', 0.1 * MB)], 0);
  assert.is(v.refusal?.code, 'RateLimited');
  assert.equal([...buckets], [['b/insertMb', { tokens: -1, atMs: 0 }]], 'the buckets given are untouched');
  assert.is(reserve(snap({ shards: 2, denyWriting: true }), new Map(), [part('a', 1)], 0).refusal?.code, 'ForceDenied');
  assert.is(reserve(snap({ shards: 2, quotaExceeded: 'x' }), new Map(), [part('a', 1)], 0).refusal?.code, 'QuotaExceeded');
  assert.ok(!reserve(snap({ shards: 2, quotaExceeded: 'x' }), new Map(), [part('a', 1, 'deleteMb')], 0).refusal, 'deletes pass a disk quota, as one append would');
});

test('a collection without rules: admitted, nothing charged', () => {
  const v = reserve(undefined, new Map(), [part('a', 100 * MB), part('b', 100 * MB)], 0);
  assert.ok(!v.refusal && v.buckets.size === 0 && v.reservation.charges.length === 0);
});

test('appends spend the reservation per vchannel; past its bytes, on another vchannel or after it expires, an append is not covered', () => {
  const v = reserve(snap({ shards: 1, rates: { insertMb: 1 } }), new Map(), [part('a', 1000), part('b', 10)], 0);
  if (v.refusal) throw new Error('refused');
  const once = spend(v.reservation, 'a', 600, 5);
  assert.is(once?.bytesLeft.get('a'), 400);
  assert.is(v.reservation.bytesLeft.get('a'), 1000, 'the reservation given is not changed');
  assert.is(spend(once, 'a', 401, 5), undefined, 'more than is left');
  assert.is(spend(once, 'a', 400, 5)?.bytesLeft.get('a'), 0);
  assert.is(spend(v.reservation, 'c', 1, 5), undefined, 'a vchannel it does not name');
  assert.is(spend(v.reservation, 'a', 1, RESERVATION_TTL_MS), undefined, 'expired');
  assert.is(spend(undefined, 'a', 1, 0), undefined);
});

test('a refund gives the charge back, refilled to now and never over a second of tokens', () => {
  assert.equal(refund({ tokens: 0.25, atMs: 0 }, { cost: 0.5, rate: 1 }, 0), { tokens: 0.75, atMs: 0 });
  assert.equal(refund({ tokens: 0.25, atMs: 0 }, { cost: 0.5, rate: 1 }, 500), { tokens: 1, atMs: 500 }, 'refill and refund capped at the rate');
  assert.equal(refund({ tokens: -2, atMs: 100 }, { cost: 3, rate: 1 }, 50), { tokens: 1, atMs: 100 }, 'a clock stepping back mints nothing');
});

test.run();
