/**
 * The collection schema, one import for its callers: the types and limits
 * (fieldTypes.ts), which field plays which part (schemaFields.ts), the rules
 * of a schema (schemaValidation.ts), default values (fieldDefaults.ts), the
 * checks of one value (fieldValues.ts) and of an insert's rows (rowsProblem.ts).
 */
export * from './fieldTypes.js';
export * from './schemaFields.js';
export { checkName, withAnalyzerVersion, validateSchema, CLUSTERING_KEY_TYPES } from './schemaValidation.js';
export { withDefault, fieldDefaults } from './fieldDefaults.js';
export { scalarProblem, valueProblem } from './fieldValues.js';
export { rowsProblem } from './rowsProblem.js';
