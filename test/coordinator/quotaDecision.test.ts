import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideAdmission, rowBytes, storedBytes, type QuotaInput } from '../../actors/coordinator/core/quotaDecision.js';
import type { CollectionRecord, SegmentRecord } from '../../messages/rpc/records.js';

/** The coordinator's quota decision: force-deny switches, disk quotas (collection, database, cluster) and rates per collection. */

const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'v', dataType: 'FloatVector' as const, dim: 16 }] };
const WIDTH = rowBytes(schema); // 16 * 4 + 64
const MB = 1024 * 1024;
const rec = (collectionId: number, extra: Partial<CollectionRecord> = {}): CollectionRecord => ({
  collectionId, name: `c${collectionId}`, schema, metricType: 'L2', shards: 2, vchannels: [], partitions: [], consistencyLevel: 'Strong',
  indexes: [], loaded: false, createdTso: 0n, state: 'created', ...extra,
});
const input = (r: CollectionRecord, db = 'default', policy: Partial<QuotaInput['db']['policy']> = {}): QuotaInput => ({ record: r, db: { name: db, policy: { denyWriting: false, denyReading: false, ...policy } } });
const seg = (collectionId: number, segmentId: number, rows: number): SegmentRecord => ({ collectionId, partitionId: 1, segmentId, vchannel: 'v', pchannel: 'p', rows, dataKey: '', indexKeys: {}, from: 0, to: 0 });
const rowsFor = (mb: number) => Math.ceil((mb * MB) / WIDTH);

test('stored bytes are flushed rows times the row width, per collection', () => {
  assert.is(WIDTH, 128);
  const s = storedBytes([input(rec(1)), input(rec(2))], [seg(1, 10, 100), seg(1, 11, 50), seg(2, 12, 1), seg(3, 13, 999)]);
  assert.equal([...s], [[1, 150 * WIDTH], [2, WIDTH]], 'a segment of an unknown collection counts nowhere');
});

test('a collection with nothing to enforce is left out; switches and rates are carried', () => {
  const inputs = [input(rec(1)), input(rec(2, { insertRateMaxMb: 2, queryRateMaxQps: 0 }), 'lab', { denyReading: true })];
  const out = decideAdmission(inputs, new Map(), { searchVps: 100 });
  assert.equal(Object.keys(out), ['1', '2']);
  assert.equal(out['1'], { shards: 2, rates: { searchVps: 100 } }, 'a cluster default applies to every collection');
  assert.equal(out['2'], { shards: 2, denyReading: true, rates: { insertMb: 2, searchVps: 100, queryQps: 0 } });
  assert.equal(decideAdmission([input(rec(1))], new Map(), {}), {});
});

test('a collection property overrides the cluster default', () => {
  const out = decideAdmission([input(rec(1, { insertRateMaxMb: 0.5 }))], new Map(), { insertMb: 8, deleteMb: 1 });
  assert.equal(out['1']!.rates, { insertMb: 0.5, deleteMb: 1 });
});

test('the collection disk quota: over it denies, at or under it admits, a raised one admits again', () => {
  const over = new Map([[1, 2 * MB + 1]]);
  assert.match(decideAdmission([input(rec(1, { diskQuotaMb: 2 }))], over, {})['1']!.quotaExceeded!, /collection 'c1' stores 2\.000 MB, over its disk quota of 2 MB/);
  assert.equal(decideAdmission([input(rec(1, { diskQuotaMb: 2 }))], new Map([[1, 2 * MB]]), {}), {});
  assert.equal(decideAdmission([input(rec(1, { diskQuotaMb: 3 }))], over, {}), {});
  assert.ok(decideAdmission([input(rec(1))], over, { diskQuotaPerCollectionMb: 1 })['1']!.quotaExceeded, 'the per-collection default');
  assert.equal(decideAdmission([input(rec(1, { diskQuotaMb: 3 }))], over, { diskQuotaPerCollectionMb: 1 }), {}, 'the property overrides the default');
});

test('the database quota sums its collections; the cluster quota sums all', () => {
  const stored = new Map([[1, 1 * MB], [2, 1 * MB], [3, 1 * MB]]);
  const inputs = [input(rec(1), 'lab', { diskQuotaMb: 1.5 }), input(rec(2), 'lab', { diskQuotaMb: 1.5 }), input(rec(3), 'other')];
  const out = decideAdmission(inputs, stored, {});
  assert.equal(Object.keys(out), ['1', '2'], "only the database over its quota; 'other' is not");
  assert.match(out['1']!.quotaExceeded!, /database 'lab' stores 2\.000 MB/);
  const all = decideAdmission(inputs.map((i) => ({ ...i, db: { ...i.db, policy: { denyWriting: false, denyReading: false } } })), stored, { diskQuotaMb: 2.5 });
  assert.equal(Object.keys(all), ['1', '2', '3']);
  assert.match(all['3']!.quotaExceeded!, /the cluster stores 3\.000 MB, over its disk quota of 2\.5 MB/);
  assert.equal(decideAdmission(inputs.slice(2), stored, { diskQuotaMb: 3 }), {});
});

test.run();
