import type { CompareOp, Expr } from '../../../messages/filter/ast.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { partitionKeyField, type CollectionSchema, type FieldSchema } from '../../../messages/schema.js';
import { isScalarIndexType } from '../scalarIndex/scalarIndexTypes.js';
import { pinnedKeys } from './keyPruning.js';

/**
 * Milvus's partition key isolation (`partitionkey.isolation`): a collection's
 * sealed segments index their vectors per partition key value, so a search
 * must name one value of the key, and its rows are found in that value's
 * sub-index alone (runtime/vectorIndex/keyedIndex.ts). The rules here are
 * Milvus's (proxy exprutil.ValidatePartitionKeyIsolation), with its messages.
 */
export const ISOLATION_PROPERTY = 'partitionkey.isolation';

const NOT_FOUND = 'partition key not found in expr or the expr is invalid when validating partition key isolation';

/** Milvus's names of the comparison operators (planpb.OpType), which its refusals quote. */
const OP_NAMES: Record<CompareOp, string> = { '==': 'Equal', '!=': 'NotEqual', '<': 'LessThan', '<=': 'LessEqual', '>': 'GreaterThan', '>=': 'GreaterEqual' };

/** A filter that breaks the isolation rule: the message says which part (Milvus's wording). */
function refused(detail: string, key: FieldSchema): ValidationError {
  return new ValidationError(detail, { rule: ISOLATION_PROPERTY, field: key.name });
}

/**
 * Refuses a search filter (checked, or null: none) of an isolated collection
 * unless it pins the key with `key == value`, alone or as an operand of the
 * top-level `and`s. As Milvus: `in` (even of one value), `!=`, ranges, `not`
 * around the key and `or` beside it are refused by name; a filter that never
 * names the key is refused as "not found".
 */
export function checkIsolatedFilter(filter: Expr | null, key: FieldSchema): void {
  if (filter === null || !pinsKey(filter, key)) throw refused(NOT_FOUND, key);
}

/** Whether `e` pins the key by `==` (throws where the key appears in a form the rule refuses). */
function pinsKey(e: Expr, key: FieldSchema): boolean {
  switch (e.kind) {
    case 'and': return e.args.map((a) => pinsKey(a, key)).some(Boolean);
    case 'or':
      if (e.args.some((a) => pinsKey(a, key) || namesKey(a, key))) throw refused('partition key isolation does not support OR', key);
      return false;
    case 'not':
      if (pinsKey(e.arg, key) || namesKey(e.arg, key)) throw refused('partition key isolation does not support NOT', key);
      return false;
    case 'in':
      if (isKey(e.arg, key)) throw refused('partition key isolation does not support IN', key);
      return false;
    case 'compare': {
      const other = isKey(e.left, key) ? e.right : isKey(e.right, key) ? e.left : null;
      if (other === null) return false;
      if (e.op !== '==') throw refused(`partition key isolation does not support ${OP_NAMES[e.op]}`, key);
      // `key == 7`: a literal of the key's type; `key == other_field` pins nothing.
      return pinnedKeys(e, key) !== null;
    }
    default:
      if (namesKey(e, key)) throw refused(`partition key isolation does not support ${e.kind}`, key);
      return false;
  }
}

const isKey = (e: Expr, key: FieldSchema): boolean => e.kind === 'field' && e.name === key.name && e.path.length === 0;

/** Whether the key field appears anywhere in `e`. */
function namesKey(e: Expr, key: FieldSchema): boolean {
  if (isKey(e, key)) return true;
  for (const v of Object.values(e)) {
    if (Array.isArray(v)) { if (v.some((x) => isNode(x) && namesKey(x, key))) return true; }
    else if (isNode(v) && namesKey(v, key)) return true;
  }
  return false;
}

const isNode = (v: unknown): v is Expr => typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';

/**
 * The one key value a filter pins, which a keyed index searches alone; null
 * when it pins none, several, or (`key == 1 and key == 2`) an empty set.
 */
export function isolatedKey(filter: Expr | null, key: FieldSchema): number | string | null {
  const keys = filter ? pinnedKeys(filter, key) : null;
  return keys !== null && keys.size === 1 ? [...keys][0]! : null;
}

/** Refuses isolation on a schema without a partition key (Milvus's message and code 1100). */
export function checkIsolationSchema(collection: string, schema: CollectionSchema, on: boolean | undefined): void {
  if (on && !partitionKeyField(schema)) {
    throw new ValidationError(`partition key isolation mode is enabled but no partition key field is set. Please set the partition key first: illegal collection schema[collection=${collection}]`, { field: ISOLATION_PROPERTY });
  }
}

/**
 * Refuses turning isolation on or off while the collection has a vector
 * index: its files were built one way or the other (Milvus refuses the same,
 * and the index must be dropped first). Scalar indexes are no obstacle.
 */
export function checkIsolationChange(collection: string, indexes: ReadonlyArray<{ indexType: string }>, from: boolean, to: boolean): void {
  if (from === to) return;
  if (indexes.some((i) => !isScalarIndexType(i.indexType))) {
    throw new NuthatchError('FailedPrecondition', `can not alter partition key isolation mode if the collection already has a vector index. Please drop the index first: '${collection}'`, { field: ISOLATION_PROPERTY });
  }
}
