import { termHash, type Analyzer } from '../../messages/analyzer.js';
import { ValidationError } from '../../messages/errors.js';
import type { AnalyzerToken } from './api.js';

/** The texts of a run_analyzer call, checked: a text or a list of texts. */
export function analyzerTexts(texts: unknown): string[] {
  const list = typeof texts === 'string' ? [texts] : texts;
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw new ValidationError('runAnalyzer takes a text or a list of texts');
  return list as string[];
}

/** analyzer_names of a run_analyzer call: one name for every text, or one per text; undefined: each text's default analyzer. */
export function analyzerNamesOf(names: unknown, texts: number): string[] | undefined {
  if (names === undefined) return undefined;
  if (typeof names === 'string') return new Array<string>(texts).fill(names);
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string') || names.length !== texts) throw new ValidationError(`analyzerNames must be a name or a list of ${texts} names (one per text)`, { field: 'analyzer_names' });
  return names as string[];
}

/** What an analyzer makes of each text (pure): plain terms, or tokens with offsets and positions (`withDetail`) and hashes (`withHash`); `analyzerOf(i)` is text i's. */
export function analyzeTexts(texts: readonly string[], analyzerOf: (i: number) => Analyzer, opts: { withDetail?: boolean; withHash?: boolean }): Array<string[] | AnalyzerToken[]> {
  if (opts.withDetail !== true && opts.withHash !== true) return texts.map((t, i) => analyzerOf(i).tokens(t));
  return texts.map((t, i) => analyzerOf(i).spans(t).map((s, position) => ({
    token: s.term, ...(opts.withDetail ? { start_offset: s.start, end_offset: s.end, position } : {}), ...(opts.withHash ? { hash: termHash(s.term) } : {}),
  })));
}
