/**
 * The Milvus filter expression language over scalar, JSON and Array fields: parse text into a
 * serializable AST, check it against a collection schema, and compile it into a
 * fast row predicate over columnar segment data. Pure: no Node imports, no I/O.
 *
 *   const f = prepareFilter('age > 21 and name like "a%"', schema); // null when blank
 *   const match = f!.bind(columns);                                  // once per segment
 *   for (let row = 0; row < count; row++) if (match(row)) ...
 */
import type { CollectionSchema } from '../schema.js';
import { compileFilter, type CompiledFilter } from './evaluate.js';
import { parseFilter } from './parser.js';
import type { FilterParams } from './params.js';

export * from './ast.js';
export { parseFilter } from './parser.js';
export { checkFilter, type CheckedFilter } from './check.js';
export { compileFilter, filterRows, rowsColumns, type Column, type Columns, type CompiledFilter, type RowPredicate } from './evaluate.js';
export { formatFilter } from './format.js';
export { countMatching, matchingRows, supportOf, type RowSupport } from './rowSupport.js';
export { SAMPLE_NAME, hasSample, keyHash, sampleTest, withSampleSeed } from './sample.js';
export { compileLike, likeLiteral } from './like.js';
export { PARAM_LIMITS, type FilterParams } from './params.js';

/**
 * Parses, checks and compiles filter text in one step. Blank or absent text means
 * "no filter" (as in Milvus, where `filter: ""` selects every row) and gives null.
 */
export function prepareFilter(text: string | undefined | null, schema: CollectionSchema, params?: FilterParams): CompiledFilter | null {
  if (text === undefined || text === null || (typeof text === 'string' && text.trim() === '')) return null;
  return compileFilter(parseFilter(text, params), schema);
}
