import type { AdmissionRates, CollectionAdmission, QuotaDefaults } from '../../../messages/admission.js';
import type { DatabasePolicy } from '../../../messages/databaseProperties.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import type { CollectionSchema } from '../../../messages/schema.js';
import { sizingDim } from '../../shared/segment/segmentSize.js';

const MB = 1024 * 1024;

/** A collection and the policy of its database. */
export interface QuotaInput { record: CollectionRecord; db: { name: string; policy: DatabasePolicy } }

/**
 * A row's stored bytes, estimated as segments are sized (its dense vectors plus
 * ~64 bytes of scalars): the catalogue keeps row counts, not file sizes.
 */
export function rowBytes(schema: CollectionSchema): number {
  return sizingDim(schema) * 4 + 64;
}

/** Stored bytes by collection id: the flushed segments' rows (growing data is not stored yet, as in Milvus). */
export function storedBytes(inputs: readonly QuotaInput[], segments: Iterable<SegmentRecord>): Map<number, number> {
  const width = new Map(inputs.map((i) => [i.record.collectionId, rowBytes(i.record.schema)]));
  const out = new Map<number, number>();
  for (const s of segments) {
    const w = width.get(s.collectionId);
    if (w !== undefined) out.set(s.collectionId, (out.get(s.collectionId) ?? 0) + s.rows * w);
  }
  return out;
}

const mb = (bytes: number) => (bytes / MB).toFixed(3);

/**
 * Milvus's QuotaCenter decision, pure: for each collection, its database's
 * force-deny switches, whether a disk quota is exceeded (the collection's
 * `collection.diskProtection.diskQuota.mb`, else the cluster's per-collection
 * default; its database's `database.diskQuota.mb`; the cluster's total), and
 * its rates (the collection's properties, else the cluster's defaults).
 * Collections with nothing to enforce are left out.
 */
export function decideAdmission(inputs: readonly QuotaInput[], stored: ReadonlyMap<number, number>, defaults: QuotaDefaults): Record<string, CollectionAdmission> {
  const byDb = new Map<string, number>();
  let total = 0;
  for (const { record, db } of inputs) {
    const b = stored.get(record.collectionId) ?? 0;
    byDb.set(db.name, (byDb.get(db.name) ?? 0) + b);
    total += b;
  }
  const out: Record<string, CollectionAdmission> = {};
  for (const { record: r, db } of inputs) {
    const bytes = stored.get(r.collectionId) ?? 0;
    const own = r.diskQuotaMb ?? defaults.diskQuotaPerCollectionMb;
    const dbBytes = byDb.get(db.name) ?? 0;
    const quotaExceeded =
      own !== undefined && bytes > own * MB ? `collection '${r.name}' stores ${mb(bytes)} MB, over its disk quota of ${own} MB`
      : db.policy.diskQuotaMb !== undefined && dbBytes > db.policy.diskQuotaMb * MB ? `database '${db.name}' stores ${mb(dbBytes)} MB, over its disk quota (database.diskQuota.mb) of ${db.policy.diskQuotaMb} MB`
      : defaults.diskQuotaMb !== undefined && total > defaults.diskQuotaMb * MB ? `the cluster stores ${mb(total)} MB, over its disk quota of ${defaults.diskQuotaMb} MB`
      : undefined;
    const rates = ratesOf(r, defaults);
    const a: CollectionAdmission = {
      shards: r.shards,
      ...(db.policy.denyWriting ? { denyWriting: true } : {}), ...(db.policy.denyReading ? { denyReading: true } : {}),
      ...(quotaExceeded ? { quotaExceeded } : {}), ...(Object.keys(rates).length ? { rates } : {}),
    };
    if (Object.keys(a).length > 1) out[String(r.collectionId)] = a;
  }
  return out;
}

function ratesOf(r: CollectionRecord, d: QuotaDefaults): AdmissionRates {
  const pick = (own: number | undefined, dflt: number | undefined) => own ?? dflt;
  const all: AdmissionRates = {
    insertMb: pick(r.insertRateMaxMb, d.insertMb), upsertMb: pick(r.upsertRateMaxMb, d.upsertMb), deleteMb: pick(r.deleteRateMaxMb, d.deleteMb),
    searchVps: pick(r.searchRateMaxVps, d.searchVps), queryQps: pick(r.queryRateMaxQps, d.queryQps),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as AdmissionRates;
}
