import { ValidationError } from '../errors.js';

/**
 * A VarChar field's analyzer, as Milvus's `analyzer_params` name it: a
 * built-in (`{type: "standard"}`, the default: words lowercased;
 * `{type: "english"}`: also English stop words dropped and words stemmed),
 * or a tokenizer with filters: `{tokenizer: "standard" | "whitespace",
 * filter: ["lowercase", "asciifolding", "alphanumonly", {type: "length", max},
 * {type: "stop", stop_words: [words or "_english_"]}, {type: "stemmer",
 * language: "english"}]}`. Checked here into a spec the analyzer runs
 * (analyzer.ts); one that names what nuthatch lacks is refused, never
 * silently analyzed otherwise.
 */
export type AnalyzerParams = Record<string, unknown>;

export type TokenFilter =
  | { kind: 'lowercase' } | { kind: 'asciifolding' } | { kind: 'alphanumonly' }
  | { kind: 'length'; max: number } | { kind: 'stop'; words: ReadonlySet<string> } | { kind: 'stemmer' };

export interface AnalyzerSpec { tokenizer: 'standard' | 'whitespace'; filters: TokenFilter[] }

/** Lucene's English stop words (`_english_`), as Milvus's stop filter names them. */
export const ENGLISH_STOP_WORDS: readonly string[] = [
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of', 'on', 'or',
  'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
];

export const STANDARD_ANALYZER: AnalyzerSpec = { tokenizer: 'standard', filters: [{ kind: 'lowercase' }] };

const bad = (message: string): ValidationError => new ValidationError(`analyzer_params: ${message}`, { field: 'analyzer_params' });

export function checkAnalyzerParams(p: unknown): AnalyzerSpec {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw bad('must be an object such as {"type": "english"} or {"tokenizer": "standard", "filter": ["lowercase"]}');
  const o = p as Record<string, unknown>;
  const known = new Set(['type', 'tokenizer', 'filter', 'stop_words']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw bad(`unknown key '${k}' (type, tokenizer, filter, stop_words)`);
  if (o.type !== undefined) {
    if (o.tokenizer !== undefined || o.filter !== undefined) throw bad('a built-in analyzer (type) takes no tokenizer or filter');
    const stops = o.stop_words === undefined ? undefined : stopWords(o.stop_words);
    if (o.type === 'standard') return { tokenizer: 'standard', filters: [{ kind: 'lowercase' }, ...(stops ? [{ kind: 'stop' as const, words: stops }] : [])] };
    if (o.type === 'english') return { tokenizer: 'standard', filters: [{ kind: 'lowercase' }, { kind: 'stop', words: stops ?? new Set(ENGLISH_STOP_WORDS) }, { kind: 'stemmer' }] };
    throw bad(`type must be standard or english (nuthatch has no '${String(o.type)}' analyzer)`);
  }
  if (o.stop_words !== undefined) throw bad('stop_words go with a built-in type, or in a stop filter');
  const tokenizer = o.tokenizer ?? 'standard';
  if (tokenizer !== 'standard' && tokenizer !== 'whitespace') throw bad(`tokenizer must be standard or whitespace (nuthatch has no '${typeof tokenizer === 'string' ? tokenizer : JSON.stringify(tokenizer)}' tokenizer)`);
  if (o.filter !== undefined && !Array.isArray(o.filter)) throw bad('filter must be a list');
  return { tokenizer, filters: ((o.filter ?? []) as unknown[]).map(filterOf) };
}

function filterOf(f: unknown, i: number): TokenFilter {
  if (f === 'lowercase' || f === 'asciifolding' || f === 'alphanumonly') return { kind: f };
  if (f === null || typeof f !== 'object' || Array.isArray(f)) throw bad(`filter[${i}] must be lowercase, asciifolding, alphanumonly or {type: length | stop | stemmer, ...}, got ${JSON.stringify(f)}`);
  const o = f as Record<string, unknown>;
  switch (o.type) {
    case 'length':
      if (!Number.isInteger(o.max) || (o.max as number) < 1) throw bad(`filter[${i}] length needs max, a positive integer`);
      return { kind: 'length', max: o.max as number };
    case 'stop': return { kind: 'stop', words: stopWords(o.stop_words) };
    case 'stemmer':
      if (o.language !== 'english') throw bad(`filter[${i}] stemmer language must be english (nuthatch stems English only), got ${JSON.stringify(o.language)}`);
      return { kind: 'stemmer' };
    default: throw bad(`filter[${i}] type must be length, stop or stemmer, got ${JSON.stringify(o.type)}`);
  }
}

function stopWords(v: unknown): ReadonlySet<string> {
  if (!Array.isArray(v) || !v.every((w) => typeof w === 'string')) throw bad('stop_words must be a list of words ("_english_" stands for the English list)');
  return new Set((v as string[]).flatMap((w) => (w === '_english_' ? ENGLISH_STOP_WORDS : [w])));
}
