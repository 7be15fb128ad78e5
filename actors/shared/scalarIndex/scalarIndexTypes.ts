import type { DataType, FieldSchema } from '../../../messages/schema.js';

/**
 * The scalar index types Milvus users create, spelled as Milvus spells them.
 * All of them are one sorted (value, row) index here (sortedIndex.ts): the
 * type decides only which fields it may index, by Milvus's rules, except
 * NGRAM, whose entries are a text's n-grams (ngramIndex.ts), and RTREE, a
 * packed R-tree of a Geometry field's bounding boxes (rtree.ts).
 */
export const SCALAR_INDEX_TYPES = ['INVERTED', 'STL_SORT', 'BITMAP', 'Trie', 'NGRAM', 'RTREE'] as const;
export type ScalarIndexType = (typeof SCALAR_INDEX_TYPES)[number];

/** The scalar index type named `asked` in any case (`trie`, `inverted`), or undefined. */
export function scalarIndexTypeOf(asked: string): ScalarIndexType | undefined {
  return SCALAR_INDEX_TYPES.find((t) => t.toUpperCase() === asked.toUpperCase());
}

export const isScalarIndexType = (t: string): t is ScalarIndexType => (SCALAR_INDEX_TYPES as readonly string[]).includes(t);

/** What an index compares: numbers, strings or booleans. */
export type ValueKind = 'number' | 'string' | 'bool';

const KIND: Partial<Record<DataType, ValueKind>> = {
  Bool: 'bool', Int8: 'number', Int16: 'number', Int32: 'number', Int64: 'number', Float: 'number', Double: 'number', VarChar: 'string',
  // Stored as integer microseconds: sorted and compared as numbers.
  Timestamptz: 'number',
};

/**
 * How a column is indexed: its values' kind, and whether each row holds a
 * list (an Array field's elements). `json`: a JSON path index (jsonIndex.ts),
 * whose absent rows hold values of other kinds, not null; `converted`: its
 * entries include strings read as numbers (STRING_TO_DOUBLE), so it only
 * narrows candidates; `grams`: an NGRAM index (ngramIndex.ts), whose entries
 * are each row's n-grams of these lengths, which only narrow a `like`;
 * `rtree`: an RTREE index (rtree.ts), which only narrows the ST_ operators.
 */
export interface IndexedShape { kind: ValueKind; elements: boolean; json?: boolean; converted?: boolean; grams?: GramRange; rtree?: boolean }

/** An NGRAM index's gram lengths, in code points: min_gram..max_gram. */
export interface GramRange { min: number; max: number }

/** The shape of a field's index, or undefined for a field no scalar index reads (JSON, vectors). */
export function shapeOf(f: Pick<FieldSchema, 'dataType' | 'elementType'>): IndexedShape | undefined {
  if (f.dataType === 'Geometry') return { kind: 'string', elements: false, rtree: true };
  if (f.dataType === 'Array') { const kind = f.elementType && f.elementType !== 'Struct' && KIND[f.elementType]; return kind ? { kind, elements: true } : undefined; }
  const kind = KIND[f.dataType];
  return kind ? { kind, elements: false } : undefined;
}

const INTEGERS: ReadonlySet<string> = new Set(['Int8', 'Int16', 'Int32', 'Int64']);

/** Why `type` cannot index field `f` (Milvus's rules per type), or null when it can. */
export function scalarIndexProblem(type: ScalarIndexType, f: FieldSchema): string | null {
  const on = `${type} cannot index ${f.dataType} field '${f.name}'`;
  if (f.dataType === 'JSON') return `${on}: a JSON index needs params json_path and json_cast_type`;
  if ((f.dataType === 'Geometry') !== (type === 'RTREE')) return type === 'RTREE' ? `${on}: RTREE takes Geometry fields` : `${on}: a Geometry field takes an RTREE index`;
  const shape = shapeOf(f);
  if (!shape) return on;
  const base = f.dataType === 'Array' ? f.elementType! : f.dataType;
  switch (type) {
    case 'INVERTED': return null;
    case 'STL_SORT': return !shape.elements && shape.kind === 'number' ? null : `${on}: STL_SORT takes numeric fields (Int8..Int64, Float, Double, Timestamptz)`;
    case 'BITMAP':
      if (f.isPrimary) return `${on}: BITMAP cannot index the primary key`;
      return base === 'Bool' || base === 'VarChar' || INTEGERS.has(base) ? null : `${on}: BITMAP takes Bool, Int8..Int64 and VarChar fields (and Arrays of them), not Float, Double or Timestamptz`;
    case 'Trie': return f.dataType === 'VarChar' ? null : `${on}: Trie takes VarChar fields`;
    case 'RTREE': return null;
    case 'NGRAM': return f.dataType === 'VarChar' ? null : `${on}: NGRAM takes VarChar fields (and JSON paths cast to VARCHAR)`;
  }
}
