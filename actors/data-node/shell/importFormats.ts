import { parquetReadObjects } from 'hyparquet';
import { ValidationError } from '../../../messages/errors.js';
import type { CollectionSchema } from '../../../messages/schema.js';

/**
 * The rows of an import file, as `entities/insert` takes them: a JSON file is
 * a list of rows (`[{...}]`, or `{"rows": [...]}` as older Milvus writes it);
 * a Parquet file (what Milvus's BulkWriter writes) has a column per field,
 * vectors as lists, JSON fields and the dynamic field `$meta` as JSON text,
 * and 64-bit integers, which are read as safe JS numbers.
 */
export async function rowsOfFile(key: string, bytes: Uint8Array, schema: CollectionSchema): Promise<Record<string, unknown>[]> {
  return key.toLowerCase().endsWith('.parquet') ? parquetRows(key, bytes, schema) : jsonRows(key, bytes);
}

function jsonRows(key: string, bytes: Uint8Array): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ValidationError(`import file '${key}' is not UTF-8 JSON: ${(e as Error).message}`, { key });
  }
  const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' && Array.isArray((doc as { rows?: unknown }).rows) ? (doc as { rows: unknown[] }).rows : undefined;
  if (!list) throw new ValidationError(`import file '${key}' must hold a list of rows ([{...}, ...] or {"rows": [...]})`, { key });
  list.forEach((row, i) => { if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new ValidationError(`import file '${key}': row ${i} is not an object`, { key, row: i }); });
  return list as Record<string, unknown>[];
}

async function parquetRows(key: string, bytes: Uint8Array, schema: CollectionSchema): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[];
  try {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows = await parquetReadObjects({ file });
  } catch (e) {
    throw new ValidationError(`import file '${key}' is not a Parquet file hyparquet can read: ${(e as Error).message}`, { key });
  }
  const jsonText = new Set(['$meta', ...schema.fields.filter((f) => f.dataType === 'JSON' || f.dataType === 'SparseFloatVector').map((f) => f.name)]);
  return rows.map((row, i) => {
    const out: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(row)) {
      const v = plain(raw, `import file '${key}': row ${i}, column '${name}'`);
      if (!jsonText.has(name) || typeof v !== 'string') { out[name] = v; continue; }
      let parsed: unknown;
      try { parsed = JSON.parse(v); } catch { throw new ValidationError(`import file '${key}': row ${i}, column '${name}' holds text that is not JSON`, { key, row: i }); }
      if (name === '$meta') {
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValidationError(`import file '${key}': row ${i}, '$meta' must be a JSON object`, { key, row: i });
        Object.assign(out, parsed);
      } else out[name] = parsed;
    }
    return out;
  });
}

/** A Parquet value as JSON would hold it: 64-bit integers as numbers (refused past ±2^53), lists and structs alike. */
function plain(v: unknown, at: string): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER)) throw new ValidationError(`${at}: ${v} is past ±${Number.MAX_SAFE_INTEGER}`);
    return Number(v);
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>, (x) => plain(x, at));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, at)]));
  return v;
}
