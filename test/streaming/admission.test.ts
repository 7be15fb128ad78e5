import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { admit, memoryDenial, writeRequest, type AdmissionRequest, type Buckets } from '../../actors/streaming-node/core/admission.js';
import type { AdmissionSnapshot, CollectionAdmission } from '../../messages/admission.js';
import { newMessage } from '../../messages/types.js';
import type { Bucket } from '../../actors/shared/quota/tokenBucket.js';

/** A streaming node's admission, pure: given the snapshot and the buckets, when a request comes, then admitted or refused (by which error). */

const MB = 1024 * 1024;
const snap = (c: CollectionAdmission): AdmissionSnapshot => ({ epoch: 1n, seq: 1, collections: { '7': c } });
const insert = (bytes: number, vchannel = 'dml_0_7v0'): AdmissionRequest => ({ op: 'write', vchannel, collectionId: 7, kind: 'insertMb', bytes });
const del = (bytes: number): AdmissionRequest => ({ op: 'write', vchannel: 'dml_0_7v0', collectionId: 7, kind: 'deleteMb', bytes });
const search = (nq: number): AdmissionRequest => ({ op: 'read', vchannel: 'dml_0_7v0', collectionId: 7, kind: 'searchVps', cost: nq });

/** Runs requests at `nowMs` against one set of buckets; the refusal codes, in order ('ok' when admitted). */
function run(s: AdmissionSnapshot | undefined, reqs: AdmissionRequest[], nowMs = 0, buckets = new Map<string, Bucket>()): string[] {
  return reqs.map((r) => {
    const v = admit(s, buckets as Buckets, r, nowMs);
    if (v.refusal) return v.refusal.code;
    if (v.bucket) buckets.set(v.bucket.key, v.bucket.bucket);
    return 'ok';
  });
}

test('no snapshot, or a collection it does not name: everything is admitted', () => {
  assert.equal(run(undefined, [insert(100 * MB), search(1000)]), ['ok', 'ok']);
  assert.equal(run({ epoch: 1n, seq: 1, collections: { '8': { shards: 1, denyWriting: true } } }, [insert(MB)]), ['ok']);
});

test('force deny writing refuses inserts and deletes but not reads; deny reading refuses reads only', () => {
  assert.equal(run(snap({ shards: 1, denyWriting: true }), [insert(1), del(1), search(1)]), ['ForceDenied', 'ForceDenied', 'ok']);
  const q: AdmissionRequest = { op: 'read', vchannel: 'dml_0_7v0', collectionId: 7, kind: 'queryQps', cost: 1 };
  assert.equal(run(snap({ shards: 1, denyReading: true }), [insert(1), search(1), q]), ['ok', 'ForceDenied', 'ForceDenied']);
});

test('a disk quota exceeded refuses inserts and upserts, never deletes (they bring it back)', () => {
  const s = snap({ shards: 1, quotaExceeded: 'too big' });
  const upsert: AdmissionRequest = { ...insert(1), kind: 'upsertMb' } as AdmissionRequest;
  assert.equal(run(s, [insert(1), upsert, del(1), search(1)]), ['QuotaExceeded', 'QuotaExceeded', 'ok', 'ok']);
  const v = admit(s, new Map(), insert(1), 0);
  assert.match(v.refusal!.message, /^quota exceeded: too big/, "Milvus's message text first");
});

test("a write rate is split over the collection's shards; each shard has its own bucket", () => {
  // 2 MB/s over 2 shards: 1 MB a second on each.
  const s = snap({ shards: 2, rates: { insertMb: 2 } });
  const buckets = new Map<string, Bucket>();
  assert.equal(run(s, [insert(0.6 * MB), insert(0.6 * MB)], 0, buckets), ['ok', 'RateLimited']);
  assert.equal(run(s, [insert(0.6 * MB, 'dml_1_7v1')], 0, buckets), ['ok'], 'the other shard is not charged');
  assert.equal(run(s, [insert(0.6 * MB)], 1000, buckets), ['ok'], 'refilled a second later');
  const refusal = admit(s, buckets, insert(0.6 * MB), 1000).refusal!;
  assert.match(refusal.message, /^rate limit exceeded: collection 7 allows 2 MB\/s \(collection\.insertRate\.max\.mb\)/);
  assert.is(refusal.details.kind, 'insertMb');
});

test('a read rate is whole on every shard, charged per query vector; rate 0 refuses', () => {
  const s = snap({ shards: 4, rates: { searchVps: 10 } });
  assert.equal(run(s, [search(6), search(4), search(1)]), ['ok', 'ok', 'RateLimited']);
  assert.equal(run(snap({ shards: 1, rates: { deleteMb: 0 } }), [del(1), insert(1)]), ['RateLimited', 'ok'], 'only the kind limited');
});

test('force deny is checked before the quota, the quota before the rate', () => {
  assert.equal(run(snap({ shards: 1, denyWriting: true, quotaExceeded: 'x', rates: { insertMb: 0 } }), [insert(1)]), ['ForceDenied']);
  assert.equal(run(snap({ shards: 1, quotaExceeded: 'x', rates: { insertMb: 0 } }), [insert(1)]), ['QuotaExceeded']);
});

test('a write request: an insert, a delete, or an upsert (a transaction holding both), at its size', () => {
  const ins = newMessage('Insert', 'dml_0_7v0', { collectionId: 7, partitionId: 1, segmentId: -1, rows: { count: 0, pks: [], columns: {} } as never });
  const dl = newMessage('Delete', 'dml_0_7v0', { collectionId: 7, partitionId: -1, pks: [1] });
  assert.equal(writeRequest([ins], 10), { op: 'write', vchannel: 'dml_0_7v0', collectionId: 7, kind: 'insertMb', bytes: 10 });
  assert.is(writeRequest([dl], 10)!.kind, 'deleteMb');
  assert.is(writeRequest([dl, ins], 10)!.kind, 'upsertMb');
  assert.is(writeRequest([newMessage('ManualFlush', 'dml_0_7v0', { collectionId: 7 })], 10), undefined, 'DDL and WAL messages are not limited');
});

test('memory over the high water level refuses inserts and upserts, not deletes or reads', () => {
  const upsert = { ...insert(1), kind: 'upsertMb' } as AdmissionRequest;
  assert.is(memoryDenial(insert(1), 0.95, 0.9)?.code, 'QuotaExceeded');
  assert.match(memoryDenial(upsert, 0.9, 0.9)!.message, /^quota exceeded: memory of streaming node at 90\.0%/);
  assert.is(memoryDenial(insert(1), 0.89, 0.9), undefined);
  assert.is(memoryDenial(del(1), 0.99, 0.9), undefined);
  assert.is(memoryDenial(search(1), 0.99, 0.9), undefined);
  assert.is(memoryDenial(insert(1), 0.99, undefined), undefined, 'off unless configured');
});

test.run();
