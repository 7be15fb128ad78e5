import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { DB_NAME, readCollectionName } from './common.js';
import { JsonReader } from './JsonReader.js';
import { parseFunction } from './parseSchema.js';

/**
 * Bodies of the collection function routes (Milvus 2.6's add/alter/drop_collection_function;
 * Milvus's RESTful v2 documents no routes for them, so nuthatch names them as its field routes:
 * collections/functions/add, alter, drop). What the function names is checked by the coordinator.
 */

/** functions/add: `{dbName?, collectionName, function: {name, type, inputFieldNames, outputFieldNames, params?}}`. */
export function parseAddFunction(body: unknown): { collectionName: string; function: FunctionSchema } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'function']);
  return { collectionName: readCollectionName(r), function: parseFunction(r.required('function'), 'function') };
}

/** functions/alter: `{dbName?, collectionName, functionName?, function}`: the function of that name takes the new definition. */
export function parseAlterFunction(body: unknown): { collectionName: string; functionName?: string; function: FunctionSchema } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'functionName', 'function']);
  const collectionName = readCollectionName(r);
  const functionName = r.has('functionName') ? r.str('functionName') : undefined;
  return { collectionName, ...(functionName === undefined ? {} : { functionName }), function: parseFunction(r.required('function'), 'function') };
}

/** functions/drop: `{dbName?, collectionName, functionName}`. */
export function parseDropFunction(body: unknown): { collectionName: string; functionName: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'functionName']);
  return { collectionName: readCollectionName(r), functionName: r.str('functionName') };
}
