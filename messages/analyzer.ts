import type { SparseVector } from './sparse.js';
import { ValidationError } from './errors.js';
import { checkAnalyzerParams, STANDARD_ANALYZER, type AnalyzerParams, type AnalyzerSpec, type TokenFilter } from './text/analyzerParams.js';
import { analyzerNamed, checkMultiAnalyzerParams } from './text/multiAnalyzer.js';
import { porterStem } from './text/porterStemmer.js';
import { snowballEnglishStem } from './text/snowballEnglish.js';
import { snowballSwedishStem } from './text/snowballSwedish.js';

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
    case 'removepunct': return /^[\p{P}\p{S}]+$/u.test(t) ? undefined : t;
    case 'regex': return f.expr.test(t) ? t : undefined;
    case 'stemmer': return f.algorithm === 'porter' ? porterStem(t) : f.algorithm === 'snowball-swedish' ? snowballSwedishStem(t) : snowballEnglishStem(t);
  }
}

const STANDARD = analyzerOf(STANDARD_ANALYZER);
const byParams = new Map<string, Analyzer>();

/** What of a field says how its text is analyzed (messages/schema.ts FieldSchema). */
export interface AnalyzedField {
  name?: string;
  analyzerParams?: AnalyzerParams;
  multiAnalyzerParams?: AnalyzerParams;
  /** The analyzer revision recorded at creation (text/analyzerParams.ts ANALYZER_VERSION); absent: 1, the stemmer stored rows were hashed with. */
  analyzerVersion?: number;
}

/** Analyzer params run at a revision, built once per distinct params. */
function analyzerFor(params: AnalyzerParams, version: number): Analyzer {
  const key = `${version}:${JSON.stringify(params)}`;
  let a = byParams.get(key);
  if (!a) { a = analyzerOf(checkAnalyzerParams(params, version)); byParams.set(key, a); }
  return a;
}

/**
 * A VarChar field's analyzer: its `analyzerParams`, else the standard one; for
 * a field with multi_analyzer_params, its default analyzer (textAnalysis
 * picks one per row or query).
 */
export function fieldAnalyzer(field: AnalyzedField | undefined): Analyzer {
  const version = field?.analyzerVersion ?? 1;
  const multi = field?.multiAnalyzerParams?.analyzers as Record<string, AnalyzerParams> | undefined;
  if (multi?.default) return analyzerFor(multi.default, version);
  return field?.analyzerParams ? analyzerFor(field.analyzerParams, version) : STANDARD;
}

/**
 * How a text field's values and queries are analyzed: one analyzer, or (with
 * multi_analyzer_params) the one each row's by_field value picks and the one
 * a query names.
 */
export interface TextAnalysis {
  /** The field whose value picks a row's analyzer (multi-analyzer fields only). */
  byField?: string;
  /** The analyzer of a row whose by_field holds `value` (default when null, missing or unknown, as Milvus). */
  forRow(value: unknown): Analyzer;
  /** The analyzer a query names (analyzer_name; default when absent); an unknown name is refused. */
  named(name: string | undefined): Analyzer;
}

export function textAnalysis(schema: { fields: ReadonlyArray<AnalyzedField & { name: string; dataType: string }> }, fieldName: string): TextAnalysis {
  const field = schema.fields.find((f) => f.name === fieldName);
  if (!field?.multiAnalyzerParams) {
    const one = fieldAnalyzer(field);
    return {
      forRow: () => one,
      named: (name) => {
        if (name !== undefined) throw new ValidationError(`analyzer_name '${name}': field '${fieldName}' has one analyzer, not multi_analyzer_params`, { field: 'analyzer_name' });
        return one;
      },
    };
  }
  const version = field.analyzerVersion ?? 1;
  const spec = checkMultiAnalyzerParams(field.multiAnalyzerParams, field.name, schema.fields, version);
  const analyzer = (name: string) => analyzerFor(spec.analyzers.get(name)!, version);
  return {
    byField: spec.byField,
    forRow: (value) => analyzer((typeof value === 'string' ? analyzerNamed(spec, value) : undefined) ?? 'default'),
    named: (name) => {
      if (name === undefined) return analyzer('default');
      const target = analyzerNamed(spec, name);
      if (target === undefined) throw new ValidationError(`analyzer_name '${name}' names no analyzer of field '${fieldName}' (${[...spec.analyzers.keys(), ...spec.alias.keys()].join(', ')})`, { field: 'analyzer_name' });
      return analyzer(target);
    },
  };
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
