/**
 * How the local object store maps S3-style keys to files. S3 lets "a" and "a/b"
 * both exist, and keys may hold any character, so each '/'-separated segment is
 * percent-encoded (only [A-Za-z0-9_.-] stay, and a leading '.' is encoded so no
 * name is '.', '..' or hidden) and an object's file name ends in '@', a character
 * that never survives encoding: a directory and an object can never collide, and
 * temp files (".tmp-...") are never mistaken for objects.
 */
import { NuthatchError } from '../../messages/errors.js';

const KEEP = /^[A-Za-z0-9_.-]$/;
export const OBJECT_SUFFIX = '@';
const EMPTY_SEGMENT = '%';

/** Encodes one key segment as a file or directory name. */
export function encodeSegment(seg: string): string {
  if (seg === '') return EMPTY_SEGMENT;
  let out = '';
  for (const ch of seg) {
    if (KEEP.test(ch) && !(ch === '.' && out === '')) { out += ch; continue; }
    for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes a name made by encodeSegment; undefined for names it could not have made. */
export function decodeSegment(name: string): string | undefined {
  if (name === EMPTY_SEGMENT) return '';
  if (name.startsWith('.') || !/^(?:[A-Za-z0-9_.-]|%[0-9A-F]{2})+$/.test(name)) return undefined;
  try { return decodeURIComponent(name); } catch { return undefined; }
}

/** The relative path segments of the file that holds `key`. */
export function keyToPath(key: string): string[] {
  if (typeof key !== 'string' || key.length === 0) throw new NuthatchError('InvalidArgument', 'object key must be a non-empty string');
  if (new TextEncoder().encode(key).length > 1024) throw new NuthatchError('InvalidArgument', 'object key longer than 1024 bytes', { key });
  const segs = key.split('/').map(encodeSegment);
  segs[segs.length - 1] += OBJECT_SUFFIX;
  return segs;
}
