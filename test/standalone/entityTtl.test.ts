import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { decodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { ValidationError } from '../../messages/errors.js';
import type { RowObject } from '../../runtime/client/api.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Entity-level TTL (the ttl_field property): an entity whose Timestamptz
 * expiry is at or before a read's time is not searched, queried, fetched,
 * counted or iterated — growing or sealed — while NULL and later ones are; an
 * upsert with NULL or a later time brings one back; dropping the property
 * leaves what had expired hidden; compaction removes expired rows from
 * segment files; collection.ttl.seconds and ttl_field are refused together.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'expire_at', dataType: 'Timestamptz' as const, nullable: true },
    { name: 'n', dataType: 'Int64' as const },
  ],
};
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

/** Rows `from..from+n-1`: id % 3 == 0 expired an hour ago, == 1 expires in an hour, == 2 never (NULL). */
const rows = (from: number, n: number, now: number): RowObject[] => vectors(n, DIM, from).map((vec, i) => {
  const id = from + i;
  return { id, vec, n: id, expire_at: id % 3 === 0 ? iso(now - HOUR) : id % 3 === 1 ? iso(now + HOUR) : null };
});
const live = (ids: number[]) => ids.filter((id) => id % 3 !== 0);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const sorted = (xs: unknown[]) => xs.map(Number).sort((a, b) => a - b);

const refused = async (f: () => Promise<unknown>, re: RegExp) => {
  try { await f(); assert.unreachable('accepted'); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, re); }
};

test('expired entities are not read (search, query, get, count, iterator; growing and sealed); upsert brings one back; a drop keeps them hidden', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 't', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true, properties: { ttl_field: 'expire_at' } });
    assert.equal((await c.describeCollection('t')).properties, [{ key: 'ttl_field', value: 'expire_at' }]);
    await c.insert('t', rows(0, 12, Date.now()));
    await c.flush('t');
    await until(async () => (await c.getLoadState('t')).loadProgress === 100, 'the first rows sealed and loaded', 30_000);
    await c.insert('t', rows(100, 12, Date.now())); // still growing
    const expected = live([...range(0, 12), ...range(100, 12)]);

    const strong = { consistencyLevel: 'Strong' as const };
    const ids = async () => sorted((await c.query('t', { filter: 'id >= 0', ...strong })).map((r) => r.id));
    assert.equal(await ids(), expected, 'query: NULL and later expiries only');
    assert.equal(await c.query('t', { filter: 'id >= 0', outputFields: ['count(*)'], ...strong }), [{ 'count(*)': expected.length }], 'count(*)');
    assert.equal(await c.query('t', { filter: '', outputFields: ['count(*)'], ...strong }), [{ 'count(*)': expected.length }], 'count(*) with no filter');
    const [hits] = await c.search('t', { data: [vectors(1, DIM, 0)[0]!], limit: 100, ...strong });
    assert.equal(sorted(hits!.map((h) => h.id)), expected, 'search');
    assert.equal(sorted((await c.get('t', [0, 1, 2, 102, 103, 104], strong)).map((r) => r.id)), [1, 2, 103, 104], 'get');
    const it = await c.queryIterator('t', { batchSize: 5, outputFields: ['id'], ...strong });
    const seen: RowObject[] = [];
    for await (const b of it) seen.push(...b);
    assert.equal(sorted(seen.map((r) => r.id)), expected, 'query iterator');
    const rendered = await c.query('t', { filter: 'id in [1, 2]', outputFields: ['expire_at'], ...strong });
    assert.ok(rendered.find((r) => r.id === 2)!.expire_at === null && typeof rendered.find((r) => r.id === 1)!.expire_at === 'string', 'the field reads as it was written');

    // Rows that expire a few seconds from now, one sealed and one growing: read until then, not after.
    const soon = Date.now() + 3000;
    await c.insert('t', [{ id: 500, vec: vectors(1, DIM, 500)[0]!, n: 500, expire_at: iso(soon) }]);
    await c.flush('t');
    await until(async () => (await c.getLoadState('t')).loadProgress === 100, 'the soon-expiring row sealed and loaded', 30_000);
    await c.insert('t', [{ id: 501, vec: vectors(1, DIM, 501)[0]!, n: 501, expire_at: iso(soon) }]);
    const before = await c.query('t', { filter: 'id >= 500', ...strong });
    // The read's time was before the answer came; if that was before the expiry, both rows were due.
    if (Date.now() < soon) assert.equal(sorted(before.map((r) => r.id)), [500, 501], 'not expired yet');
    await until(async () => (await c.query('t', { filter: 'id >= 500', ...strong })).length === 0, 'the rows expired, sealed and growing', 30_000);
    assert.equal(await ids(), expected);

    // Upserts: an expired sealed row back with a later time, an expired growing one with NULL; a live one given a past time goes.
    await c.upsert('t', [
      { id: 0, vec: vectors(1, DIM, 0)[0]!, n: 0, expire_at: iso(Date.now() + HOUR) },
      { id: 102, vec: vectors(1, DIM, 102)[0]!, n: 102, expire_at: null },
      { id: 1, vec: vectors(1, DIM, 1)[0]!, n: 1, expire_at: iso(Date.now() - HOUR) },
    ]);
    const afterUpsert = sorted([...expected.filter((id) => id !== 1), 0, 102]);
    assert.equal(await ids(), afterUpsert, 'upserted with a later time or NULL: read again; with a past time: gone');

    // Mutually exclusive with collection.ttl.seconds; the field must be a Timestamptz field of the schema.
    await refused(() => c.alterCollectionProperties('t', { 'collection.ttl.seconds': 60 }), /mutually exclusive/);
    await refused(() => c.alterCollectionProperties('t', { ttl_field: 'n' }), /ttl_field 'n' is Int64: the TTL field must be Timestamptz/);
    await refused(() => c.alterCollectionProperties('t', { ttl_field: 'nope' }), /ttl_field 'nope' is not a field/);
    assert.equal((await c.describeCollection('t')).properties, [{ key: 'ttl_field', value: 'expire_at' }], 'nothing changed');

    // Dropped: what had expired stays hidden; the field is no expiry for rows written from then on.
    await c.dropCollectionProperties('t', ['ttl_field']);
    assert.equal((await c.describeCollection('t')).properties, []);
    assert.equal(await ids(), afterUpsert, 'dropping ttl_field does not resurface expired entities');
    await c.insert('t', [{ id: 600, vec: vectors(1, DIM, 600)[0]!, n: 600, expire_at: iso(Date.now() - HOUR) }]);
    assert.equal(await ids(), sorted([...afterUpsert, 600]), 'a past value written after the drop is just a value');
    await c.upsert('t', [{ id: 3, vec: vectors(1, DIM, 3)[0]!, n: 3, expire_at: iso(Date.now() - HOUR) }]);
    assert.ok((await ids()).includes(3), 'an expired entity upserted after the drop is back');
    // With no ttl_field, collection.ttl.seconds may be set.
    await c.alterCollectionProperties('t', { 'collection.ttl.seconds': 86400 });
    await refused(() => c.alterCollectionProperties('t', { ttl_field: 'expire_at' }), /mutually exclusive/);
  } finally { await s.cleanup(); }
});

test('compaction removes expired entities from segment files and discards a segment whose entities all expired', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 200, graceMs: 0, minRatio: 0.2 } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'tc', schema, metricType: 'L2', indexParams, load: true, properties: { ttl_field: 'expire_at' } });
    const id = (await c.describeCollection('tc')).collectionId;
    const dataFiles = async () => (await objects.list(`segments/${id}/`)).map((o) => o.key).filter((k) => k.endsWith('.seg'));
    const fileIds = async (key: string) => sorted(decodeSegmentFile((await objects.get(key))!).pks);
    // One segment: 10 past, 10 expiring in two seconds, 10 NULL (ids 0..29 by 3-pattern, past first).
    const soon = Date.now() + 2000;
    const mixed = vectors(30, DIM, 1).map((vec, i) => ({ id: i, vec, n: i, expire_at: i < 10 ? iso(Date.now() - HOUR) : i < 20 ? iso(soon) : null }));
    await c.insert('tc', mixed);
    await c.flush('tc');
    await until(async () => (await dataFiles()).length === 1, 'the mixed segment flushed', 30_000);
    // A second segment whose rows all expired.
    await c.insert('tc', vectors(5, DIM, 2).map((vec, i) => ({ id: 100 + i, vec, n: i, expire_at: iso(Date.now() - HOUR) })));
    await c.flush('tc');
    await until(async () => {
      const files = await dataFiles();
      return files.length === 1 && (await fileIds(files[0]!)).join() === range(20, 10).join();
    }, 'the expired rows compacted away and the all-expired segment discarded', 30_000);
    assert.equal(sorted((await c.query('tc', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id)), range(20, 10));
  } finally { await s.cleanup(); }
});

test('backup and restore carry ttl_field; expired entities are not backed up', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', indexParams, load: true, properties: { ttl_field: 'expire_at' } });
    await c.insert('src', rows(0, 9, Date.now()));
    await c.createBackup('src', 'b1');
    await until(async () => ['Completed', 'Failed'].includes((await c.describeBackup('b1')).state), 'the backup ends', 120_000);
    assert.is((await c.describeBackup('b1')).state, 'Completed');
    assert.is((await c.describeBackup('b1')).rows, live(range(0, 9)).length, 'expired entities are not backed up');
    const { jobId } = await c.restoreBackup('b1', 'copy');
    await until(async () => ['Completed', 'Failed'].includes((await c.getRestoreProgress(jobId)).state), 'the restore ends', 120_000);
    assert.is((await c.getRestoreProgress(jobId)).state, 'Completed');
    assert.equal((await c.describeCollection('copy')).properties, [{ key: 'ttl_field', value: 'expire_at' }]);
    await until(async () => (await c.getLoadState('copy')).loadProgress === 100, 'the copy loaded', 30_000);
    assert.equal(sorted((await c.query('copy', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id)), live(range(0, 9)));
    // Its expiries are the entities' own: one upserted to expire a moment ago goes from the copy too.
    await c.upsert('copy', [{ id: 1, vec: vectors(1, DIM, 1)[0]!, n: 1, expire_at: iso(Date.now() - 1) }]);
    assert.not.ok((await c.query('copy', { filter: 'id >= 0', consistencyLevel: 'Strong' })).some((r) => r.id === 1));
  } finally { await s.cleanup(); }
});

test('create refuses a bad ttl_field, or one with collection.ttl.seconds, writing nothing', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await refused(() => c.createCollection({ collectionName: 'a', schema, metricType: 'L2', properties: { ttl_field: 'expire_at', 'collection.ttl.seconds': 60 } }), /mutually exclusive/);
    await refused(() => c.createCollection({ collectionName: 'a', schema, metricType: 'L2', properties: { ttl_field: 'vec' } }), /must be Timestamptz/);
    await refused(() => c.createCollection({ collectionName: 'a', schema, metricType: 'L2', properties: { ttl_field: 'missing' } }), /not a field/);
    await refused(() => c.createCollection({ collectionName: 'a', schema, metricType: 'L2', properties: { ttl_field: '' } }), /must name a Timestamptz field/);
    assert.not.ok(await c.hasCollection('a'));
    // A partial load keeps the ttl_field's column: expiry is read from it.
    await c.createCollection({ collectionName: 'b', schema, metricType: 'L2', indexParams, properties: { ttl_field: 'expire_at' } });
    await refused(() => c.loadCollection('b', { loadFields: ['id', 'vec'] }), /ttl_field 'expire_at' cannot skip loading/);
    await refused(() => c.loadPartitions('b', ['_default'], { loadFields: ['id', 'vec'] }), /ttl_field 'expire_at' cannot skip loading/);
    // Nor can its field be dropped while the property names it.
    await refused(() => c.dropCollectionField({ collectionName: 'b', fieldName: 'expire_at' }), /is the collection's ttl_field/);
    await c.dropCollectionProperties('b', ['ttl_field']);
    await c.dropCollectionField({ collectionName: 'b', fieldName: 'expire_at' });
    assert.not.ok((await c.describeCollection('b')).schema.fields.some((f) => f.name === 'expire_at'));
  } finally { await s.cleanup(); }
});

test.run();
