import { ValidationError } from '../../messages/index.js';

/**
 * Reads one JSON object of a request field by field. Every accessor checks the
 * type and range of its field and throws a ValidationError (InvalidArgument)
 * that names the field by its path (`searchParams.params.ef`), so a client
 * always learns which part of its request is wrong. Optional fields may be
 * absent or `null` (clients often serialize "unset" as null); required ones not.
 */
export class JsonReader {
  private constructor(readonly value: Readonly<Record<string, unknown>>, readonly path: string) {}

  /**
   * Checks that `v` is a plain JSON object whose keys are all `known`. Keys in
   * `unsupported` are Milvus fields nuthatch does not implement: they get their
   * own message, so a Milvus client learns that the field is understood but refused.
   */
  static object(v: unknown, path: string, known: readonly string[], unsupported: readonly string[] = []): JsonReader {
    if (!isPlainObject(v)) throw new ValidationError(`${label(path, 'the request body')} must be a JSON object, got ${describe(v)}`);
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const at = join(path, key);
      if (unsupported.includes(key)) throw new ValidationError(`field '${at}' is not supported by nuthatch`, { field: at });
      throw new ValidationError(`unknown field '${at}'${known.length ? ` (known fields: ${known.join(', ')})` : ''}`, { field: at });
    }
    return new JsonReader(v, path);
  }

  /** The path of a key of this object, for messages. */
  at(key: string): string { return join(this.path, key); }

  /** True when the key is present and not null. */
  has(key: string): boolean { return this.value[key] !== undefined && this.value[key] !== null; }

  /** The raw value, or undefined when absent or null. */
  raw(key: string): unknown { return this.has(key) ? this.value[key] : undefined; }

  /** The raw value; throws when absent or null. */
  required(key: string): unknown {
    if (!this.has(key)) throw new ValidationError(`field '${this.at(key)}' is required`, { field: this.at(key) });
    return this.value[key];
  }

  /** A string, non-empty unless allowed, at most maxLength characters. */
  str(key: string, opts: { allowEmpty?: boolean; maxLength?: number } = {}): string {
    const v = this.required(key);
    if (typeof v !== 'string') throw this.wrong(key, 'a string', v);
    if (!opts.allowEmpty && v.length === 0) throw new ValidationError(`field '${this.at(key)}' must not be empty`, { field: this.at(key) });
    if (opts.maxLength !== undefined && v.length > opts.maxLength) throw new ValidationError(`field '${this.at(key)}' is longer than ${opts.maxLength} characters`, { field: this.at(key) });
    return v;
  }

  optStr(key: string, opts: { allowEmpty?: boolean; maxLength?: number } = {}): string | undefined {
    return this.has(key) ? this.str(key, opts) : undefined;
  }

  /** An integer in min..max (a JSON number; "5" is refused). */
  int(key: string, min: number, max: number): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw this.wrong(key, `an integer in ${min}..${max}`, v);
    return v;
  }

  optInt(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.int(key, min, max) : undefined;
  }

  bool(key: string): boolean {
    const v = this.required(key);
    if (typeof v !== 'boolean') throw this.wrong(key, 'true or false', v);
    return v;
  }

  optBool(key: string): boolean | undefined { return this.has(key) ? this.bool(key) : undefined; }

  /** A list of strings, each non-empty. */
  strList(key: string, opts: { allowEmptyList?: boolean } = {}): string[] {
    const v = this.required(key);
    if (!Array.isArray(v)) throw this.wrong(key, 'a list of strings', v);
    if (!opts.allowEmptyList && v.length === 0) throw new ValidationError(`field '${this.at(key)}' must not be an empty list`, { field: this.at(key) });
    v.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0) throw new ValidationError(`field '${this.at(key)}[${i}]' must be a non-empty string, got ${describe(s)}`, { field: `${this.at(key)}[${i}]` });
    });
    return v as string[];
  }

  optStrList(key: string): string[] | undefined {
    return this.has(key) ? this.strList(key, { allowEmptyList: true }) : undefined;
  }

  /** A nested object, read with its own known keys. */
  obj(key: string, known: readonly string[], unsupported: readonly string[] = []): JsonReader {
    return JsonReader.object(this.required(key), this.at(key), known, unsupported);
  }

  optObj(key: string, known: readonly string[], unsupported: readonly string[] = []): JsonReader | undefined {
    return this.has(key) ? this.obj(key, known, unsupported) : undefined;
  }

  /** A nested object whose keys are free (params maps): only checks it is an object. */
  map(key: string): Record<string, unknown> {
    const v = this.required(key);
    if (!isPlainObject(v)) throw this.wrong(key, 'a JSON object', v);
    return v;
  }

  /** The error for a field of the wrong type, naming its path and what it got. */
  wrong(key: string, expected: string, got: unknown): ValidationError {
    return new ValidationError(`field '${this.at(key)}' must be ${expected}, got ${describe(got)}`, { field: this.at(key) });
  }
}

/** A JSON object: not null, not a list. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a JSON value for error messages (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length > 40 ? `the string "${v.slice(0, 40)}..."` : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return `${v} (beyond the safe integer range)`;
  return String(v);
}

function join(path: string, key: string): string { return path ? `${path}.${key}` : key; }
function label(path: string, fallback: string): string { return path ? `field '${path}'` : fallback; }
