/**
 * `like` patterns: `%` matches any run of characters, `_` exactly one character
 * (a code point), and `\` makes the next character literal. Common shapes get a
 * string method (`abc%` startsWith, `%abc` endsWith, `%abc%` includes, exact ===);
 * the rest use a linear-space wildcard matcher, never a RegExp, so no pattern
 * can trigger catastrophic backtracking.
 */

const STAR = -1, ONE = -2;

/** Splits a pattern into code points, with STAR for `%` and ONE for `_`. */
function tokens(pattern: string): number[] {
  const out: number[] = [];
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\' && i + 1 < cps.length) { out.push(cps[++i]!.codePointAt(0)!); continue; }
    if (c === '%') { if (out[out.length - 1] !== STAR) out.push(STAR); continue; }
    out.push(c === '_' ? ONE : c.codePointAt(0)!);
  }
  return out;
}

/** Compiles a `like` pattern into a matcher over strings. */
export function compileLike(pattern: string): (s: string) => boolean {
  const toks = tokens(pattern);
  if (toks.includes(ONE)) return wildcard(toks);
  // Only literals and STARs: split into literal parts between the stars.
  const parts: string[] = [''];
  for (const t of toks) {
    if (t === STAR) parts.push('');
    else parts[parts.length - 1] += String.fromCodePoint(t);
  }
  if (parts.length === 1) { const p = parts[0]!; return (s) => s === p; }
  const first = parts[0]!, last = parts[parts.length - 1]!, middle = parts.slice(1, -1);
  if (middle.length === 0) {
    if (last === '') return first === '' ? () => true : (s) => s.startsWith(first);
    if (first === '') return (s) => s.endsWith(last);
  }
  if (middle.length === 1 && first === '' && last === '') { const m = middle[0]!; return (s) => s.includes(m); }
  const min = parts.reduce((n, p) => n + p.length, 0);
  return (s) => {
    if (s.length < min || !s.startsWith(first) || !s.endsWith(last)) return false;
    // Leftmost placement of each middle part is optimal for `*`-only globs.
    let at = first.length;
    const end = s.length - last.length;
    for (const m of middle) {
      const k = s.indexOf(m, at);
      if (k < 0 || k + m.length > end) return false;
      at = k + m.length;
    }
    return true;
  };
}

/** Classic greedy wildcard matching with one backtrack point: O(n*m) time, O(n) space. */
function wildcard(p: number[]): (s: string) => boolean {
  return (str) => {
    const s = Array.from(str, (c) => c.codePointAt(0)!);
    let si = 0, pi = 0, star = -1, mark = 0;
    while (si < s.length) {
      if (pi < p.length && (p[pi] === ONE || p[pi] === s[si])) { si++; pi++; }
      else if (pi < p.length && p[pi] === STAR) { star = pi++; mark = si; }
      else if (star >= 0) { pi = star + 1; si = ++mark; }
      else return false;
    }
    while (pi < p.length && p[pi] === STAR) pi++;
    return pi === p.length;
  };
}

/**
 * The literal text of a pattern that an ordered index can answer: one without
 * `_` whose only `%` (if any) ends it, so it means "equals `text`" or, with
 * `prefix`, "starts with `text`". Null for any other pattern.
 */
export function likeLiteral(pattern: string): { text: string; prefix: boolean } | null {
  const toks = tokens(pattern);
  const star = toks.indexOf(STAR);
  if (toks.includes(ONE) || (star >= 0 && star !== toks.length - 1)) return null;
  let text = '';
  for (const t of star >= 0 ? toks.slice(0, -1) : toks) text += String.fromCodePoint(t);
  return { text, prefix: star >= 0 };
}

/**
 * The literal runs of a pattern: the texts between its wildcards (`%`, `_`),
 * escapes resolved, empty ones left out. Every string the pattern matches
 * holds each run whole (an n-gram index narrows a `like` by them).
 */
export function likeRuns(pattern: string): string[] {
  const out: string[] = [];
  let run = '';
  for (const t of tokens(pattern)) {
    if (t >= 0) { run += String.fromCodePoint(t); continue; }
    if (run) out.push(run);
    run = '';
  }
  if (run) out.push(run);
  return out;
}
