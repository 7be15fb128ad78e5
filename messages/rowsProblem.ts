import { sparseProblem } from './sparse.js';
import { storedProblem } from './packedVectors.js';
import { LIMITS, type CollectionSchema, type FieldSchema, type PrimaryKey, type Rows } from './fieldTypes.js';
import { columnVectorFields, isNullVector, packedVectorFields, primaryField, scalarFields, sparseFields, vectorField } from './schemaFields.js';
import { scalarProblem } from './fieldValues.js';
import { varCharLengthProblem } from './utf8Length.js';

/** A dynamic key of some row that names a dropped field (messages/droppedField.ts), as an error text. */
function droppedMetaKey(s: CollectionSchema, meta: unknown[]): string | null {
  if (!s.droppedFields?.length || !Array.isArray(meta)) return null;
  for (const m of meta) {
    if (m === null || typeof m !== 'object') continue;
    const key = s.droppedFields.find((d) => Object.hasOwn(m, d));
    if (key !== undefined) return `field '${key}' was dropped from the collection: writes may not name it`;
  }
  return null;
}

/** Validates columnar rows against a schema: the payload invariant of Insert. */
export function rowsProblem(s: CollectionSchema, rows: Rows): string | null {
  if (!Number.isInteger(rows.count) || rows.count < 1) return 'an insert needs at least one row';
  if (rows.count > LIMITS.maxBatchRows) return `an insert holds at most ${LIMITS.maxBatchRows} rows, got ${rows.count}`;
  const pk = primaryField(s), vf = vectorField(s);
  if (!Array.isArray(rows.pks) || rows.pks.length !== rows.count) return 'primary key column length differs from row count';
  const seen = new Set<PrimaryKey>();
  for (const k of rows.pks) {
    if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') return `primary key '${pk.name}' must be ${pk.dataType === 'Int64' ? 'an Int64 (safe integer)' : 'a string'}`;
    if (typeof k === 'string') { const p = varCharLengthProblem(`primary key '${pk.name}'`, k, pk.maxLength ?? LIMITS.maxVarCharLength); if (p) return p; }
    if (seen.has(k)) return `duplicate primary key ${JSON.stringify(k)} in one batch`;
    seen.add(k);
  }
  const dim = vf?.dim ?? 0;
  if (!(rows.vectors instanceof Float32Array) || rows.vectors.length !== rows.count * dim) return vf ? `vector field '${vf.name}' needs ${rows.count} x ${dim} floats` : 'the collection has no FloatVector: its rows hold no float32 block';
  for (let i = 0; i < rows.vectors.length; i++) if (!Number.isFinite(rows.vectors[i]!)) return `vector field '${vf!.name}' holds a NaN or Infinity at row ${Math.floor(i / dim)}`;
  const known = new Set(s.fields.map((f) => f.name));
  for (const name of Object.keys(rows.fields)) {
    if (s.droppedFields?.includes(name)) return `field '${name}' was dropped from the collection: writes may not name it`;
    if (name === '$meta' && s.enableDynamicField) { const p = droppedMetaKey(s, rows.fields.$meta!); if (p) return p; continue; }
    if (!known.has(name) || name === pk.name || name === vf?.name) return `unknown field '${name}'`;
  }
  for (const f of scalarFields(s)) {
    const col = rows.fields[f.name];
    if (col === undefined) { if (f.nullable) continue; return `field '${f.name}' is missing`; }
    if (!Array.isArray(col) || col.length !== rows.count) return `field '${f.name}' column length differs from row count`;
    for (const v of col) { const p = scalarProblem(f, v); if (p) return p; }
  }
  // A nullable vector field's column may be absent (every row null) or hold null rows.
  const nullOk = (f: FieldSchema, col: unknown[] | undefined) => f.nullable === true && col === undefined;
  for (const f of columnVectorFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) {
      if (f.nullable && isNullVector(v)) continue;
      if (!(v instanceof Float32Array) || v.length !== f.dim) return `vector field '${f.name}' needs ${f.dim} floats at row ${r}`;
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return `vector field '${f.name}' holds a NaN or Infinity at row ${r}`;
    }
  }
  for (const f of packedVectorFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) { if (f.nullable && isNullVector(v)) continue; const p = storedProblem(f.dataType, f.dim!, v, `${f.dataType} field '${f.name}' at row ${r}`); if (p) return p; }
  }
  for (const f of sparseFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `sparse vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) { if (f.nullable && isNullVector(v)) continue; const p = sparseProblem(v, `sparse vector field '${f.name}' at row ${r}`); if (p) return p; }
  }
  return null;
}
