import { schemaVersionProblem } from '../../../../messages/schemaVersion.js';
import { isType, type Check } from './check.js';

/**
 * A write's rows were shaped against the shard's current schema: an Insert or
 * Delete carrying a schema version older than the shard's last schema DDL is
 * refused (messages/schemaVersion.ts). Checked here, in TSO order with the DDL,
 * so a write stamped after a DDL is refused even if its writer read the record
 * a moment before the DDL was broadcast.
 */
export const schemaVersionCurrent: Check = (ctx, m) => {
  if (!isType(m, 'Insert') && !isType(m, 'Delete')) return null;
  return schemaVersionProblem(ctx.collection?.schemaTso, m.body.schemaVersion);
};
