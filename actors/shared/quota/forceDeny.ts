import type { AdmissionSnapshot } from '../../../messages/admission.js';

/** Why a request was turned away: an error code of messages/errors.ts, its message and facts. */
export interface Refusal { code: 'ForceDenied' | 'QuotaExceeded' | 'RateLimited'; message: string; details: Record<string, unknown> }

/**
 * The refusal of a write or read of a collection whose database is force
 * denied (Milvus's database.force.deny.writing / .reading), or none. Pure:
 * shared by the streaming node (every request it admits) and the query node
 * (reads sent to it directly).
 */
export function forceDenial(snapshot: AdmissionSnapshot | undefined, op: 'write' | 'read', collectionId: number): Refusal | undefined {
  const a = snapshot?.collections[String(collectionId)];
  if (op === 'write' && a?.denyWriting) return { code: 'ForceDenied', message: `force deny: writing to collection ${collectionId} is denied (database.force.deny.writing is true)`, details: { collectionId } };
  if (op === 'read' && a?.denyReading) return { code: 'ForceDenied', message: `force deny: reading collection ${collectionId} is denied (database.force.deny.reading is true)`, details: { collectionId } };
  return undefined;
}
