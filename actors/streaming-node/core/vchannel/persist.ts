import { DecodeError } from '../../../../messages/errors.js';
import type { VchannelContext } from './context.js';
import type { VchannelSnapshot } from './apply.js';
import { vchannelMachine } from './machine.js';

/** Persisted layout version; bump and upcast in `restoreVchannel` when the context changes. */
export const PERSISTED_VCHANNEL_VERSION = 1;

const STATES: ReadonlySet<string> = new Set(['absent', 'live', 'dropped']);

/** The TSO-valued fields of each record kind: the only bigints in a context. */
const TSO_FIELDS = {
  collection: ['createdTso', 'droppedTso', 'droppedTtlFieldTso', 'schemaTso'],
  partitions: ['createdTso', 'droppedTso', 'allocationFence'],
  segments: ['createdTso', 'sealedTso', 'flushedTso'],
  indexes: ['createdTso'],
  txns: ['beganTso', 'lastTso', 'expiresTso', 'abortedTso'],
} as const;

type Obj = Record<string, unknown>;

/** Maps the TSO fields of one record; null and 'infinite' pass through. */
function mapTsos(o: unknown, fields: readonly string[], f: (v: unknown) => unknown): Obj {
  if (o === null || typeof o !== 'object') throw new DecodeError('persisted vchannel record must be an object');
  const c: Obj = { ...(o as Obj) };
  // Optional TSOs (absent: never set) stay absent.
  for (const k of fields) if (c[k] !== null && c[k] !== undefined && c[k] !== 'infinite') c[k] = f(c[k]);
  return c;
}

function mapRecords(rec: unknown, fields: readonly string[], f: (v: unknown) => unknown): Obj {
  if (rec === null || typeof rec !== 'object') throw new DecodeError('persisted vchannel records must be an object');
  // fromEntries defines own keys, so an index named '__proto__' stays an ordinary entry.
  return Object.fromEntries(Object.entries(rec as Obj).map(([k, v]) => [k, mapTsos(v, fields, f)]));
}

function mapContext(c: Obj, f: (v: unknown) => unknown): Obj {
  return {
    ...c,
    lastTso: f(c.lastTso),
    collection: c.collection === null ? null : mapTsos(c.collection, TSO_FIELDS.collection, f),
    partitions: mapRecords(c.partitions, TSO_FIELDS.partitions, f),
    segments: mapRecords(c.segments, TSO_FIELDS.segments, f),
    indexes: mapRecords(c.indexes, TSO_FIELDS.indexes, f),
    txns: mapRecords(c.txns, TSO_FIELDS.txns, f),
  };
}

const toText = (v: unknown): unknown => (v as bigint).toString();
const toTso = (v: unknown): bigint => {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new DecodeError(`persisted TSO must be a decimal string, got ${JSON.stringify(v)}`);
  return BigInt(v);
};

/** A JSON-safe copy of a snapshot: state, context, TSOs as decimal strings. */
export function persistVchannel(s: VchannelSnapshot): unknown {
  const context = mapContext(s.context as unknown as Obj, toText);
  return JSON.parse(JSON.stringify({ version: PERSISTED_VCHANNEL_VERSION, state: String(s.value), context }));
}

/** The snapshot `persistVchannel` saved. Throws DecodeError on a malformed or newer layout. */
export function restoreVchannel(p: unknown): VchannelSnapshot {
  const o = p as Obj | null;
  if (o === null || typeof o !== 'object') throw new DecodeError('persisted vchannel must be an object');
  if (o.version !== PERSISTED_VCHANNEL_VERSION) throw new DecodeError(`persisted vchannel version ${String(o.version)} is not ${PERSISTED_VCHANNEL_VERSION}`);
  if (typeof o.state !== 'string' || !STATES.has(o.state)) throw new DecodeError(`persisted vchannel state ${String(o.state)} is unknown`);
  const c = o.context as Obj | null;
  if (c === null || typeof c !== 'object' || typeof c.vchannel !== 'string') throw new DecodeError('persisted vchannel context is malformed');
  const context = mapContext(structuredClone(c), toTso) as unknown as VchannelContext;
  return vchannelMachine.resolveState({ value: o.state, context });
}
