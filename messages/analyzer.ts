import type { SparseVector } from './sparse.js';

/**
 * Milvus's `standard` analyzer, as far as BM25 needs it (pure): text is split
 * on every run of characters that are neither Unicode letters, marks nor
 * digits, and lowercased. No stemming and no stop words, as Milvus's default.
 * Terms become uint32 sparse indices by FNV-1a over their UTF-8 bytes: a
 * fixed hash, so every node and client maps a term alike with no shared
 * vocabulary (Milvus hashes terms too; a collision merges two terms, rare at
 * 32 bits). Changing the hash changes stored rows: it is part of the format.
 */
const SPLIT = /[^\p{L}\p{M}\p{N}]+/u;
const utf8 = new TextEncoder();

/** The terms of a text, in order, lowercased. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(SPLIT).filter((t) => t.length > 0);
}

/** A term's sparse index: 32-bit FNV-1a of its UTF-8 bytes. */
export function termHash(term: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(term)) { h ^= b; h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** A text as term index → count (the BM25 function's output for a document, and a query's term weights). */
export function termFrequencies(text: string): SparseVector {
  const counts = new Map<number, number>();
  for (const t of tokenize(text)) { const h = termHash(t); counts.set(h, (counts.get(h) ?? 0) + 1); }
  const indices = Uint32Array.from([...counts.keys()].sort((a, b) => a - b));
  return { indices, values: Float32Array.from(indices, (i) => counts.get(i)!) };
}
