/**
 * Timestamptz fields end to end (Milvus 2.6's TIMESTAMPTZ): ISO 8601 text in
 * (several offsets of one instant are one value), filters on instants with ISO
 * literals and INTERVAL shifts, growing and sealed, with and without an
 * STL_SORT index; output rendered in UTC, in the collection's `timezone`
 * property, the database's, or the request's; defaults and nulls; typed
 * errors for bad values and zones; all of it again after a restart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'ts', dataType: 'Timestamptz' as const, nullable: true },
    { name: 'created', dataType: 'Timestamptz' as const, defaultValue: '2020-01-01 00:00:00' },
  ],
};
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT' as const, params: {} }];
const vec = vectors(1, DIM, 7)[0]!;
// One instant (2025-01-01T00:00:00Z) in four spellings, then others, and a null.
const data = [
  { id: 1, vec, ts: '2025-01-01T00:00:00Z' },
  { id: 2, vec, ts: '2025-01-01T08:00:00+08:00' },
  { id: 3, vec, ts: '2024-12-31T19:00:00-05:00' },
  { id: 4, vec, ts: '2025-01-01T05:30:00.000+05:30', created: '2021-06-01T00:00:00Z' },
  { id: 5, vec, ts: '2025-01-02T12:00:00Z' },
  { id: 6, vec, ts: '2024-02-29T23:59:59.25Z' },
  { id: 7, vec, ts: null },
  { id: 8, vec, ts: '2025-07-01T12:00:00' }, // no offset: the collection's zone
];
const strong = { consistencyLevel: 'Strong' as const };

async function codeOf(f: () => Promise<unknown>): Promise<string> {
  try { await f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); }
}

test('Timestamptz: insert in several offsets, filter on instants (growing, sealed, indexed), render in zones, survive a restart', async () => {
  let s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  const { dataDir } = s;
  try {
    await s.client.createDatabase('tokyo', { timezone: 'Asia/Tokyo' });
    await s.client.createCollection({ collectionName: 'tz', schema, metricType: 'L2', indexParams, load: true, properties: { timezone: 'America/New_York' } });
    const described = await s.client.describeCollection('tz');
    assert.equal(described.properties, [{ key: 'timezone', value: 'America/New_York' }]);
    assert.is(described.schema.fields.find((f) => f.name === 'created')!.defaultValue, '2020-01-01T00:00:00-05:00', 'the default is described as text in the collection zone');
    await s.client.insert('tz', data);

    const ids = async (filter: string, extra: object = {}) => (await s.client.query('tz', { filter, ...strong, ...extra })).map((r) => r.id as number).sort((a, b) => a - b);
    const checks = async (phase: string) => {
      assert.equal(await ids("ts == ISO '2025-01-01T00:00:00Z'"), [1, 2, 3, 4], `${phase}: one instant, four spellings`);
      assert.equal(await ids("ts == ISO '2025-01-01T09:00:00+09:00'"), [1, 2, 3, 4], phase);
      assert.equal(await ids("ts > ISO '2025-01-01T00:00:00Z' and ts < ISO '2025-06-01T00:00:00Z'"), [5], phase);
      assert.equal(await ids("ts < ISO '2024-03-01T00:00:00+00:00'"), [6], phase);
      assert.equal(await ids("ts in [ISO '2025-01-02T20:00:00+08:00', ISO '2025-07-01T16:00:00Z']"), [5, 8], `${phase}: id 8 was read in New York time`);
      assert.equal(await ids('ts is null'), [7], phase);
      assert.equal(await ids("ts + INTERVAL 'P1D' == ISO '2025-01-02T00:00:00Z'"), [1, 2, 3, 4], phase);
      assert.equal(await ids("ts - INTERVAL 'PT12H' >= ISO '2025-01-02T00:00:00Z'"), [5, 8], phase);
      assert.equal(await ids("created == ISO '2020-01-01T05:00:00Z'"), [1, 2, 3, 5, 6, 7, 8], `${phase}: the default was read in the collection's zone`);
      assert.equal(await ids("ts == ISO '2025-07-01T12:00:00'"), [8], `${phase}: a literal without an offset is read in the collection's zone too`);
      assert.equal(await ids("ts == ISO '2025-07-02T01:00:00'", { timezone: 'Asia/Tokyo' }), [8], `${phase}: or in the request's`);

      const byId = async (extra: object = {}) => Object.fromEntries((await s.client.query('tz', { filter: 'id in [1, 2, 4, 6, 7, 8]', outputFields: ['ts', 'created'], ...strong, ...extra })).map((r) => [r.id, [r.ts, r.created]]));
      assert.equal(await byId(), {
        1: ['2024-12-31T19:00:00-05:00', '2020-01-01T00:00:00-05:00'], 2: ['2024-12-31T19:00:00-05:00', '2020-01-01T00:00:00-05:00'],
        4: ['2024-12-31T19:00:00-05:00', '2021-05-31T20:00:00-04:00'], 6: ['2024-02-29T18:59:59.25-05:00', '2020-01-01T00:00:00-05:00'],
        7: [null, '2020-01-01T00:00:00-05:00'], 8: ['2025-07-01T12:00:00-04:00', '2020-01-01T00:00:00-05:00'],
      }, `${phase}: rendered in the collection's timezone`);
      assert.equal((await byId({ timezone: 'UTC' }))[1], ['2025-01-01T00:00:00Z', '2020-01-01T05:00:00Z'], `${phase}: the request's timezone wins`);
      assert.equal((await byId({ timezone: 'Asia/Kolkata' }))[8], ['2025-07-01T21:30:00+05:30', '2020-01-01T10:30:00+05:30'], phase);
      const [hits] = await s.client.search('tz', { data: [vec], limit: 3, filter: "ts >= ISO '2025-01-02T00:00:00Z'", outputFields: ['ts'], timezone: 'Asia/Shanghai', ...strong });
      assert.equal(hits!.map((h) => [h.id, h.fields.ts]).sort(), [[5, '2025-01-02T20:00:00+08:00'], [8, '2025-07-02T00:00:00+08:00']], `${phase}: search output too`);
    };
    await checks('growing');

    await s.client.flush('tz');
    await s.client.createIndex('tz', { indexName: 'ts_sort', fieldName: 'ts', indexType: 'STL_SORT', params: {} });
    await untilIndexedAndLoaded(s, 'tz', data.length);
    await untilIndexesServed(s, 'tz');
    await checks('sealed and indexed');

    // Without the property, output is UTC; offset-less text is read in UTC.
    await s.client.dropCollectionProperties('tz', ['timezone']);
    assert.equal((await s.client.query('tz', { filter: 'id == 1', outputFields: ['ts'], ...strong }))[0]!.ts, '2025-01-01T00:00:00Z');
    await s.client.alterCollectionProperties('tz', { timezone: 'America/New_York' });

    // Bad values and zones are refused with typed errors, and nothing is written.
    assert.is(await codeOf(() => s.client.insert('tz', [{ id: 20, vec, ts: '2025-02-30T00:00:00Z' }])), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.insert('tz', [{ id: 21, vec, ts: 'yesterday' }])), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.insert('tz', [{ id: 22, vec, ts: '1500-01-01T00:00:00Z' }])), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.insert('tz', [{ id: 23, vec, ts: true }])), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.query('tz', { filter: "ts > ISO 'soon'", ...strong })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.query('tz', { filter: "ts > '2025-01-01T00:00:00Z'", ...strong })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.query('tz', { filter: 'id > 0', timezone: 'Mars/Olympus', ...strong })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.alterCollectionProperties('tz', { timezone: 'Nowhere/Special' })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.alterDatabaseProperties('tokyo', { timezone: 'UTC+8' })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.createCollection({ collectionName: 'bad', schema: { fields: [...schema.fields.slice(0, 2), { name: 'ts', dataType: 'Timestamptz' as const, defaultValue: 'never' }] }, metricType: 'L2' })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.createIndex('tz', { indexName: 'ts_bitmap', fieldName: 'created', indexType: 'BITMAP', params: {} })), 'InvalidArgument');
    assert.is((await s.client.query('tz', { filter: 'id >= 20', ...strong })).length, 0, 'nothing of the refused rows was written');

    // A collection of a database with a timezone, and none of its own, uses the database's.
    const tokyo = s.client.database('tokyo');
    await tokyo.createCollection({ collectionName: 'jp', schema, metricType: 'L2', indexParams, load: true });
    await tokyo.insert('jp', [{ id: 1, vec, ts: '2025-01-01 09:00:00' }]);
    assert.equal((await tokyo.query('jp', { filter: "ts == ISO '2025-01-01T00:00:00Z'", outputFields: ['ts', 'created'], ...strong })).map((r) => [r.id, r.ts, r.created]), [[1, '2025-01-01T09:00:00+09:00', '2020-01-01T00:00:00+09:00']]);

    await s.stop();
    s = await tempStandalone({ dataDir });
    await untilIndexedAndLoaded(s, 'tz', data.length);
    await checks('after a restart');
  } finally { await s.cleanup(); }
});

test.run();
