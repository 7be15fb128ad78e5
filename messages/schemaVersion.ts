import { NuthatchError } from './errors.js';
import type { Tso } from './types.js';

/**
 * Schema versions (Milvus's collection `update_timestamp` and the
 * `schema_timestamp` pymilvus sends with an insert). A collection's schema
 * version is the TSO of its last schema-changing DDL: AddCollectionField,
 * AlterCollectionField, DropCollectionField and the function DDL
 * (Add/Alter/DropCollectionFunction). A client shapes a write's rows against
 * the record it cached (defaults, function outputs, checks) and sends the
 * record's version with them; the shard, where DDL and writes meet in TSO
 * order, refuses a write whose version is older than its schema, so a write
 * racing a DDL is never folded with rows shaped by the schema before it.
 */

/**
 * Why a write shaped against `given` may not land on a shard whose schema last
 * changed at `current`, or null when it may. Either absent is no check: a
 * shard that saw no schema DDL (or a state saved before versions), and a
 * write without a version (WAL messages written before versions, replicated
 * writes, whose source already ordered them against its DDL).
 */
export function schemaVersionProblem(current: Tso | undefined, given: Tso | undefined): string | null {
  if (current === undefined || given === undefined || given >= current) return null;
  return `the rows were shaped against schema version ${given}, but the collection's schema changed at ${current}: describe the collection again and resend`;
}

/** Whether an error is a stale-schema refusal: the write wrote nothing and may be shaped again and resent. */
export function isSchemaMismatch(e: unknown): e is NuthatchError {
  return e instanceof NuthatchError && e.code === 'CollectionSchemaMismatch';
}
