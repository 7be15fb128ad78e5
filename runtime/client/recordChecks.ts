import { NuthatchError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { resolveTimezone } from '../../messages/timestamptzFields.js';

/** Rules every request applies to the collection record it reached. */

export /** The zone of a request's Timestamptz values: its own `timezone`, the collection's, the database's, else UTC. */
function timezoneOf(r: CollectionRecord, asked?: string): string {
  return resolveTimezone({ tz: asked, from: 'timezone' }, { tz: r.timezone, from: 'collection property timezone' }, { tz: r.dbTimezone, from: 'database property timezone' });
}

export /** Refuses a request its database's force-deny switch turns away (messages/databaseProperties.ts), as Milvus's proxy does. */
function refuseDenied(r: CollectionRecord, what: 'writing' | 'reading'): void {
  if (r.denied?.[what]) throw new NuthatchError('ForceDenied', `database '${r.dbName ?? 'default'}' is force denied ${what} (database.force.deny.${what} is true)`, { database: r.dbName ?? 'default', collection: r.name });
}
