import type { AdmissionSnapshot, RateKind } from '../../../messages/admission.js';
import type { AnyMessage } from '../../../messages/types.js';
import { fullBucket, take, type Bucket } from '../../shared/quota/tokenBucket.js';
import { forceDenial, type Refusal } from '../../shared/quota/forceDeny.js';

const MB = 1024 * 1024;

/** A request as admission sees it: which collection and shard, what kind, how big. */
export type AdmissionRequest =
  | { op: 'write'; vchannel: string; collectionId: number; kind: 'insertMb' | 'upsertMb' | 'deleteMb'; bytes: number }
  | { op: 'read'; vchannel: string; collectionId: number; kind: 'searchVps' | 'queryQps'; cost: number };

export type { Refusal };

/** Token buckets by `vchannel/kind`: one per shard this node serves, per request kind. */
export type Buckets = ReadonlyMap<string, Bucket>;

export type Verdict = { refusal: Refusal } | { refusal?: undefined; bucket?: { key: string; bucket: Bucket } };

const PROPERTY: Record<RateKind, string> = {
  insertMb: 'collection.insertRate.max.mb', upsertMb: 'collection.upsertRate.max.mb', deleteMb: 'collection.deleteRate.max.mb',
  searchVps: 'collection.searchRate.max.vps', queryQps: 'collection.queryRate.max.qps',
};
const UNIT: Record<RateKind, string> = { insertMb: 'MB/s', upsertMb: 'MB/s', deleteMb: 'MB/s', searchVps: 'vectors/s', queryQps: 'requests/s' };

/**
 * Admits or refuses one request at `nowMs`, pure: force-deny first (Milvus's
 * order), then the disk quota (inserts and upserts only: deletes are how a
 * collection gets back under it), then the rate. A write's rate is split
 * evenly over the collection's shards, each enforced where the shard is owned,
 * as a write is split over them; every read reaches every shard, so each shard
 * takes the whole read rate. The bucket to keep comes back with an admission.
 */
export function admit(snapshot: AdmissionSnapshot | undefined, buckets: Buckets, r: AdmissionRequest, nowMs: number): Verdict {
  const a = snapshot?.collections[String(r.collectionId)];
  if (!a) return {};
  const details = { collectionId: r.collectionId, vchannel: r.vchannel };
  const denied = forceDenial(snapshot, r.op, r.collectionId);
  if (denied) return { refusal: { ...denied, details: { ...denied.details, ...details } } };
  if (r.op === 'write' && r.kind !== 'deleteMb' && a.quotaExceeded) return { refusal: { code: 'QuotaExceeded', message: `quota exceeded: ${a.quotaExceeded}; writes are denied until it drops back (delete and compact) or the quota is raised`, details } };
  const limit = a.rates?.[r.kind];
  if (limit === undefined) return {};
  const rate = r.op === 'write' ? limit / Math.max(1, a.shards) : limit;
  const cost = r.op === 'write' ? r.bytes / MB : r.cost;
  const key = `${r.vchannel}/${r.kind}`;
  const t = take(buckets.get(key) ?? fullBucket(rate, nowMs), rate, cost, nowMs);
  if (t.admitted) return { bucket: { key, bucket: t.bucket } };
  return { refusal: { code: 'RateLimited', message: `rate limit exceeded: collection ${r.collectionId} allows ${limit} ${UNIT[r.kind]} (${PROPERTY[r.kind]}); retry later`, details: { ...details, kind: r.kind, limit, retryAfterMs: Number.isFinite(t.waitMs) ? t.waitMs : -1 } } };
}

/**
 * The write a client's append is, or none (DDL and the WAL's own messages are
 * not limited): an Insert, a Delete, or a transaction holding both (an upsert),
 * costed at its encoded size.
 */
export function writeRequest(messages: readonly AnyMessage[], bytes: number): AdmissionRequest | undefined {
  const dml = messages.filter((m) => m.header.type === 'Insert' || m.header.type === 'Delete');
  if (dml.length === 0) return undefined;
  const inserts = dml.some((m) => m.header.type === 'Insert'), deletes = dml.some((m) => m.header.type === 'Delete');
  const kind = inserts && deletes ? 'upsertMb' : inserts ? 'insertMb' : 'deleteMb';
  const first = dml[0]!;
  return { op: 'write', vchannel: first.header.vchannel, collectionId: (first.body as { collectionId: number }).collectionId, kind, bytes };
}

/**
 * Memory protection (Milvus's memProtection high water level): an insert or
 * upsert is refused while the node's memory is at or over `highWater` (a
 * fraction); deletes pass, as they free memory once compacted.
 */
export function memoryDenial(r: AdmissionRequest | undefined, usedFraction: number, highWater: number | undefined): Refusal | undefined {
  if (!r || r.op !== 'write' || r.kind === 'deleteMb' || highWater === undefined || usedFraction < highWater) return undefined;
  return { code: 'QuotaExceeded', message: `quota exceeded: memory of streaming node at ${(usedFraction * 100).toFixed(1)}%, over its high water level of ${(highWater * 100).toFixed(1)}%; writes are denied until it drops`, details: { collectionId: r.collectionId, vchannel: r.vchannel } };
}
