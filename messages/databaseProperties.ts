import { ValidationError } from './errors.js';

/**
 * The database properties nuthatch acts on, by Milvus's names: at most this
 * many collections (refused at create), the query-node replicas a load that
 * names none gives a collection, and writes or reads refused for every
 * collection of the database (Milvus's force-deny switches, checked where
 * requests enter: the client, which plays Milvus's proxy). Other keys are
 * kept and described only.
 */
export const DATABASE_PROPERTY = {
  maxCollections: 'database.max.collections',
  replicaNumber: 'database.replica.number',
  denyWriting: 'database.force.deny.writing',
  denyReading: 'database.force.deny.reading',
} as const;

export interface DatabasePolicy { maxCollections?: number; replicas?: number; denyWriting: boolean; denyReading: boolean }

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
  if ((key === DATABASE_PROPERTY.denyWriting || key === DATABASE_PROPERTY.denyReading) && !/^(true|false)$/i.test(value)) {
    throw new ValidationError(`${key} must be true or false, got '${value}'`, { field: `properties.${key}` });
  }
}

export function policyOf(properties: Readonly<Record<string, string>>): DatabasePolicy {
  const max = properties[DATABASE_PROPERTY.maxCollections], replicas = properties[DATABASE_PROPERTY.replicaNumber];
  const on = (k: string) => (properties[k] ?? '').toLowerCase() === 'true';
  return {
    ...(max === undefined ? {} : { maxCollections: Number(max) }), ...(replicas === undefined ? {} : { replicas: Number(replicas) }),
    denyWriting: on(DATABASE_PROPERTY.denyWriting), denyReading: on(DATABASE_PROPERTY.denyReading),
  };
}
