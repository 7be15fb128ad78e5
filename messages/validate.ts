import { DecodeError } from './errors.js';
import { MAX_TTL_SECONDS } from './collectionProperties.js';
import { DataType, MetricType, type CollectionSchema, type Rows } from './schema.js';
import { MessageType, type AnyMessage, type Bodies, type Header } from './types.js';

/**
 * Shape validators for decoded WAL messages. They check that bytes decode to the
 * message their type names (field presence and types); whether the message is
 * allowed now is the vchannel machine's business, not the codec's.
 */
type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Float32Array || v instanceof Uint8Array) throw new DecodeError(`${what} must be an object`);
  return v as Obj;
}
function int(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new DecodeError(`'${k}' must be an integer`);
  return v;
}
function str(o: Obj, k: string): string {
  if (typeof o[k] !== 'string') throw new DecodeError(`'${k}' must be a string`);
  return o[k] as string;
}
function bool(o: Obj, k: string): boolean {
  if (typeof o[k] !== 'boolean') throw new DecodeError(`'${k}' must be a boolean`);
  return o[k] as boolean;
}
function arr(o: Obj, k: string): unknown[] {
  if (!Array.isArray(o[k])) throw new DecodeError(`'${k}' must be an array`);
  return o[k] as unknown[];
}
/** A schema function's shape (what it names is the vchannel machine's PayloadMatchesSchema). */
function fn(v: unknown) {
  const f = obj(v, 'function');
  str(f, 'name'); str(f, 'type');
  for (const k of ['inputFieldNames', 'outputFieldNames']) if (!arr(f, k).every((n) => typeof n === 'string')) throw new DecodeError(`'${k}' must list field names`);
  if (f.params !== undefined) obj(f.params, 'params');
}
function partition(v: unknown) { const p = obj(v, 'partition'); int(p, 'id'); str(p, 'name'); }

function schema(v: unknown): CollectionSchema {
  const s = obj(v, 'schema');
  for (const f of arr(s, 'fields')) {
    const fo = obj(f, 'field');
    str(fo, 'name');
    if (!Object.values(DataType).includes(fo.dataType as DataType)) throw new DecodeError(`unknown data type '${String(fo.dataType)}'`);
    const d = fo.defaultValue;
    if (d !== undefined && d !== null && typeof d !== 'boolean' && typeof d !== 'number' && typeof d !== 'string') throw new DecodeError(`the default value of field '${String(fo.name)}' must be a boolean, number or string`);
  }
  return s as unknown as CollectionSchema;
}

function rows(v: unknown): Rows {
  const r = obj(v, 'rows');
  const count = int(r, 'count');
  const pks = arr(r, 'pks');
  if (pks.length !== count) throw new DecodeError('pks length differs from count');
  for (const k of pks) if (typeof k !== 'number' && typeof k !== 'string') throw new DecodeError('a primary key must be a number or string');
  if (!(r.vectors instanceof Float32Array)) throw new DecodeError("'vectors' must be float32");
  const fields = obj(r.fields, 'fields');
  for (const k of Object.keys(fields)) if (!Array.isArray(fields[k])) throw new DecodeError(`column '${k}' must be an array`);
  return r as unknown as Rows;
}

/** An optional schema version a write carries: a TSO when present. */
function schemaVersion(b: Obj): void {
  if (b.schemaVersion !== undefined && (typeof b.schemaVersion !== 'bigint' || b.schemaVersion < 0n)) throw new DecodeError('schemaVersion must be a TSO');
}

const BODY: { [T in MessageType]: (b: Obj) => void } = {
  TimeTick: (b) => { bool(b, 'persisted'); },
  CreateCollection: (b) => {
    int(b, 'collectionId'); str(b, 'name'); schema(b.schema); int(b, 'shardIndex'); int(b, 'shards');
    arr(b, 'partitions').forEach(partition);
    if (!Object.values(MetricType).includes(b.metricType as MetricType)) throw new DecodeError('unknown metric type');
    str(b, 'consistencyLevel');
    if (b.ttlSeconds !== undefined) ttl(b);
    if (b.ttlField !== undefined) str(b, 'ttlField');
  },
  DropCollection: (b) => { int(b, 'collectionId'); },
  CreatePartition: (b) => { int(b, 'collectionId'); partition(b.partition); },
  DropPartition: (b) => { int(b, 'collectionId'); int(b, 'partitionId'); },
  Insert: (b) => { int(b, 'collectionId'); int(b, 'partitionId'); int(b, 'segmentId'); rows(b.rows); schemaVersion(b); },
  Delete: (b) => {
    int(b, 'collectionId'); int(b, 'partitionId'); schemaVersion(b);
    for (const k of arr(b, 'pks')) if (typeof k !== 'number' && typeof k !== 'string') throw new DecodeError('a primary key must be a number or string');
  },
  CreateSegment: (b) => { int(b, 'collectionId'); int(b, 'partitionId'); int(b, 'segmentId'); },
  SealSegment: (b) => { int(b, 'collectionId'); int(b, 'segmentId'); str(b, 'reason'); },
  Flush: (b) => { int(b, 'collectionId'); int(b, 'segmentId'); },
  ManualFlush: (b) => { int(b, 'collectionId'); },
  TruncateCollection: (b) => { int(b, 'collectionId'); },
  CreateIndex: (b) => {
    int(b, 'collectionId');
    const i = obj(b.index, 'index');
    str(i, 'indexName'); str(i, 'fieldName'); str(i, 'indexType'); obj(i.params, 'params');
    // A scalar index has no metric (messages of version 1 before scalar indexes always carry one).
    if (i.metricType !== undefined) str(i, 'metricType');
  },
  DropIndex: (b) => { int(b, 'collectionId'); str(b, 'indexName'); },
  BeginTxn: (b) => { int(b, 'keepaliveMs'); },
  CommitTxn: () => {},
  RollbackTxn: () => {},
  AlterCollection: (b) => { int(b, 'collectionId'); ttl(b); if (b.ttlField !== undefined) str(b, 'ttlField'); },
  RenameCollection: (b) => { int(b, 'collectionId'); str(b, 'name'); },
  AddCollectionField: (b) => { int(b, 'collectionId'); schemaVersion(b); const f = obj(b.field, 'field'); str(f, 'name'); str(f, 'dataType'); },
  AlterCollectionField: (b) => {
    int(b, 'collectionId'); str(b, 'fieldName'); schemaVersion(b);
    const p = obj(b.params, 'params');
    for (const k of Object.keys(p)) if (k !== 'maxLength' && k !== 'maxCapacity') throw new DecodeError(`unknown field param '${k}'`);
    if (p.maxLength !== undefined) int(p, 'maxLength');
    if (p.maxCapacity !== undefined) int(p, 'maxCapacity');
  },
  DropCollectionField: (b) => { int(b, 'collectionId'); str(b, 'fieldName'); schemaVersion(b); },
  AddCollectionFunction: (b) => { int(b, 'collectionId'); fn(b.function); schemaVersion(b); },
  AlterCollectionFunction: (b) => { int(b, 'collectionId'); fn(b.function); schemaVersion(b); },
  DropCollectionFunction: (b) => { int(b, 'collectionId'); str(b, 'functionName'); schemaVersion(b); },
  RestoreDeletes: (b) => {
    int(b, 'collectionId');
    for (const e of arr(b, 'entries')) {
      const d = obj(e, 'delete entry');
      if (typeof d.pk !== 'number' && typeof d.pk !== 'string') throw new DecodeError('a primary key must be a number or string');
      if (typeof d.tso !== 'bigint' || d.tso <= 0n) throw new DecodeError('a restored delete needs its TSO');
      if (d.partitionId !== undefined) int(d, 'partitionId');
    }
  },
  TrimDeletes: (b) => { int(b, 'collectionId'); if (typeof b.floorTso !== 'bigint' || b.floorTso < 0n) throw new DecodeError('floorTso must be a TSO'); },
};

function ttl(b: Record<string, unknown>): void {
  if (!Number.isInteger(b.ttlSeconds) || (b.ttlSeconds as number) < 0 || (b.ttlSeconds as number) > MAX_TTL_SECONDS) throw new DecodeError(`ttlSeconds must be a whole number in 0..${MAX_TTL_SECONDS}`);
}

/** Validates the shape of a decoded message; throws DecodeError. */
export function validateMessage(header: Header, body: unknown): AnyMessage {
  if (!(header.type in BODY)) throw new DecodeError(`unknown message type '${String(header.type)}'`);
  BODY[header.type](obj(body, `${header.type} body`));
  return { header, body: body as Bodies[MessageType] } as AnyMessage;
}
