import { ValidationError } from './errors.js';
import { isTimeZone } from './timestamptz.js';

/**
 * The database properties nuthatch acts on, by Milvus's names: at most this
 * many collections (refused at create), the query-node replicas a load that
 * names none gives a collection and the resource groups it puts them in, and writes or reads refused for every
 * collection of the database (Milvus's force-deny switches: the client
 * checks them, and the streaming nodes enforce them whatever a client does,
 * messages/admission.ts), and a disk quota over the database's collections.
 * Other keys are kept and described only.
 */
export const DATABASE_PROPERTY = {
  maxCollections: 'database.max.collections',
  replicaNumber: 'database.replica.number',
  /** The resource groups (comma-separated) a load that names none puts the replicas in. */
  resourceGroups: 'database.resource_groups',
  denyWriting: 'database.force.deny.writing',
  denyReading: 'database.force.deny.reading',
  /** Stored MB of the database's collections past which their writes are refused (messages/admission.ts). */
  diskQuotaMb: 'database.diskQuota.mb',
  /** The zone of Timestamptz fields of collections that name none (messages/timestamptzFields.ts). */
  timezone: 'timezone',
} as const;

export interface DatabasePolicy { maxCollections?: number; replicas?: number; resourceGroups?: string[]; denyWriting: boolean; denyReading: boolean; timezone?: string; diskQuotaMb?: number }

/** Refuses a known property with a value it cannot take. */
export function checkKnownProperty(key: string, value: string): void {
  if (key === DATABASE_PROPERTY.maxCollections) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new ValidationError(`${key} must be a positive integer, got '${value}'`, { field: `properties.${key}` });
  }
  if (key === DATABASE_PROPERTY.replicaNumber) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > 16) throw new ValidationError(`${key} must be an integer in 1..16, got '${value}'`, { field: `properties.${key}` });
  }
  if (key === DATABASE_PROPERTY.diskQuotaMb && !(value.trim() !== '' && Number.isFinite(Number(value)) && Number(value) >= 0)) {
    throw new ValidationError(`${key} must be a number >= 0 (MB), got '${value}'`, { field: `properties.${key}` });
  }
  if (key === DATABASE_PROPERTY.timezone && !isTimeZone(value)) throw new ValidationError(`${key} must be an IANA time zone (such as 'Asia/Shanghai' or 'UTC'), got '${value}'`, { field: `properties.${key}` });
  if ((key === DATABASE_PROPERTY.denyWriting || key === DATABASE_PROPERTY.denyReading) && !/^(true|false)$/i.test(value)) {
    throw new ValidationError(`${key} must be true or false, got '${value}'`, { field: `properties.${key}` });
  }
}

export function policyOf(properties: Readonly<Record<string, string>>): DatabasePolicy {
  const max = properties[DATABASE_PROPERTY.maxCollections], replicas = properties[DATABASE_PROPERTY.replicaNumber];
  const on = (k: string) => (properties[k] ?? '').toLowerCase() === 'true';
  const tz = properties[DATABASE_PROPERTY.timezone], quota = properties[DATABASE_PROPERTY.diskQuotaMb];
  const groups = (properties[DATABASE_PROPERTY.resourceGroups] ?? '').split(',').map((g) => g.trim()).filter((g) => g.length > 0);
  return {
    ...(groups.length === 0 ? {} : { resourceGroups: groups }),
    ...(quota === undefined ? {} : { diskQuotaMb: Number(quota) }),
    ...(max === undefined ? {} : { maxCollections: Number(max) }), ...(replicas === undefined ? {} : { replicas: Number(replicas) }),
    ...(tz === undefined ? {} : { timezone: tz }),
    denyWriting: on(DATABASE_PROPERTY.denyWriting), denyReading: on(DATABASE_PROPERTY.denyReading),
  };
}
