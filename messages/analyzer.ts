import type { SparseVector } from './sparse.js';
import { checkAnalyzerParams, STANDARD_ANALYZER, type AnalyzerParams, type AnalyzerSpec, type TokenFilter } from './text/analyzerParams.js';
import { porterStem } from './text/porterStemmer.js';

/**
 * Text analysis for BM25, text_match and phrase_match (pure). Milvus's
 * `standard` analyzer is the default: text is split into runs of Unicode
 * letters, marks and digits, lowercased; no stemming and no stop words. A
 * field's `analyzerParams` choose another (text/analyzerParams.ts).
 * Terms become uint32 sparse indices by FNV-1a over their UTF-8 bytes: a
 * fixed hash, so every node and client maps a term alike with no shared
 * vocabulary (Milvus hashes terms too; a collision merges two terms, rare at
 * 32 bits). Changing the hash changes stored rows: it is part of the format.
 */
const utf8 = new TextEncoder();

/** The terms of a text, in order, by the field's analyzer (default: words lowercased). */
export function tokenize(text: string, analyzer: Analyzer = STANDARD): string[] {
  return analyzer.tokens(text);
}

/**
 * An analyzer run (analyzerParams.ts): a tokenizer's tokens, each passed
 * through the filters in turn (a filter may drop it). `spans` keeps where each
 * surviving token lies in the text (the highlighter marks them there).
 */
export interface Analyzer {
  tokens(text: string): string[];
  spans(text: string): Array<{ start: number; end: number; term: string }>;
}

export function analyzerOf(spec: AnalyzerSpec): Analyzer {
  const pattern = spec.tokenizer === 'whitespace' ? /\S+/gu : /[\p{L}\p{M}\p{N}]+/gu;
  const filter = (token: string): string | undefined => {
    let t: string | undefined = token;
    for (const f of spec.filters) {
      if (t === undefined) return undefined;
      t = applyFilter(f, t);
    }
    return t === '' ? undefined : t;
  };
  return {
    tokens: (text) => { const out: string[] = []; for (const m of text.matchAll(pattern)) { const t = filter(m[0]); if (t !== undefined) out.push(t); } return out; },
    spans: (text) => {
      const out: Array<{ start: number; end: number; term: string }> = [];
      for (const m of text.matchAll(pattern)) { const t = filter(m[0]); if (t !== undefined) out.push({ start: m.index!, end: m.index! + m[0].length, term: t }); }
      return out;
    },
  };
}

function applyFilter(f: TokenFilter, t: string): string | undefined {
  switch (f.kind) {
    case 'lowercase': return t.toLowerCase();
    case 'asciifolding': return t.normalize('NFD').replace(/\p{M}/gu, '');
    case 'alphanumonly': return /^[A-Za-z0-9]+$/.test(t) ? t : undefined;
    case 'length': return t.length <= f.max ? t : undefined;
    case 'stop': return f.words.has(t) ? undefined : t;
    case 'stemmer': return porterStem(t);
  }
}

const STANDARD = analyzerOf(STANDARD_ANALYZER);
const byParams = new Map<string, Analyzer>();

/** A VarChar field's analyzer: its `analyzerParams`, else the standard one (built once per distinct params). */
export function fieldAnalyzer(field: { analyzerParams?: AnalyzerParams } | undefined): Analyzer {
  if (!field?.analyzerParams) return STANDARD;
  const key = JSON.stringify(field.analyzerParams);
  let a = byParams.get(key);
  if (!a) { a = analyzerOf(checkAnalyzerParams(field.analyzerParams)); byParams.set(key, a); }
  return a;
}

/** A term's sparse index: 32-bit FNV-1a of its UTF-8 bytes. */
export function termHash(term: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(term)) { h ^= b; h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** A text as term index → count (the BM25 function's output for a document, and a query's term weights). */
export function termFrequencies(text: string, analyzer: Analyzer = STANDARD): SparseVector {
  const counts = new Map<number, number>();
  for (const t of analyzer.tokens(text)) { const h = termHash(t); counts.set(h, (counts.get(h) ?? 0) + 1); }
  const indices = Uint32Array.from([...counts.keys()].sort((a, b) => a - b));
  return { indices, values: Float32Array.from(indices, (i) => counts.get(i)!) };
}
