import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../../messages/halfFloat.js';
import type { MetricType } from '../../../messages/schema.js';

/**
 * A DISKANN node record (one per row, row r's the r-th of the file's node
 * section): the row's vector at the field's own width, padded to 4 bytes,
 * then i32 degree | i32[maxDegree] neighbours. A FloatVector field's
 * vectors are float32 (its graph rows: unit length under COSINE, with the
 * IP reduction's extra dim); a Float16Vector's or BFloat16Vector's are the
 * field's own 16-bit values (so a record holds about half the vector bytes),
 * the IP extra dim rounded to the same width, widened to float32 only to
 * score a row (decodeVector; COSINE rows scaled to unit length there).
 */
export type RecordElement = 'f32' | 'f16' | 'bf16';

/** The element of a field's records: its own width for half fields, float32 for any other. */
export function recordElementOf(vectorType: string | undefined): RecordElement {
  return vectorType === 'Float16Vector' ? 'f16' : vectorType === 'BFloat16Vector' ? 'bf16' : 'f32';
}

/** The element's code in the file header (diskannFile.ts). */
export const ELEMENT_CODE: Record<RecordElement, number> = { f32: 0, f16: 1, bf16: 2 };

/** Where a record's parts sit, in bytes. */
export interface RecordLayout {
  element: RecordElement;
  gdim: number;
  maxDegree: number;
  /** Bytes of the vector, padded to 4: the degree's offset. */
  vectorBytes: number;
  /** Bytes of one record. */
  size: number;
}

export function recordLayout(gdim: number, maxDegree: number, element: RecordElement = 'f32'): RecordLayout {
  const vectorBytes = element === 'f32' ? 4 * gdim : (2 * gdim + 3) & ~3;
  return { element, gdim, maxDegree, vectorBytes, size: vectorBytes + 4 * (1 + maxDegree) };
}

/**
 * Every row's record: the vector (`graph`'s row for float32 records, the
 * field's own `vectors` row and the IP extra dim of `graph` for half ones),
 * its degree and neighbours (maxDegree slots a row in `neighbours`).
 */
export function encodeRecords(l: RecordLayout, dim: number, vectors: Float32Array, graph: Float32Array, degrees: Int32Array, neighbours: Int32Array): Uint8Array {
  const count = degrees.length, { gdim, maxDegree, size, vectorBytes } = l, nodes = new Uint8Array(count * size);
  const i32 = new Int32Array(nodes.buffer), f32 = new Float32Array(nodes.buffer), u16 = new Uint16Array(nodes.buffer);
  const toBits = l.element === 'bf16' ? toBFloat16Bits : toFloat16Bits;
  for (let r = 0; r < count; r++) {
    const at = r * size;
    if (l.element === 'f32') f32.set(graph.subarray(r * gdim, (r + 1) * gdim), at >> 2);
    else for (let j = 0; j < gdim; j++) u16[(at >> 1) + j] = toBits(j < dim ? vectors[r * dim + j]! : graph[r * gdim + j]!);
    const d = (at + vectorBytes) >> 2;
    i32[d] = degrees[r]!;
    i32.set(neighbours.subarray(r * maxDegree, r * maxDegree + degrees[r]!), d + 1);
  }
  return nodes;
}

let f16Table: Float32Array | undefined, bf16Table: Float32Array | undefined;
/** Every 16-bit pattern's value: widening a row is a lookup a value. */
function tableOf(element: 'f16' | 'bf16'): Float32Array {
  if (element === 'f16') return f16Table ??= Float32Array.from({ length: 65536 }, (_, h) => fromFloat16Bits(h));
  return bf16Table ??= Float32Array.from({ length: 65536 }, (_, h) => fromBFloat16Bits(h));
}

/**
 * Widens the vectors of `w` records (at 0, size, 2 x size ... of `records`)
 * to float32 rows of `out` (gdim floats apart), scaled to unit length under
 * COSINE; float32 records are the rows already and are not copied (the
 * caller reads them in place).
 */
export function decodeVectors(l: RecordLayout, metric: MetricType, dim: number, records: Uint8Array, w: number, out: Float32Array): void {
  if (l.element === 'f32') return;
  const table = tableOf(l.element), u16 = new Uint16Array(records.buffer, records.byteOffset, records.byteLength >> 1);
  for (let b = 0; b < w; b++) {
    const from = (b * l.size) >> 1, to = b * l.gdim;
    let norm = 0;
    for (let j = 0; j < l.gdim; j++) { const x = table[u16[from + j]!]!; out[to + j] = x; if (j < dim) norm += x * x; }
    if (metric === 'COSINE' && norm > 0) { const s = 1 / Math.sqrt(norm); for (let j = 0; j < dim; j++) out[to + j] = out[to + j]! * s; }
  }
}
