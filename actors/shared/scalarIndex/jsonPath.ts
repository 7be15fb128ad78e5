import { ValidationError } from '../../../messages/errors.js';
import { tokenize, type Token } from '../../../messages/filter/lexer.js';

/** A JSON path as a filter names it: a field (or a dynamic key) and the keys below it. */
export interface JsonPath { name: string; path: (string | number)[] }

/**
 * Reads a Milvus `json_path`: a name, then `["key"]` or `[index]` steps, as
 * a filter writes them (`meta["supplier"]["contact"]`, `meta["tags"][0]`,
 * `meta` for the whole value). Strings take the filter's quotes and escapes;
 * anything else is a ValidationError naming the offset.
 */
export function parseJsonPath(text: unknown): JsonPath {
  if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('json_path must be a non-empty string such as meta["key"]', { field: 'json_path' });
  let tokens: Token[];
  try { tokens = tokenize(text); } catch (e) { throw bad(text, e instanceof Error ? e.message : String(e)); }
  const head = tokens[0]!;
  if (head.kind !== 'ident') throw bad(text, `it must start with a field name, not ${head.text}`);
  const path: (string | number)[] = [];
  let i = 1;
  while (tokens[i]!.kind !== 'eof') {
    const [open, key, close] = [tokens[i]!, tokens[i + 1], tokens[i + 2]];
    const ok = open.text === '[' && close?.text === ']' && key !== undefined
      && (key.kind === 'str' || (key.kind === 'num' && !key.float && Number.isSafeInteger(key.value)));
    if (!ok) throw bad(text, `expected ["key"] or [index] at ${open.pos}`);
    path.push(key.value!);
    i += 3;
  }
  return { name: head.text, path };
}

function bad(text: string, why: string): ValidationError {
  return new ValidationError(`json_path ${JSON.stringify(text)} is not a JSON path: ${why}`, { field: 'json_path' });
}

/** The path written back canonically: `name["a"][0]`, keys JSON-quoted. */
export function formatJsonPath(p: JsonPath): string {
  return p.name + p.path.map((k) => (typeof k === 'number' ? `[${k}]` : `[${JSON.stringify(k)}]`)).join('');
}

/**
 * What a scalar index is looked up by: a typed field's name, or for a JSON
 * path index the resolved path (`$meta["color"]` for a dynamic key). Field
 * names hold no brackets, so the two never meet, and a filter node
 * `{name, path}` finds its index by the same key.
 */
export const pathKeyOf = (name: string, path: readonly (string | number)[]): string => formatJsonPath({ name, path: [...path] });
