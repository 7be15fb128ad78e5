import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expiryDue } from '../../actors/coordinator/core/compactionPolicy.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { acceptRow, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { expiredBelow } from '../../actors/shared/segment/rowExpiry.js';
import { checkProperties, parseProperties, propertyList, propertyNames } from '../../messages/collectionProperties.js';
import { ValidationError } from '../../messages/errors.js';
import { tsoOf } from '../../messages/types.js';

/** A collection's TTL: which rows a read at a TSO sees, what compaction removes, when it looks. */
const seg = (msList: number[]): SealedSegment => ({
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: msList.length, dim: 1,
  pks: msList.map((_, i) => i), tsos: msList.map((ms) => tsoOf(ms)), vectors: new Float32Array(msList.length), fields: {},
});
const read = (readMs: number, ttlSeconds?: number): SealedRead => {
  const below = expiredBelow(tsoOf(readMs), ttlSeconds);
  return { pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: tsoOf(readMs), outputFields: [], deletes: new Map(), ...(below === undefined ? {} : { expiredBelow: below }) };
};
const visible = (s: SealedSegment, r: SealedRead) => {
  const accept = acceptRow(s, r);
  return accept === null ? [] : Array.from({ length: s.count }, (_, i) => i).filter((i) => accept === undefined || accept(i));
};

test('expiredBelow: a read at r sees rows inserted from r - ttl on; no TTL, no cut', () => {
  assert.is(expiredBelow(tsoOf(10_000), 3), tsoOf(7_000));
  assert.is(expiredBelow(tsoOf(10_000), 0), undefined);
  assert.is(expiredBelow(tsoOf(10_000), undefined), undefined);
  assert.is(expiredBelow(tsoOf(1_000), 5), undefined, 'before the epoch plus the TTL nothing has expired');
});

test('a sealed segment at a read: rows older than the TTL are refused, a wholly expired segment is skipped whole', () => {
  const s = seg([1_000, 5_000, 9_000]);
  assert.equal(visible(s, read(10_000)), [0, 1, 2]);
  assert.equal(visible(s, read(10_000, 6)), [1, 2]);
  assert.is(acceptRow(s, read(20_000, 5)), null, 'every row expired');
  assert.is(acceptRow(s, read(10_000, 60)), undefined, 'none expired: no per-row check');
  assert.equal(visible(s, read(12_000, 6)), [2], 'the same segment, read later');
});

test('compaction leaves out rows expired as of its cutoff, with the deleted ones', () => {
  const s = seg([1_000, 5_000, 9_000, 9_500]);
  const deletes = new Map([[3, [tsoOf(9_800)]]]);
  const r = compactSegment(s, deletes, tsoOf(10_000), { expiredBelow: tsoOf(6_000) });
  assert.equal(r.seg.pks, [2]);
  assert.is(r.removed, 3);
  assert.is(compactSegment(s, new Map(), tsoOf(10_000), { expiredBelow: tsoOf(20_000) }).seg.count, 0, 'all expired');
});

test('expiryDue: only a segment with rows older than the cutoff, at most once per minRatio of the TTL', () => {
  const cutoff = tsoOf(100_000);
  assert.is(expiryDue({ rows: 5, rowsFromTso: tsoOf(100_000) }, cutoff, 60, 0.2), false, 'its oldest row is not expired');
  assert.is(expiryDue({ rows: 5, rowsFromTso: tsoOf(90_000) }, cutoff, 60, 0.2), true);
  assert.is(expiryDue({ rows: 5 }, cutoff, 60, 0.2), true, 'oldest row unknown: look once');
  assert.is(expiryDue({ rows: 5, rowsFromTso: tsoOf(90_000), expiryCheckedTso: tsoOf(95_000) }, cutoff, 60, 0.2), false, 'looked 5 s ago; 12 s (0.2 of 60 s) must pass');
  assert.is(expiryDue({ rows: 5, rowsFromTso: tsoOf(90_000), expiryCheckedTso: tsoOf(88_000) }, cutoff, 60, 0.2), true);
});

test('properties: Milvus names in, numeric strings taken, unknown keys and bad values refused; described as key/value strings', () => {
  assert.equal(parseProperties({ 'collection.ttl.seconds': '3600' }), { ttlSeconds: 3600 });
  assert.equal(parseProperties({ 'collection.ttl.seconds': 0 }), { ttlSeconds: 0 });
  assert.equal(propertyList({ ttlSeconds: 3600 }), [{ key: 'collection.ttl.seconds', value: '3600' }]);
  assert.equal(propertyList({ ttlSeconds: 0 }), [], 'a TTL of 0 is no TTL');
  assert.equal(propertyNames(['collection.ttl.seconds']), ['ttlSeconds']);
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof ValidationError && re.test(e.message));
  refused(() => parseProperties({ 'mmap.enabled': 'true' }), /unknown collection property 'mmap.enabled' \(nuthatch supports collection.ttl.seconds, ttl_field, timezone, allow_insert_auto_id, partitionkey.isolation, collection.insertRate.max.mb, .*collection.diskProtection.diskQuota.mb, warmup.scalarField, .*warmup.vectorIndex\)/);
  refused(() => parseProperties({ allow_insert_auto_id: 'yes' }), /allow_insert_auto_id must be true or false/);
  assert.equal([parseProperties({ allow_insert_auto_id: 'TRUE' }), parseProperties({ allow_insert_auto_id: false })], [{ allowInsertAutoId: true }, { allowInsertAutoId: false }]);
  assert.equal(propertyList({ allowInsertAutoId: false }), [], 'false is the default: not listed');
  refused(() => parseProperties({ 'collection.ttl.seconds': -1 }), /whole number of seconds/);
  refused(() => parseProperties({ 'collection.ttl.seconds': '1.5' }), /whole number of seconds/);
  refused(() => parseProperties({ 'collection.ttl.seconds': 'soon' }), /whole number of seconds/);
  refused(() => checkProperties({ ttlSeconds: 1e12 }), /whole number of seconds in 0\.\./);
  refused(() => propertyNames(['nope']), /unknown collection property 'nope'/);
});

test.run();
