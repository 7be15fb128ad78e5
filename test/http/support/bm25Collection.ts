/** A REST collection schema with two analyzed texts and a sparse field, and a BM25 function from `body` to `sparse` (function DDL tests). */
export const bm25Fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 8 } },
  { fieldName: 'body', dataType: 'VarChar', elementTypeParams: { max_length: 100, enable_analyzer: true } },
  { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 100, enable_analyzer: true } },
  { fieldName: 'sparse', dataType: 'SparseFloatVector' },
];
export const bm25Function = { name: 'bm', type: 'bm25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] };
