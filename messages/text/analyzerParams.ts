import { ValidationError } from '../errors.js';

/**
 * A VarChar field's analyzer, as Milvus's `analyzer_params` name it: a
 * built-in (`{type: "standard"}`, the default: words lowercased;
 * `{type: "english"}`: also English stop words dropped and words stemmed),
 * or a tokenizer with filters: `{tokenizer: "standard" | "whitespace",
 * filter: ["lowercase", "asciifolding", "alphanumonly", "removepunct", {type: "length", max},
 * {type: "regex", expr},
 * {type: "stop", stop_words: [words or "_english_"]}, {type: "stemmer",
 * language: "english" | "swedish"}]}`. Checked here into a spec the analyzer runs
 * (analyzer.ts); one that names what nuthatch lacks is refused, never
 * silently analyzed otherwise.
 */
export type AnalyzerParams = Record<string, unknown>;

export type TokenFilter =
  | { kind: 'lowercase' } | { kind: 'asciifolding' } | { kind: 'alphanumonly' } | { kind: 'removepunct' }
  | { kind: 'length'; max: number } | { kind: 'stop'; words: ReadonlySet<string> } | { kind: 'regex'; expr: RegExp }
  | { kind: 'stemmer'; algorithm: StemmerAlgorithm };

/**
 * Which English stemmer a field runs. Revision 1 (Porter 1980) is what fields
 * created before nuthatch followed Milvus's Snowball English stemmer were
 * stored with; their BM25 rows hold hashes of its stems, so they keep it.
 */
export type StemmerAlgorithm = 'porter' | 'snowball-english' | 'snowball-swedish';

/**
 * The analyzer revision a field records when its collection is created
 * (FieldSchema.analyzerVersion): 2 stems English with Snowball's English
 * (Porter2) stemmer, as Milvus does; 1, and a field stored without a
 * revision, with the Porter (1980) stemmer its stored rows were hashed with.
 */
export const ANALYZER_VERSION = 2;
const stemmerOf = (version: number): StemmerAlgorithm => (version >= 2 ? 'snowball-english' : 'porter');
/** The stemmer languages nuthatch has, of those Milvus's stemmer filter takes. */
const STEMMER_LANGUAGES = ['english', 'swedish'];

export interface AnalyzerSpec { tokenizer: 'standard' | 'whitespace'; filters: TokenFilter[] }

/** Lucene's English stop words (`_english_`), as Milvus's stop filter names them. */
export const ENGLISH_STOP_WORDS: readonly string[] = [
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of', 'on', 'or',
  'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
];

export const STANDARD_ANALYZER: AnalyzerSpec = { tokenizer: 'standard', filters: [{ kind: 'lowercase' }] };

const bad = (message: string): ValidationError => new ValidationError(`analyzer_params: ${message}`, { field: 'analyzer_params' });

/** Checks analyzer_params into a spec; `version` (the field's analyzer revision) picks the English stemmer. */
export function checkAnalyzerParams(p: unknown, version: number = ANALYZER_VERSION): AnalyzerSpec {
  const stem = stemmerOf(version);
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw bad('must be an object such as {"type": "english"} or {"tokenizer": "standard", "filter": ["lowercase"]}');
  const o = p as Record<string, unknown>;
  const known = new Set(['type', 'tokenizer', 'filter', 'stop_words']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw bad(`unknown key '${k}' (type, tokenizer, filter, stop_words)`);
  if (o.type !== undefined) {
    if (o.tokenizer !== undefined || o.filter !== undefined) throw bad('a built-in analyzer (type) takes no tokenizer or filter');
    const stops = o.stop_words === undefined ? undefined : stopWords(o.stop_words);
    if (o.type === 'standard') return { tokenizer: 'standard', filters: [{ kind: 'lowercase' }, ...(stops ? [{ kind: 'stop' as const, words: stops }] : [])] };
    if (o.type === 'english') return { tokenizer: 'standard', filters: [{ kind: 'lowercase' }, { kind: 'stop', words: stops ?? new Set(ENGLISH_STOP_WORDS) }, { kind: 'stemmer', algorithm: stem }] };
    throw bad(`type must be standard or english (nuthatch has no '${String(o.type)}' analyzer)`);
  }
  if (o.stop_words !== undefined) throw bad('stop_words go with a built-in type, or in a stop filter');
  const tokenizer = o.tokenizer ?? 'standard';
  if (tokenizer !== 'standard' && tokenizer !== 'whitespace') throw bad(`tokenizer must be standard or whitespace (nuthatch has no '${typeof tokenizer === 'string' ? tokenizer : JSON.stringify(tokenizer)}' tokenizer)`);
  if (o.filter !== undefined && !Array.isArray(o.filter)) throw bad('filter must be a list');
  return { tokenizer, filters: ((o.filter ?? []) as unknown[]).map((f, i) => filterOf(f, i, stem)) };
}

function filterOf(f: unknown, i: number, stem: StemmerAlgorithm): TokenFilter {
  if (f === 'lowercase' || f === 'asciifolding' || f === 'alphanumonly' || f === 'removepunct') return { kind: f };
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw bad(`filter[${i}] must be lowercase, asciifolding, alphanumonly, removepunct or {type: length | stop | stemmer | regex, ...}, got ${JSON.stringify(f)}`);
  const o = f as Record<string, unknown>;
  switch (o.type) {
    case 'length':
      if (!Number.isInteger(o.max) || (o.max as number) < 1) throw bad(`filter[${i}] length needs max, a positive integer`);
      return { kind: 'length', max: o.max as number };
    case 'stop': return { kind: 'stop', words: stopWords(o.stop_words) };
    case 'stemmer':
      if (typeof o.language !== 'string' || !STEMMER_LANGUAGES.includes(o.language)) throw bad(`filter[${i}] stemmer language must be ${STEMMER_LANGUAGES.join(' or ')} (nuthatch has no other Snowball stemmer), got ${JSON.stringify(o.language)}`);
      return { kind: 'stemmer', algorithm: o.language === 'swedish' ? 'snowball-swedish' : stem };
    case 'regex': {
      // Milvus's regex filter keeps the tokens the expression matches (anywhere in the token, as Rust's is_match).
      if (typeof o.expr !== 'string') throw bad(`filter[${i}] regex needs expr, a regular expression`);
      try { return { kind: 'regex', expr: new RegExp(o.expr, 'u') }; } catch (e) { throw bad(`filter[${i}] regex expr ${JSON.stringify(o.expr)} is not a regular expression: ${(e as Error).message}`); }
    }
    default: throw bad(`filter[${i}] type must be length, stop, stemmer or regex, got ${JSON.stringify(o.type)}`);
  }
}

function stopWords(v: unknown): ReadonlySet<string> {
  if (!Array.isArray(v) || !v.every((w) => typeof w === 'string')) throw bad('stop_words must be a list of words ("_english_" stands for the English list)');
  return new Set((v as string[]).flatMap((w) => (w === '_english_' ? ENGLISH_STOP_WORDS : [w])));
}
