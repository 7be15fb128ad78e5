import { addedFieldProblem } from '../../../../messages/addedField.js';
import { alteredFieldProblem } from '../../../../messages/alteredField.js';
import { droppedFieldProblem } from '../../../../messages/droppedField.js';
import { addedFunctionProblem, alteredFunctionProblem, droppedFunctionProblem, sameFunction } from '../../../../messages/collectionFunctions.js';
import { rowsProblem, validateSchema } from '../../../../messages/schema.js';
import { structVectorOf } from '../../../../messages/structArray.js';
import { isType, own, type Check } from './check.js';

/** Runs a validator that may throw on malformed input and turns the throw into a reason. */
function reasonOf(run: () => string | null): string | null {
  try { return run(); } catch (e) { return e instanceof Error ? e.message : String(e); }
}

/**
 * Payloads fit the schema: CreateCollection's schema is valid, an Insert's rows
 * match it (dimension, types, primary keys), an index names one of its fields
 * (or, by a JSON path, a dynamic key).
 */
export const payloadMatchesSchema: Check = (ctx, m) => {
  if (isType(m, 'CreateCollection')) return reasonOf(() => { validateSchema(m.body.schema); return null; });
  if (isType(m, 'Insert')) {
    const schema = ctx.collection?.schema;
    return schema ? reasonOf(() => rowsProblem(schema, m.body.rows)) : null;
  }
  if (isType(m, 'AddCollectionField')) {
    const schema = ctx.collection?.schema;
    return schema ? addedFieldProblem(schema, m.body.field) : null;
  }
  if (isType(m, 'AlterCollectionField')) {
    const schema = ctx.collection?.schema;
    return schema ? alteredFieldProblem(schema, m.body.fieldName, m.body.params) : null;
  }
  if (isType(m, 'DropCollectionField')) {
    const schema = ctx.collection?.schema;
    return schema ? droppedFieldProblem(schema, Object.values(ctx.indexes), m.body.fieldName) : null;
  }
  if (isType(m, 'AddCollectionFunction')) {
    const schema = ctx.collection?.schema;
    return schema ? addedFunctionProblem(schema, Object.values(ctx.indexes), m.body.function) : null;
  }
  if (isType(m, 'AlterCollectionFunction')) {
    const schema = ctx.collection?.schema;
    return schema ? alteredFunctionProblem(schema, m.body.function) : null;
  }
  if (isType(m, 'DropCollectionFunction')) {
    const schema = ctx.collection?.schema;
    return schema ? droppedFunctionProblem(schema, Object.values(ctx.indexes), m.body.functionName) : null;
  }
  if (isType(m, 'CreateIndex')) {
    const field = m.body.index.fieldName, schema = ctx.collection?.schema;
    // A JSON path index of a dynamic key names the key, which lives in `$meta`.
    const dynamicKey = schema?.enableDynamicField === true && typeof m.body.index.params.json_path === 'string';
    // An index of a Struct's vector sub-field names it `chunks[text_vector]` (messages/structArray.ts).
    const subField = schema !== undefined && reasonOf(() => (structVectorOf(schema, field) ? null : 'no')) === null;
    return schema?.fields.some((f) => f.name === field) || dynamicKey || subField ? null : `index '${m.body.index.indexName}' names field '${field}', which the schema does not have`;
  }
  return null;
};

export const indexAlreadyExists: Check = (ctx, m) => {
  if (!isType(m, 'CreateIndex')) return null;
  const taken = own(ctx.indexes, m.body.index.indexName);
  return taken ? `index '${taken.indexName}' already exists (on field '${taken.fieldName}')` : null;
};

export const indexMustExist: Check = (ctx, m) =>
  isType(m, 'DropIndex') && own(ctx.indexes, m.body.indexName) === undefined ? `index '${m.body.indexName}' does not exist` : null;

/** A DropCollectionField of a field this shard already dropped: how a drop retried after a coordinator crash finds it done. */
export const fieldAlreadyDropped: Check = (ctx, m) =>
  isType(m, 'DropCollectionField') && ctx.collection?.schema.droppedFields?.includes(m.body.fieldName) === true ? `field '${m.body.fieldName}' was already dropped` : null;

/**
 * An AddCollectionField of a field this shard already holds, defined the same: how an add retried after a
 * coordinator crash (between the broadcast and the record) finds it done. One defined otherwise is PayloadMatchesSchema's.
 */
export const fieldAlreadyAdded: Check = (ctx, m) => {
  if (!isType(m, 'AddCollectionField')) return null;
  const had = ctx.collection?.schema.fields.find((f) => f.name === m.body.field.name);
  return had !== undefined && sameDefinition(had, m.body.field) ? `field '${had.name}' was already added` : null;
};

/** Two field definitions equal whatever their keys' order. */
function sameDefinition(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

/**
 * An AddCollectionFunction of a function this shard already holds, defined the same: how an add retried after a
 * coordinator crash (between the broadcast and the record) finds it done. One defined otherwise is PayloadMatchesSchema's.
 */
export const functionAlreadyAdded: Check = (ctx, m) => {
  if (!isType(m, 'AddCollectionFunction')) return null;
  const had = ctx.collection?.schema.functions?.find((f) => f.name === m.body.function?.name);
  return had !== undefined && sameFunction(had, m.body.function) ? `function '${had.name}' was already added` : null;
};

/**
 * A DropCollectionFunction of a function this shard does not hold: the coordinator sends one only for a function its
 * record holds, and the record holds only what every shard took, so a shard without it has dropped it already (a drop
 * retried after a coordinator crash between the broadcast and the record).
 */
export const functionAlreadyDropped: Check = (ctx, m) => {
  if (!isType(m, 'DropCollectionFunction')) return null;
  const schema = ctx.collection?.schema;
  return schema && !(schema.functions ?? []).some((f) => f.name === m.body.functionName) ? `function '${m.body.functionName}' was already dropped (or never added)` : null;
};
