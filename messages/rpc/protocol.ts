import { DecodeError, errorFromWire, NuthatchError, asNuthatchError, type WireError } from '../errors.js';
import { decodeValue, encodeObjectWith, encodeValue } from '../valueCodec.js';

/**
 * Bus requests between actors. Each actor's protocol is a map from an operation
 * name to its request and reply types; a request travels as `{op, ...request}` and a
 * reply as `{ok: true, value}` or `{ok: false, error}`, both through the one value
 * codec. Checks run on every decoded request so a malformed one is answered with
 * a typed error, never a crash.
 */
export type Protocol = Record<string, { req: object; res: unknown }>;

export type RequestOf<P extends Protocol> = { [K in keyof P & string]: { op: K } & P[K]['req'] }[keyof P & string];

/** Per-op shape checks: throw DecodeError on a malformed request. */
export type Checks<P extends Protocol> = { [K in keyof P & string]: (req: Record<string, unknown>) => void };

export function encodeRequest<P extends Protocol, K extends keyof P & string>(op: K, req: P[K]['req']): Uint8Array {
  return encodeObjectWith(req, 'op', op);
}

export function decodeRequest<P extends Protocol>(bytes: Uint8Array, checks: Checks<P>): RequestOf<P> {
  const v = decodeValue(bytes);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Float32Array || v instanceof Uint8Array) throw new DecodeError('request must be an object');
  const o = v as Record<string, unknown>;
  if (typeof o.op !== 'string' || !Object.hasOwn(checks, o.op)) throw new DecodeError(`unknown operation '${String(o.op)}'`);
  checks[o.op as keyof P & string](o);
  return o as RequestOf<P>;
}

export function encodeReply(value: unknown): Uint8Array { return encodeValue({ ok: true, value }); }
export function encodeErrorReply(e: unknown): Uint8Array {
  const err = asNuthatchError(e);
  return encodeValue({ ok: false, error: err.toWire() as unknown as Record<string, unknown> });
}

/** Decodes a reply: the value, or the typed error it carries (thrown). */
export function decodeReply<T>(bytes: Uint8Array): T {
  const v = decodeValue(bytes) as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object') throw new DecodeError('reply must be an object');
  if (v.ok === true) return v.value as T;
  if (v.ok === false && v.error && typeof v.error === 'object') throw errorFromWire(v.error as unknown as WireError);
  throw new DecodeError('malformed reply');
}

// Small reusable checks for protocol validators.
export function need(o: Record<string, unknown>, key: string, kind: 'string' | 'number' | 'bigint' | 'boolean' | 'object' | 'array' | 'f32' | 'bytes'): void {
  const v = o[key];
  const ok = kind === 'array' ? Array.isArray(v)
    : kind === 'f32' ? v instanceof Float32Array
      : kind === 'bytes' ? v instanceof Uint8Array
        : kind === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v)
          : typeof v === kind;
  if (!ok) throw new DecodeError(`'${key}' must be ${kind}`);
}
export function needAll(o: Record<string, unknown>, spec: Record<string, Parameters<typeof need>[2]>): void {
  for (const k in spec) need(o, k, spec[k]!);
}
export { NuthatchError };
