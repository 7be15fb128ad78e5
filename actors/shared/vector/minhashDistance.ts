import { ValidationError } from '../../../messages/errors.js';

/**
 * MHJACCARD (pure): a BinaryVector row read as a MinHash signature, a run of
 * `elementBytes`-byte hash values (mh_element_bit_width / 8), and two rows
 * compared by the share of positions whose values are equal. That share is
 * the MinHash estimate of the Jaccard similarity of the sets the signatures
 * were made from (Broder 1997): each position matches with probability J.
 * A similarity in [0, 1], larger is closer, as Milvus reports MHJACCARD.
 */

/** Element widths Milvus takes (mh_element_bit_width: 8, 16, 32, 64 bits). */
export const MH_ELEMENT_BITS = [8, 16, 32, 64] as const;
/** The width when neither the search, the index nor a MinHash function names one: the MinHash function's 32 bits. */
export const DEFAULT_MH_ELEMENT_BITS = 32;

/** Checks a width in bits and gives it in bytes. */
export function mhElementBytes(bits: number): number {
  if (!(MH_ELEMENT_BITS as readonly number[]).includes(bits)) throw new ValidationError(`mh_element_bit_width must be one of ${MH_ELEMENT_BITS.join(', ')}, got ${String(bits)}`, { field: 'mh_element_bit_width' });
  return bits / 8;
}

/** Checks that rows of `rowBytes` bytes are whole signatures of `elementBytes`-byte values. */
export function checkSignatureShape(rowBytes: number, elementBytes: number): number {
  if (rowBytes % elementBytes !== 0 || rowBytes === 0) throw new ValidationError(`a ${rowBytes * 8}-bit vector is not a whole number of ${elementBytes * 8}-bit MinHash values`, { field: 'mh_element_bit_width' });
  return rowBytes / elementBytes;
}

/** Equal elements of the row at byte `off` and the query, over `len` bytes of `elementBytes`-byte values. */
export function equalElements(data: Uint8Array, off: number, q: Uint8Array, len: number, elementBytes: number): number {
  let same = 0;
  if (elementBytes === 1) {
    for (let i = 0; i < len; i++) if (data[off + i] === q[i]) same++;
    return same;
  }
  for (let i = 0; i < len; i += elementBytes) {
    let j = 0;
    while (j < elementBytes && data[off + i + j] === q[i + j]) j++;
    if (j === elementBytes) same++;
  }
  return same;
}

/** Equal elements over a Uint32Array view (4- and 8-byte values on aligned rows): one compare per word. */
export function equalWords(data: Uint32Array, off: number, q: Uint32Array, words: number, wordsPerElement: 1 | 2): number {
  let same = 0;
  if (wordsPerElement === 1) {
    for (let i = 0; i < words; i++) if (data[off + i] === q[i]) same++;
    return same;
  }
  for (let i = 0; i < words; i += 2) if (data[off + i] === q[i] && data[off + i + 1] === q[i + 1]) same++;
  return same;
}

/**
 * The MHJACCARD scorer of a packed query against rows of `rowBytes` bytes:
 * the share of equal elements. Word compares when rows start on 4-byte
 * boundaries and elements are 32 or 64 bits.
 */
export function mhJaccardScorer(bytes: Uint8Array, rowBytes: number, query: Uint8Array, elementBytes: number): (row: number) => number {
  if (query.length !== rowBytes) throw new ValidationError(`query has ${query.length} bytes, the rows ${rowBytes}`);
  const elements = checkSignatureShape(rowBytes, elementBytes);
  if (elementBytes >= 4 && bytes.byteOffset % 4 === 0) {
    const data = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2), words = rowBytes >> 2;
    const q = new Uint32Array(query.slice().buffer), per = (elementBytes >> 2) as 1 | 2;
    return (row) => equalWords(data, row * words, q, words, per) / elements;
  }
  return (row) => equalElements(bytes, row * rowBytes, query, rowBytes, elementBytes) / elements;
}
