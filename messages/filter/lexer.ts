/**
 * Splits filter text into tokens. Keywords are case-insensitive and come out
 * lower-cased in `text`; every token keeps its source offset for error messages.
 */
import { filterError } from './ast.js';

export type TokenKind = 'num' | 'str' | 'ident' | 'kw' | 'punct' | 'param' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keyword (lower case), punctuation, identifier, a template parameter's name, or the source text of a literal. */
  text: string;
  /** Literal value of a `num` or `str` token. */
  value?: number | string;
  /** A `num` written with a fraction or exponent. */
  float?: boolean;
  pos: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'is', 'null', 'true', 'false']);
const PUNCT2 = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const PUNCT1 = new Set(['<', '>', '!', '(', ')', '[', ']', ',', '+', '-', '*', '/', '%']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);

/** Shows a character readably in an error message. */
export function showChar(c: string): string {
  return c >= ' ' && c <= '~' ? `'${c}'` : JSON.stringify(c);
}

/** Tokenizes `src`; throws a ValidationError naming the offset of the first bad character. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      i = readNumber(src, i, out);
    } else if (c === '"' || c === "'") {
      i = readString(src, i, out);
    } else if (isIdentStart(c)) {
      while (i < src.length && isIdentPart(src[i]!)) i++;
      const text = src.slice(start, i), lower = text.toLowerCase();
      out.push(KEYWORDS.has(lower) ? { kind: 'kw', text: lower, pos: start } : { kind: 'ident', text, pos: start });
    } else if (PUNCT2.has(src.slice(i, i + 2))) {
      out.push({ kind: 'punct', text: src.slice(i, i + 2), pos: start }); i += 2;
    } else if (PUNCT1.has(c)) {
      out.push({ kind: 'punct', text: c, pos: start }); i++;
    } else if (c === '{') {
      i = readParam(src, i, out);
    } else if (c === '=') {
      throw filterError(`unexpected '=' (did you mean '=='?)`, start);
    } else {
      throw filterError(`unexpected character ${showChar(c)}`, start);
    }
  }
  out.push({ kind: 'eof', text: 'end of input', pos: src.length });
  return out;
}

function readNumber(src: string, i: number, out: Token[]): number {
  const start = i;
  let float = false;
  const radix = /^0[xXoObB]/.test(src.slice(i, i + 2));
  if (radix) {
    i += 2;
    while (i < src.length && /[0-9a-fA-F]/.test(src[i]!)) i++;
  } else {
    while (isDigit(src[i] ?? '')) i++;
    if (src[i] === '.') { float = true; i++; while (isDigit(src[i] ?? '')) i++; }
    if (src[i] === 'e' || src[i] === 'E') {
      float = true; i++;
      if (src[i] === '+' || src[i] === '-') i++;
      if (!isDigit(src[i] ?? '')) throw filterError(`malformed number '${src.slice(start, i)}'`, start);
      while (isDigit(src[i] ?? '')) i++;
    }
  }
  while (i < src.length && (isIdentPart(src[i]!) || src[i] === '.')) i++;
  const text = src.slice(start, i);
  const value = Number(text);
  if (Number.isNaN(value) || (radix && text.length === 2)) throw filterError(`malformed number '${text}'`, start);
  if (!Number.isFinite(value)) throw filterError(`number '${text}' is out of range`, start);
  if (!float && !Number.isSafeInteger(value)) throw filterError(`integer '${text}' is outside the safe integer range`, start);
  out.push({ kind: 'num', text, value, float, pos: start });
  return i;
}

/** `{name}`: a filter template's parameter (filter_params), its value given beside the text. */
function readParam(src: string, i: number, out: Token[]): number {
  const start = i;
  const m = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/.exec(src.slice(i, i + 300));
  if (!m) throw filterError(`malformed template parameter (expected '{name}')`, start);
  out.push({ kind: 'param', text: m[1]!, pos: start });
  return i + m[0].length;
}

function readString(src: string, i: number, out: Token[]): number {
  const start = i, quote = src[i]!;
  let value = '';
  i++;
  for (;;) {
    if (i >= src.length) throw filterError('unterminated string', start);
    const c = src[i]!;
    if (c === quote) { i++; break; }
    if (c !== '\\') { value += c; i++; continue; }
    const e = src[i + 1];
    if (e === undefined) throw filterError('unterminated string', start);
    if (e in ESCAPES) { value += ESCAPES[e]; i += 2; continue; }
    const hex = e === 'x' ? src.slice(i + 2, i + 4) : e === 'u' ? src.slice(i + 2, i + 6) : null;
    if (hex !== null) {
      const n = hex.length === (e === 'x' ? 2 : 4) && /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(n)) throw filterError(`malformed escape '\\${e}${hex}'`, i);
      value += String.fromCharCode(n); i += 2 + hex.length; continue;
    }
    // Unknown escapes stay as written, so `like` patterns can escape '%' and '_' with '\'.
    value += '\\' + e; i += 2;
  }
  out.push({ kind: 'str', text: src.slice(start, i), value, pos: start });
  return i;
}
