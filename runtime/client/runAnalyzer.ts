import { termHash, type Analyzer } from '../../messages/analyzer.js';
import { ValidationError } from '../../messages/errors.js';
import type { AnalyzerToken } from './api.js';

/** The texts of a run_analyzer call, checked: a text or a list of texts. */
export function analyzerTexts(texts: unknown): string[] {
  const list = typeof texts === 'string' ? [texts] : texts;
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw new ValidationError('runAnalyzer takes a text or a list of texts');
  return list as string[];
}

/** What an analyzer makes of each text (pure): plain terms, or tokens with offsets and positions (`withDetail`) and hashes (`withHash`). */
export function analyzeTexts(texts: readonly string[], analyzer: Analyzer, opts: { withDetail?: boolean; withHash?: boolean }): Array<string[] | AnalyzerToken[]> {
  if (opts.withDetail !== true && opts.withHash !== true) return texts.map((t) => analyzer.tokens(t));
  return texts.map((t) => analyzer.spans(t).map((s, position) => ({
    token: s.term, ...(opts.withDetail ? { start_offset: s.start, end_offset: s.end, position } : {}), ...(opts.withHash ? { hash: termHash(s.term) } : {}),
  })));
}
