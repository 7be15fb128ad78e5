import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldExpiryDue, recordFieldExpiries } from '../../actors/coordinator/core/compactionPolicy.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { acceptRow, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { entityExpiry, nextExpiryUs } from '../../actors/shared/segment/rowExpiry.js';
import { alterCollection } from '../../actors/streaming-node/core/vchannel/evolveDdl.js';
import { persistVchannel, restoreVchannel } from '../../actors/streaming-node/core/vchannel/persist.js';
import { checkProperties, parseProperties, propertyList, propertyNames } from '../../messages/collectionProperties.js';
import { checkTtlProperties, fieldExpiriesAt, valueExpired, type FieldExpiry } from '../../messages/entityTtl.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { tsoOf } from '../../messages/types.js';

/**
 * Entity-level TTL (ttl_field): the expiry predicate, the rules a read or a
 * compaction applies (with a dropped field's residual), property validation
 * against the schema, and the vchannel state an AlterCollection leaves.
 */
const us = (ms: number) => ms * 1000;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 1 },
    { name: 'expire_at', dataType: 'Timestamptz', nullable: true },
    { name: 'other_ts', dataType: 'Timestamptz', nullable: true },
    { name: 'n', dataType: 'Int64' },
  ],
};
const refused = (f: () => unknown, re: RegExp) => {
  try { f(); assert.unreachable('accepted'); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, re); }
};

test('valueExpired: at or before the time has expired, later has not, NULL never (unless its default has)', () => {
  assert.ok(valueExpired(us(5_000), us(5_000)), 'exactly at the time');
  assert.ok(valueExpired(us(4_999), us(5_000)));
  assert.not.ok(valueExpired(us(5_001), us(5_000)));
  assert.not.ok(valueExpired(null, us(5_000)));
  assert.not.ok(valueExpired(undefined, us(5_000)));
  assert.ok(valueExpired(null, us(5_000), us(1_000)), 'a stored null reads as the field default');
});

test('fieldExpiriesAt: the active rule at the read time; a dropped field keeps its drop time and TSO', () => {
  assert.is(fieldExpiriesAt({}, tsoOf(9_000)), undefined);
  assert.equal(fieldExpiriesAt({ ttlField: 'expire_at' }, tsoOf(9_000, 7)), [{ field: 'expire_at', atUs: us(9_000) }]);
  const dropped = { droppedTtlField: 'expire_at', droppedTtlFieldTso: tsoOf(6_000, 3) };
  assert.equal(fieldExpiriesAt(dropped, tsoOf(9_000)), [{ field: 'expire_at', atUs: us(6_000), writtenBefore: tsoOf(6_000, 3) }]);
  assert.equal(fieldExpiriesAt(dropped, tsoOf(4_000)), [{ field: 'expire_at', atUs: us(4_000), writtenBefore: tsoOf(6_000, 3) }], 'an older read: its own time');
  assert.equal(fieldExpiriesAt({ ttlField: 'other_ts' }, tsoOf(9_000), new Map([['other_ts', us(1)]])), [{ field: 'other_ts', atUs: us(9_000), nullAs: us(1) }]);
});

test('entityExpiry on rows: values at or before now hide, NULL and later do not; the residual hides only rows written before the drop', () => {
  const fields = { expire_at: [us(1_000), us(5_000), null, us(9_000)] };
  const tsos = [tsoOf(100), tsoOf(100), tsoOf(100), tsoOf(7_000)];
  const expired = entityExpiry(fields, (r) => tsos[r]!, [{ field: 'expire_at', atUs: us(5_000) }])!;
  assert.equal([0, 1, 2, 3].map(expired), [true, true, false, false]);
  const residual = entityExpiry(fields, (r) => tsos[r]!, [{ field: 'expire_at', atUs: us(10_000), writtenBefore: tsoOf(6_000) }])!;
  assert.equal([0, 1, 2, 3].map(residual), [true, true, false, false], 'row 3 was written after the drop: its value is no expiry any more');
  assert.is(entityExpiry(fields, (r) => tsos[r]!, undefined), undefined);
  assert.is(entityExpiry(fields, (r) => tsos[r]!, [{ field: 'expire_at', atUs: us(500) }], true), undefined, 'an immutable block whose least value is later: no per-row check');
  assert.ok(entityExpiry(fields, (r) => tsos[r]!, [{ field: 'expire_at', atUs: us(500) }], false), 'a growing block is checked row by row');
  assert.is(entityExpiry({}, (r) => tsos[r]!, [{ field: 'expire_at', atUs: us(5_000) }]), undefined, 'rows without the column (added later) read NULL');
});

const seg = (values: Array<number | null>, writtenMs = 100): SealedSegment => ({
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: values.length, dim: 1,
  pks: values.map((_, i) => i), tsos: values.map(() => tsoOf(writtenMs)), vectors: new Float32Array(values.length), fields: { expire_at: values },
});
const read = (readMs: number, rules?: FieldExpiry[]): SealedRead => ({
  pkName: 'id', vectorName: 'vec', filter: null, partitionIds: null, readTso: tsoOf(readMs), outputFields: [], deletes: new Map(), ...(rules ? { fieldExpiry: rules } : {}),
});
const visible = (s: SealedSegment, r: SealedRead) => {
  const accept = acceptRow(s, r);
  return accept === null ? [] : Array.from({ length: s.count }, (_, i) => i).filter((i) => accept === undefined || accept(i));
};

test('a sealed segment at a read: past expiries refused, future and NULL read; the same segment read later loses more', () => {
  const s = seg([us(2_000), us(8_000), null, us(20_000)]);
  const at = (ms: number) => read(ms, fieldExpiriesAt({ ttlField: 'expire_at' }, tsoOf(ms)));
  assert.equal(visible(s, at(5_000)), [1, 2, 3]);
  assert.equal(visible(s, at(10_000)), [2, 3]);
  assert.equal(visible(s, at(30_000)), [2]);
  assert.is(acceptRow(s, at(1_000)), undefined, 'nothing expired yet: no per-row check');
  assert.equal(visible(s, read(30_000)), [0, 1, 2, 3], 'no ttl_field, nothing hidden');
});

test('compaction leaves out rows whose ttl_field has passed and says when the next one does', () => {
  const s = seg([us(2_000), us(8_000), null, us(20_000)]);
  const rules = fieldExpiriesAt({ ttlField: 'expire_at' }, tsoOf(10_000));
  const r = compactSegment(s, new Map(), tsoOf(10_000), { fieldExpiry: rules });
  assert.equal(r.seg.pks, [2, 3]);
  assert.is(r.removed, 2);
  assert.is(nextExpiryUs(r.seg.fields, r.seg.count, rules), us(20_000));
  assert.is(nextExpiryUs({ expire_at: [null] }, 1, rules), null, 'only NULLs: nothing will expire');
  assert.is(compactSegment(s, new Map(), tsoOf(10_000)).removed, 0, 'no ttl_field: nothing removed');
});

test('recordFieldExpiries and fieldExpiryDue: what a compaction of a shard applies, and when a segment is worth a look', () => {
  const rec = { schema, ttlField: 'expire_at', ttlFieldDropped: { field: 'other_ts', tso: { v0: tsoOf(3_000) } } };
  assert.equal(recordFieldExpiries(rec, 'v0', tsoOf(9_000)), [
    { field: 'expire_at', atUs: us(9_000) },
    { field: 'other_ts', atUs: us(3_000), writtenBefore: tsoOf(3_000) },
  ]);
  assert.equal(recordFieldExpiries(rec, 'v1', tsoOf(9_000)), [{ field: 'expire_at', atUs: us(9_000) }], 'a shard the drop did not reach keeps no residual');
  assert.is(recordFieldExpiries({ schema }, 'v0', tsoOf(9_000)), undefined);
  const live = { ttlField: 'expire_at' };
  assert.is(fieldExpiryDue({}, {}, tsoOf(9_000)), false, 'no ttl_field ever: never');
  assert.is(fieldExpiryDue({}, live, tsoOf(9_000)), true, 'never examined under it');
  assert.is(fieldExpiryDue({ fieldExpiryChecked: { field: 'expire_at', nextUs: us(10_000) } }, live, tsoOf(9_000)), false, 'its next expiry is later');
  assert.is(fieldExpiryDue({ fieldExpiryChecked: { field: 'expire_at', nextUs: us(10_000) } }, live, tsoOf(10_000)), true, 'its next expiry has come');
  assert.is(fieldExpiryDue({ fieldExpiryChecked: { field: 'expire_at', nextUs: null } }, live, tsoOf(99_000)), false, 'nothing in it will expire');
  assert.is(fieldExpiryDue({ fieldExpiryChecked: { field: 'expire_at', nextUs: null } }, { ttlFieldDropped: rec.ttlFieldDropped }, tsoOf(9_000)), true, 'dropped since: once, for the residual');
  assert.is(fieldExpiryDue({ fieldExpiryChecked: { field: null, nextUs: null } }, { ttlFieldDropped: rec.ttlFieldDropped }, tsoOf(9_000)), false);
});

test('properties: ttl_field by Milvus name, checked against the schema, exclusive with collection.ttl.seconds', () => {
  assert.equal(parseProperties({ ttl_field: 'expire_at' }), { ttlField: 'expire_at' });
  assert.equal(propertyList({ ttlField: 'expire_at' }), [{ key: 'ttl_field', value: 'expire_at' }]);
  assert.equal(propertyNames(['ttl_field']), ['ttlField']);
  refused(() => checkProperties({ ttlField: '' }), /ttl_field must name a Timestamptz field/);
  refused(() => checkProperties({ ttlField: 3 }), /ttl_field must name a Timestamptz field/);
  checkTtlProperties(schema, { ttlField: 'expire_at' });
  checkTtlProperties(schema, { ttlField: 'expire_at', ttlSeconds: 0 });
  checkTtlProperties(schema, { ttlSeconds: 60 });
  refused(() => checkTtlProperties(schema, { ttlField: 'expire_at', ttlSeconds: 60 }), /mutually exclusive/);
  refused(() => checkTtlProperties(schema, { ttlField: 'nope' }), /ttl_field 'nope' is not a field/);
  refused(() => checkTtlProperties(schema, { ttlField: 'n' }), /ttl_field 'n' is Int64: the TTL field must be Timestamptz/);
});

test('AlterCollection on a vchannel: a ttl_field dropped or replaced is kept with the message TSO, and survives persistence', () => {
  const ctx = {
    vchannel: 'v', lastTso: tsoOf(1), partitions: {}, segments: {}, indexes: {}, txns: {},
    collection: { id: 1, name: 'c', schema, metricType: 'L2' as const, shards: 1, shardIndex: 0, consistencyLevel: 'Strong', defaultPartitionId: 2, createdTso: tsoOf(1), droppedTso: null, ttlField: 'expire_at' },
  };
  const header = (ms: number) => ({ tso: tsoOf(ms) }) as never;
  const dropped = alterCollection(ctx, { header: header(5_000), body: { collectionId: 1, ttlSeconds: 0 } } as never);
  assert.equal([dropped.collection!.ttlField, dropped.collection!.droppedTtlField, dropped.collection!.droppedTtlFieldTso], [undefined, 'expire_at', tsoOf(5_000)]);
  const replaced = alterCollection(ctx, { header: header(6_000), body: { collectionId: 1, ttlSeconds: 0, ttlField: 'other_ts' } } as never);
  assert.equal([replaced.collection!.ttlField, replaced.collection!.droppedTtlField], ['other_ts', 'expire_at']);
  const same = alterCollection(ctx, { header: header(7_000), body: { collectionId: 1, ttlSeconds: 0, ttlField: 'expire_at' } } as never);
  assert.is(same.collection!.droppedTtlField, undefined, 'kept, not dropped');
  const snap = { value: 'live', context: { ...ctx, collection: dropped.collection! } } as never;
  const back = restoreVchannel(persistVchannel(snap));
  assert.is(back.context.collection!.droppedTtlFieldTso, tsoOf(5_000));
  assert.is(restoreVchannel(persistVchannel({ value: 'live', context: ctx } as never)).context.collection!.droppedTtlFieldTso, undefined, 'absent stays absent');
});

test.run();
