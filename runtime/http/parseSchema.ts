import { DataType, ELEMENT_TYPES, isPackedVectorType, LIMITS, STRUCT_SUBFIELD_TYPES, ValidationError, type CollectionSchema, type DefaultValue, type ElementType, type FieldSchema, type FunctionSchema, type StructSubField } from '../../messages/index.js';
import { describe, JsonReader } from './JsonReader.js';
import { warmupValue } from '../../messages/collectionProperties.js';
import { boolParam, intParam } from './common.js';

const SCHEMA_KEYS = ['autoId', 'autoID', 'enableDynamicField', 'fields', 'description', 'functions'] as const;
const FUNCTION_KEYS = ['name', 'type', 'inputFieldNames', 'outputFieldNames', 'description', 'params'] as const;
const FIELD_KEYS = [
  'fieldName', 'dataType', 'isPrimary', 'elementTypeParams', 'nullable', 'defaultValue', 'description', 'elementDataType',
  'isPartitionKey', 'isClusteringKey',
  // An Array of Structs: its sub-fields, and max_capacity in typeParams as Milvus's struct fields also take it.
  'fields', 'typeParams',
] as const;
const TYPE_PARAM_KEYS = ['dim', 'max_length', 'max_capacity', 'enable_analyzer', 'analyzer_params', 'multi_analyzer_params', 'warmup'] as const;
const UNSUPPORTED_TYPE_PARAMS = ['enable_match', 'mmap_enabled'] as const;

/**
 * Parses the `schema` object of a custom collection setup into a CollectionSchema:
 * `{autoId, enableDynamicField, fields: [{fieldName, dataType, elementDataType,
 * isPrimary, isPartitionKey, elementTypeParams: {dim, max_length, max_capacity, warmup},
 * nullable, defaultValue}]}` (`elementDataType` and `max_capacity` for Array fields).
 * Cross-field rules (one primary key, one vector, unique names, at most one
 * partition key) and whether a default fits its field are left to validateSchema.
 */
export function parseSchema(v: unknown, path: string): CollectionSchema {
  const r = JsonReader.object(v, path, SCHEMA_KEYS);
  const fieldsRaw = r.required('fields');
  if (!Array.isArray(fieldsRaw) || fieldsRaw.length === 0) throw r.wrong('fields', 'a non-empty list of fields', fieldsRaw);
  if (fieldsRaw.length > LIMITS.maxFields) throw new ValidationError(`'${r.at('fields')}' holds at most ${LIMITS.maxFields} fields, got ${fieldsRaw.length}`, { field: r.at('fields') });
  const fields = fieldsRaw.map((f, i) => parseField(f, `${r.at('fields')}[${i}]`));
  const a = r.has('autoId') ? boolParam(r.raw('autoId'), r.at('autoId')) : undefined;
  const b = r.has('autoID') ? boolParam(r.raw('autoID'), r.at('autoID')) : undefined;
  if (a !== undefined && b !== undefined && a !== b) throw new ValidationError(`'${r.at('autoId')}' and '${r.at('autoID')}' disagree`, { field: r.at('autoId') });
  // Milvus sets autoID on the schema and applies it to the primary key field.
  if (a ?? b) for (const f of fields) if (f.isPrimary) f.autoId = true;
  const schema: CollectionSchema = { fields };
  if (r.has('enableDynamicField')) schema.enableDynamicField = boolParam(r.raw('enableDynamicField'), r.at('enableDynamicField'));
  const description = r.optStr('description', { allowEmpty: true });
  if (description) schema.description = description;
  if (r.has('functions')) schema.functions = parseFunctions(r.raw('functions'), r.at('functions'));
  return schema;
}

/** `functions: [{name, type, inputFieldNames, outputFieldNames}]`; what they name is checked by validateSchema. */
function parseFunctions(v: unknown, path: string): FunctionSchema[] {
  if (!Array.isArray(v)) throw new ValidationError(`'${path}' must be a list of functions, got ${describe(v)}`, { field: path });
  return v.map((x, i) => parseFunction(x, `${path}[${i}]`));
}

/** One function `{name, type, inputFieldNames, outputFieldNames, params?, description?}` (create's schema, functions/add and alter). */
export function parseFunction(x: unknown, path: string): FunctionSchema {
  const r = JsonReader.object(x, path, FUNCTION_KEYS);
  const names = (key: string) => {
    const list = r.required(key);
    if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) throw r.wrong(key, 'a list of field names', list);
    return list as string[];
  };
  const type = r.str('type');
  // Milvus takes the type in any case ("BM25", "bm25", "MinHash").
  const upper = type.toUpperCase();
  const fn: FunctionSchema = { name: r.str('name'), type: (upper === 'BM25' || upper === 'MINHASH' ? upper : type) as FunctionSchema['type'], inputFieldNames: names('inputFieldNames'), outputFieldNames: names('outputFieldNames') };
  // What the params hold is checked by validateSchema (messages/minhash/minhashParams.ts).
  if (r.has('params')) fn.params = r.map('params') as Record<string, unknown>;
  return fn;
}

export function parseField(v: unknown, path: string): FieldSchema {
  const r = JsonReader.object(v, path, FIELD_KEYS);
  const name = r.str('fieldName');
  const rawType = r.required('dataType'), element = r.raw('elementDataType');
  const isStruct = (x: unknown) => typeof x === 'string' && ['struct', 'arrayofstruct'].includes(x.toLowerCase());
  if (isStruct(rawType) || (typeof rawType === 'string' && rawType.toLowerCase() === 'array' && isStruct(element))) return parseStructArrayField(r, name, path);
  if (r.has('fields') || r.has('typeParams')) throw new ValidationError(`'${r.at('fields')}' and '${r.at('typeParams')}' are only for an Array of Structs (elementDataType Struct), and '${name}' is ${describe(rawType)}`, { field: r.at('fields') });
  const dataType = typeFrom(Object.values(DataType), r.required('dataType'), r.at('dataType'), 'the types nuthatch supports');
  const f: FieldSchema = { name, dataType };
  if (dataType === 'Array') {
    if (element === undefined || element === '') throw new ValidationError(`Array field '${name}' needs '${r.at('elementDataType')}' (${ELEMENT_TYPES.join(', ')})`, { field: r.at('elementDataType') });
    f.elementType = typeFrom(ELEMENT_TYPES, element, r.at('elementDataType'), "an Array's element types");
  } else if (element !== undefined && element !== false && element !== '') {
    throw new ValidationError(`'${r.at('elementDataType')}' is only for Array fields, and '${name}' is ${dataType}`, { field: r.at('elementDataType') });
  }
  if (r.has('isPrimary') && r.bool('isPrimary')) f.isPrimary = true;
  if (r.has('nullable') && r.bool('nullable')) f.nullable = true;
  if (r.has('isPartitionKey') && r.bool('isPartitionKey')) f.isPartitionKey = true;
  if (r.has('isClusteringKey') && r.bool('isClusteringKey')) f.isClusteringKey = true;
  // Taken as the JSON gives it (Milvus converts no strings); validateSchema checks it fits the field. null: no default.
  const defaultValue = r.raw('defaultValue');
  if (defaultValue !== undefined && defaultValue !== null) f.defaultValue = defaultValue as DefaultValue;
  r.optStr('description', { allowEmpty: true });
  const tp = r.optObj('elementTypeParams', TYPE_PARAM_KEYS, UNSUPPORTED_TYPE_PARAMS);
  if (tp?.has('dim')) {
    if (dataType !== 'FloatVector' && !isPackedVectorType(dataType)) throw new ValidationError(`'${tp.at('dim')}' is only for dense vector fields, and '${name}' is ${dataType}`, { field: tp.at('dim') });
    f.dim = intParam(tp.raw('dim'), tp.at('dim'), 1, LIMITS.maxDim);
  }
  if (tp?.has('enable_analyzer')) {
    if (dataType !== 'VarChar') throw new ValidationError(`'${tp.at('enable_analyzer')}' is only for VarChar fields, and '${name}' is ${dataType}`, { field: tp.at('enable_analyzer') });
    f.enableAnalyzer = boolParam(tp.raw('enable_analyzer'), tp.at('enable_analyzer'));
  }
  // An object, or (as some Milvus clients send it) its JSON text; checked by the api (messages/text/analyzerParams.ts, multiAnalyzer.ts).
  const jsonParam = (key: string): Record<string, unknown> => {
    const raw = tp!.raw(key);
    if (typeof raw !== 'string') return raw as Record<string, unknown>;
    try { return JSON.parse(raw) as Record<string, unknown>; } catch { throw new ValidationError(`'${tp!.at(key)}' must be an object or its JSON text`, { field: tp!.at(key) }); }
  };
  if (tp?.has('analyzer_params')) f.analyzerParams = jsonParam('analyzer_params');
  if (tp?.has('multi_analyzer_params')) f.multiAnalyzerParams = jsonParam('multi_analyzer_params');
  const strings = dataType === 'VarChar' || f.elementType === 'VarChar';
  if (tp?.has('max_length')) {
    if (!strings) throw new ValidationError(`'${tp.at('max_length')}' is only for VarChar fields and Arrays of VarChar, and '${name}' is ${f.elementType ? `an Array of ${f.elementType}` : dataType}`, { field: tp.at('max_length') });
    f.maxLength = intParam(tp.raw('max_length'), tp.at('max_length'), 1, LIMITS.maxVarCharLength);
  }
  if (tp?.has('max_capacity')) {
    if (dataType !== 'Array') throw new ValidationError(`'${tp.at('max_capacity')}' is only for Array fields, and '${name}' is ${dataType}`, { field: tp.at('max_capacity') });
    f.maxCapacity = intParam(tp.raw('max_capacity'), tp.at('max_capacity'), 1, LIMITS.maxArrayCapacity);
  }
  // Milvus 2.6.11's field-level warm-up (tiered storage): sync or disable.
  if (tp?.has('warmup')) f.warmup = warmupValue(tp.raw('warmup'), tp.at('warmup'));
  if ((dataType === 'FloatVector' || isPackedVectorType(dataType)) && f.dim === undefined) throw new ValidationError(`vector field '${name}' needs '${path}.elementTypeParams.dim'`, { field: `${path}.elementTypeParams.dim` });
  if (strings && f.maxLength === undefined) throw new ValidationError(`${dataType === 'Array' ? 'Array of VarChar' : 'VarChar'} field '${name}' needs '${path}.elementTypeParams.max_length'`, { field: `${path}.elementTypeParams.max_length` });
  if (dataType === 'Array' && f.maxCapacity === undefined) throw new ValidationError(`Array field '${name}' needs '${path}.elementTypeParams.max_capacity'`, { field: `${path}.elementTypeParams.max_capacity` });
  return f;
}

/** A type name out of `names`, matched without regard to case ("int64", "Int64") as Milvus matches data types. */
function typeFrom<T extends string>(names: readonly T[], v: unknown, path: string, which: string): T {
  const found = typeof v === 'string' ? names.find((n) => n.toLowerCase() === v.toLowerCase()) : undefined;
  if (!found) throw new ValidationError(`field '${path}' must be one of ${names.join(', ')} (${which}), got ${describe(v)}`, { field: path });
  return found;
}

const SUBFIELD_KEYS = ['fieldName', 'dataType', 'elementTypeParams', 'description'] as const;

/**
 * An Array of Structs field (Milvus's StructArray): `{fieldName, dataType:
 * "Array", elementDataType: "Struct" (or dataType "ArrayOfStruct"),
 * elementTypeParams | typeParams: {max_capacity}, fields: [{fieldName,
 * dataType, elementTypeParams: {dim | max_length}}]}`. Which types and
 * params are allowed is left to validateSchema (messages/structArray.ts).
 */
function parseStructArrayField(r: JsonReader, name: string, path: string): FieldSchema {
  const f: FieldSchema = { name, dataType: 'Array', elementType: 'Struct' };
  if (r.has('nullable') && r.bool('nullable')) f.nullable = true;
  if (r.has('isPrimary') && r.bool('isPrimary')) f.isPrimary = true;
  if (r.has('isPartitionKey') && r.bool('isPartitionKey')) f.isPartitionKey = true;
  if (r.has('isClusteringKey') && r.bool('isClusteringKey')) f.isClusteringKey = true;
  r.optStr('description', { allowEmpty: true });
  for (const key of ['elementTypeParams', 'typeParams']) {
    const tp = r.optObj(key, ['max_capacity'], []);
    if (tp?.has('max_capacity')) f.maxCapacity = intParam(tp.raw('max_capacity'), tp.at('max_capacity'), 1, LIMITS.maxArrayCapacity);
  }
  if (f.maxCapacity === undefined) throw new ValidationError(`Array of Structs field '${name}' needs '${path}.elementTypeParams.max_capacity'`, { field: `${path}.elementTypeParams.max_capacity` });
  const subs = r.required('fields');
  if (!Array.isArray(subs) || subs.length === 0) throw r.wrong('fields', 'a non-empty list of sub-fields', subs);
  f.structFields = subs.map((x, i) => {
    const s = JsonReader.object(x, `${r.at('fields')}[${i}]`, SUBFIELD_KEYS);
    const sub: StructSubField = { name: s.str('fieldName'), dataType: typeFrom(STRUCT_SUBFIELD_TYPES, s.required('dataType'), s.at('dataType'), "a Struct's field types") };
    s.optStr('description', { allowEmpty: true });
    const tp = s.optObj('elementTypeParams', ['dim', 'max_length'], []);
    if (tp?.has('dim')) sub.dim = intParam(tp.raw('dim'), tp.at('dim'), 1, LIMITS.maxDim);
    if (tp?.has('max_length')) sub.maxLength = intParam(tp.raw('max_length'), tp.at('max_length'), 1, LIMITS.maxVarCharLength);
    return sub;
  });
  return f;
}
