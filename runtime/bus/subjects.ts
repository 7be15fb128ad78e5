/**
 * NATS subject rules, shared by both bus adapters so that a subject the in-process
 * bus accepts is one NATS accepts too: tokens separated by '.', no empty token, no
 * whitespace; '*' matches one token and '>' (last token only) one or more.
 */
import { NuthatchError } from '../../messages/errors.js';

const BAD_CHARS = /[\s\0]/;

/**
 * Literal subjects found valid (valid in either mode): a request checks the same
 * few subjects again and again. Bounded, as subjects may be made per request.
 */
const validLiterals = new Set<string>();
const MAX_REMEMBERED = 4096;

/**
 * Throws InvalidArgument unless `subject` is a valid subject. Publishing needs a
 * literal subject (`wildcards: false`); subscribing may use '*' and '>'.
 */
export function assertSubject(subject: string, wildcards: boolean): void {
  if (validLiterals.has(subject)) return;
  const bad = (why: string): never => { throw new NuthatchError('InvalidArgument', `invalid subject '${subject}': ${why}`, { subject }); };
  if (typeof subject !== 'string' || subject.length === 0) bad('empty');
  if (BAD_CHARS.test(subject)) bad('contains whitespace');
  const tokens = subject.split('.');
  tokens.forEach((t, i) => {
    if (t.length === 0) bad('empty token');
    if (t === '*' || t === '>') {
      if (!wildcards) bad('wildcards are not allowed here');
      if (t === '>' && i !== tokens.length - 1) bad("'>' must be the last token");
    }
  });
  if (!tokens.includes('*') && !tokens.includes('>')) {
    if (validLiterals.size >= MAX_REMEMBERED) validLiterals.clear();
    validLiterals.add(subject);
  }
}

/** Whether `subject` (literal) matches `pattern` (may hold wildcards). */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  // A pattern without wildcard characters matches only itself: no token split (the common case).
  if (!pattern.includes('*') && !pattern.includes('>')) return false;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === '>') return s.length > i;
    if (i >= s.length) return false;
    if (t !== '*' && t !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Whether a handler returned a promise (a handler typed `void` may still be async). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | undefined)?.then === 'function';
}
