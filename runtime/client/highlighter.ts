import { ValidationError } from '../../messages/errors.js';
import { fieldAnalyzer, textAnalysis, tokenize, type Analyzer, type TextAnalysis } from '../../messages/analyzer.js';
import type { CollectionSchema } from '../../messages/schema.js';

/**
 * Milvus 2.6's lexical highlighter, pure: after a search, the terms of its
 * BM25 query text (highlight_search_text) and of named text queries
 * (highlight_query, as TEXT_MATCH takes them) are wrapped in tags where they
 * occur in the hits' text fields, and returned as fragments of those fields.
 * Terms match as the field's analyzer makes them (messages/analyzer.ts: by
 * default runs of letters, marks and digits, lowercased; stems and stop words
 * with an english one), so a highlight marks what the search matched. It
 * changes no hit, score or order.
 */
export interface LexicalHighlighter {
  type?: 'Lexical';
  /** Tags around each match, taken in turn by match sequence (default `<em>` and `</em>`). */
  pre_tags?: string[];
  post_tags?: string[];
  /** Characters of context kept before a fragment's first match (default 0). */
  fragment_offset?: number;
  /** Most characters of text a fragment holds, tags aside (default 100). */
  fragment_size?: number;
  /** Most fragments per field (default 5); 0: the whole text, highlighted. */
  num_of_fragments?: number;
  /** Text queries whose terms are highlighted in their field. */
  highlight_query?: Array<{ type: string; field: string; text: string }>;
  /** Whether the terms of a BM25 search's query text are highlighted in the searched function's input field. */
  highlight_search_text?: boolean;
}

/** The highlighter checked: tags, fragment shape, and per field the terms to mark (search text added per query by `termsFor`). */
export interface CheckedHighlighter {
  pre: string[];
  post: string[];
  offset: number;
  size: number;
  fragments: number;
  /** Texts of highlight_query, by field (analyzed per hit: a multi-analyzer field's row picks its analyzer, as text_match). */
  queryTexts: Map<string, string[]>;
  /** The field the search text's terms are highlighted in (the BM25 function's input), if asked. */
  searchField?: string;
  /** The analyzer the search text was analyzed with (its analyzer_name's with multi_analyzer_params). */
  searchAnalyzer?: Analyzer;
  /** How each highlighted field is analyzed. */
  analyses: Map<string, TextAnalysis>;
}

const DEFAULT_SIZE = 100, DEFAULT_FRAGMENTS = 5;

export function checkHighlighter(h: unknown, schema: CollectionSchema, bm25Input: string | undefined, analyzerName?: string): CheckedHighlighter {
  const at = { field: 'highlighter' };
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new ValidationError('highlighter must be an object: {type: "Lexical", pre_tags, post_tags, highlight_search_text, highlight_query, ...}', at);
  const o = h as LexicalHighlighter;
  if (o.type !== undefined && String(o.type).toLowerCase() !== 'lexical') throw new ValidationError(`highlighter type must be Lexical (nuthatch has no semantic highlighter), got ${String(o.type)}`, at);
  const tags = (v: unknown, name: string, def: string): string[] => {
    if (v === undefined) return [def];
    if (!Array.isArray(v) || v.length === 0 || !v.every((t) => typeof t === 'string')) throw new ValidationError(`highlighter ${name} must be a non-empty list of strings`, at);
    return v as string[];
  };
  const pre = tags(o.pre_tags, 'pre_tags', '<em>'), post = tags(o.post_tags, 'post_tags', '</em>');
  if (pre.length !== post.length) throw new ValidationError(`highlighter pre_tags and post_tags must pair up: ${pre.length} and ${post.length} given`, at);
  const int = (v: unknown, name: string, def: number, least: number): number => {
    if (v === undefined) return def;
    if (!Number.isInteger(v) || (v as number) < least || (v as number) > 1_000_000) throw new ValidationError(`highlighter ${name} must be an integer in ${least}..1000000, got ${String(v)}`, at);
    return v as number;
  };
  const checked: CheckedHighlighter = {
    pre, post, offset: int(o.fragment_offset, 'fragment_offset', 0, 0), size: int(o.fragment_size, 'fragment_size', DEFAULT_SIZE, 1),
    fragments: int(o.num_of_fragments, 'num_of_fragments', DEFAULT_FRAGMENTS, 0), queryTexts: new Map(), analyses: new Map(),
  };
  const analysis = (field: string): TextAnalysis => {
    let a = checked.analyses.get(field);
    if (!a) { a = textAnalysis(schema, field); checked.analyses.set(field, a); }
    return a;
  };
  if (o.highlight_search_text !== undefined && typeof o.highlight_search_text !== 'boolean') throw new ValidationError('highlighter highlight_search_text must be true or false', at);
  if (o.highlight_search_text === true) {
    if (bm25Input === undefined) throw new ValidationError('highlight_search_text needs a full text search: a search of a BM25 function\'s output field with text', at);
    checked.searchField = bm25Input;
    checked.searchAnalyzer = analysis(bm25Input).named(analyzerName);
  }
  if (o.highlight_query !== undefined && !Array.isArray(o.highlight_query)) throw new ValidationError('highlighter highlight_query must be a list of {type, field, text}', at);
  for (const [i, q] of (o.highlight_query ?? []).entries()) {
    if (q === null || typeof q !== 'object' || typeof q.field !== 'string' || typeof q.text !== 'string') throw new ValidationError(`highlight_query[${i}] must be {type: "TextMatch", field, text}`, at);
    if (String(q.type ?? '').toLowerCase() !== 'textmatch') throw new ValidationError(`highlight_query[${i}].type must be TextMatch, got ${String(q.type)}`, at);
    const f = schema.fields.find((x) => x.name === q.field);
    if (!f || f.dataType !== 'VarChar') throw new ValidationError(`highlight_query[${i}].field '${q.field}' must be a VarChar field of the collection`, at);
    analysis(q.field);
    checked.queryTexts.set(q.field, [...(checked.queryTexts.get(q.field) ?? []), q.text]);
  }
  if (checked.searchField === undefined && checked.queryTexts.size === 0) throw new ValidationError('a highlighter needs highlight_search_text or highlight_query: it has no terms to mark', at);
  return checked;
}

/** The fields highlighted. */
function markedFields(h: CheckedHighlighter): string[] {
  return [...new Set([...(h.searchField ? [h.searchField] : []), ...h.queryTexts.keys()])];
}

/** The fields a highlighter reads (the search asks for them with its hits): those highlighted, and the by_field of a multi-analyzer one. */
export function highlightedFields(h: CheckedHighlighter): string[] {
  const marked = markedFields(h);
  return [...new Set([...marked, ...marked.flatMap((f) => h.analyses.get(f)?.byField ?? [])])];
}

/** The highlights of one hit's fields: field → fragments (fields without a match are left out). */
export function highlightHit(h: CheckedHighlighter, fields: Record<string, unknown>, searchText: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const field of markedFields(h)) {
    const text = fields[field];
    if (typeof text !== 'string') continue;
    const analysis = h.analyses.get(field)!, an = analysis.forRow(analysis.byField === undefined ? undefined : fields[analysis.byField]);
    const terms = new Set((h.queryTexts.get(field) ?? []).flatMap((q) => tokenize(q, an)));
    // The search text's terms as the search made them; the hit's text as its row was analyzed: what BM25 matched.
    if (field === h.searchField && searchText !== undefined) for (const t of tokenize(searchText, h.searchAnalyzer ?? an)) terms.add(t);
    const frags = highlightText(h, text, terms, an);
    if (frags.length > 0) out[field] = frags;
  }
  return out;
}

/** The spans [start, end) of `text`'s tokens whose terms (by the analyzer) are in `terms`, in order. */
export function matchSpans(text: string, terms: ReadonlySet<string>, analyzer: Analyzer = fieldAnalyzer(undefined)): Array<[number, number]> {
  return analyzer.spans(text).filter((s) => terms.has(s.term)).map((s) => [s.start, s.end]);
}

/**
 * A text's fragments with its matches tagged: each fragment starts
 * `fragment_offset` characters before a match not yet shown and holds up to
 * `fragment_size` characters; a match the window cuts is left whole to the
 * next fragment. With num_of_fragments 0, the whole text.
 */
export function highlightText(h: CheckedHighlighter, text: string, terms: ReadonlySet<string>, analyzer?: Analyzer): string[] {
  const spans = matchSpans(text, terms, analyzer);
  if (spans.length === 0) return [];
  let tag = 0;
  const render = (from: number, to: number, inside: Array<[number, number]>): string => {
    let s = '', at = from;
    for (const [a, b] of inside) {
      s += text.slice(at, a) + h.pre[tag % h.pre.length] + text.slice(a, b) + h.post[tag % h.post.length];
      tag++;
      at = b;
    }
    return s + text.slice(at, to);
  };
  if (h.fragments === 0) return [render(0, text.length, spans)];
  const out: string[] = [];
  let i = 0;
  while (i < spans.length && out.length < h.fragments) {
    const start = Math.max(0, spans[i]![0] - h.offset), end = Math.min(text.length, start + Math.max(h.size, spans[i]![1] - start));
    const inside: Array<[number, number]> = [];
    while (i < spans.length && spans[i]![1] <= end) inside.push(spans[i++]!);
    out.push(render(start, end, inside));
  }
  return out;
}
