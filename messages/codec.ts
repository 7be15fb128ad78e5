import { BinaryReader } from './binary.js';
import { DecodeError, NuthatchError } from './errors.js';
import { LIMITS } from './schema.js';
import { MESSAGE_VERSION, MessageType, type AnyMessage, type Header, type WalPosition } from './types.js';
import { validateMessage } from './validate.js';
import { encodeWith, readValue, writeValue, type Value } from './valueCodec.js';

/**
 * The WAL message codec. Layout: magic 'N', format version, then one tagged value
 * `{t, v, c, s, l, x?, b?, i?, y}` (type, body version, vchannel, tso, last
 * confirmed, txn, broadcast, append id, body). The WAL position is not part of
 * the bytes: the backend assigns it and the reader sets it.
 */
const MAGIC = 0x4e; // 'N'
const FORMAT = 1;

/** Upcasts older body versions to the current one (none exist yet). */
function upcast(type: MessageType, version: number, body: Value): Value {
  if (version > MESSAGE_VERSION) throw new DecodeError(`message version ${version} of ${type} is newer than this build understands (${MESSAGE_VERSION})`);
  return body;
}

export function encodeMessage(m: AnyMessage): Uint8Array {
  const h = m.header;
  const out = encodeWith((w) => {
    w.u8(MAGIC); w.u8(FORMAT);
    writeValue(w, { t: h.type, v: h.version, c: h.vchannel, s: h.tso, l: h.lastConfirmed, x: h.txn, b: h.broadcast, i: h.appendId, y: m.body });
  });
  if (out.length > LIMITS.maxMessageBytes) throw new NuthatchError('PayloadTooLarge', `message of ${out.length} bytes exceeds ${LIMITS.maxMessageBytes}`);
  return out;
}

/** Decodes and validates; anything malformed is a DecodeError, never a crash. */
export function decodeMessage(bytes: Uint8Array, walPosition: WalPosition = -1): AnyMessage {
  const r = new BinaryReader(bytes);
  if (r.u8() !== MAGIC) throw new DecodeError('not a nuthatch message (bad magic)');
  const fmt = r.u8();
  if (fmt !== FORMAT) throw new DecodeError(`unknown message format ${fmt}`);
  const v = readValue(r);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} trailing bytes after message`);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DecodeError('message must be an object');
  const o = v as Record<string, Value>;
  if (typeof o.t !== 'string' || !(o.t in MessageType)) throw new DecodeError(`unknown message type '${String(o.t)}'`);
  if (typeof o.v !== 'number' || typeof o.c !== 'string' || typeof o.s !== 'bigint' || typeof o.l !== 'number') throw new DecodeError('malformed message header');
  const header: Header = { type: o.t as MessageType, version: MESSAGE_VERSION, vchannel: o.c, tso: o.s, walPosition, lastConfirmed: o.l };
  if (o.x != null) {
    const x = o.x as Record<string, Value>;
    if (typeof x !== 'object' || typeof x.id !== 'number') throw new DecodeError('malformed txn header');
    header.txn = { id: x.id, ...(typeof x.keepaliveMs === 'number' ? { keepaliveMs: x.keepaliveMs } : {}) };
  }
  if (o.b != null) {
    const b = o.b as Record<string, Value>;
    if (typeof b !== 'object' || typeof b.id !== 'number' || !Array.isArray(b.vchannels) || !b.vchannels.every((c) => typeof c === 'string')) throw new DecodeError('malformed broadcast header');
    header.broadcast = { id: b.id, vchannels: b.vchannels as string[] };
  }
  if (o.i != null) {
    if (typeof o.i !== 'string' || o.i.length === 0 || o.i.length > 128) throw new DecodeError('malformed append id');
    header.appendId = o.i;
  }
  return validateMessage(header, upcast(header.type, o.v, o.y ?? null));
}
