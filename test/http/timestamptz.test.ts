/**
 * Timestamptz over the REST v2 gateway: `dataType: "Timestamptz"` at create
 * (an ISO default), the `timezone` property, inserts of ISO text in any
 * offset, filters with ISO literals and INTERVAL, output rendered in the
 * collection's zone or the request's `timezone`; bad text refused with a code,
 * nothing written. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const vec = [0.1, 0.2, 0.3, 0.4];
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'tsz', dataType: 'TIMESTAMPTZ', nullable: true },
  { fieldName: 'at', dataType: 'Timestamptz', defaultValue: '2025-01-01T00:00:00+08:00' },
];

test('REST: create with Timestamptz, insert ISO text, filter on instants, read in zones', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }], properties: { timezone: 'Asia/Shanghai' } });
    await http.waitLoaded('c');
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.is(described.fields.find((f: { name: string }) => f.name === 'at').defaultValue, '2025-01-01T00:00:00+08:00', 'the default is described as ISO text');
    assert.ok(described.properties.some((p: { key: string; value: string }) => p.key === 'timezone' && p.value === 'Asia/Shanghai'), 'the timezone property is described');

    await http.ok('/entities/insert', { collectionName: 'c', data: [
      { id: 1, vec, tsz: '2025-05-01T23:59:59+08:00' },
      { id: 2, vec, tsz: '2025-05-01T15:59:59Z', at: '2024-12-31 22:00:00' },
      { id: 3, vec, tsz: '2025-05-02 07:59:59' }, // Shanghai time: the same instant
      { id: 4, vec, tsz: null },
      { id: 5, vec, tsz: '2025-05-03T00:00:00Z' },
    ] });
    const query = (body: object) => http.ok('/entities/query', { collectionName: 'c', consistencyLevel: 'Strong', ...body });
    const ids = async (filter: string) => (await query({ filter, outputFields: ['id'] })).map((r: { id: number }) => r.id).sort();
    assert.equal(await ids("tsz == ISO '2025-05-01T15:59:59Z'"), [1, 2]);
    assert.equal(await ids("tsz >= ISO '2025-05-02T00:00:00+08:00'"), [3, 5]);
    assert.equal(await ids("tsz + INTERVAL 'PT8H' == ISO '2025-05-03T08:00:00Z'"), [5]);
    assert.equal(await ids('tsz is null'), [4]);

    const rows = await query({ filter: 'id in [1, 2, 4]', outputFields: ['tsz', 'at'] });
    assert.equal(rows.sort((a: { id: number }, b: { id: number }) => a.id - b.id), [
      { id: 1, tsz: '2025-05-01T23:59:59+08:00', at: '2025-01-01T00:00:00+08:00' },
      { id: 2, tsz: '2025-05-01T23:59:59+08:00', at: '2024-12-31T22:00:00+08:00' },
      { id: 4, tsz: null, at: '2025-01-01T00:00:00+08:00' },
    ], 'rendered in the collection timezone');
    assert.equal(await query({ filter: 'id == 5', outputFields: ['tsz'], timezone: 'America/Havana' }), [{ id: 5, tsz: '2025-05-02T20:00:00-04:00' }], 'the request timezone wins');
    const hits = await http.ok('/entities/search', { collectionName: 'c', data: [vec], limit: 2, filter: "tsz > ISO '2025-05-02T00:00:00Z'", outputFields: ['tsz'], timezone: 'UTC', consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number; tsz: string }) => [h.id, h.tsz]), [[5, '2025-05-03T00:00:00Z']]);

    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 9, vec, tsz: '2025-13-01T00:00:00Z' }] }, /no such date/);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 9, vec, tsz: 1746115199 }] }, /ISO 8601/);
    await http.fails('/entities/query', { collectionName: 'c', filter: "tsz > ISO 'later'" }, /ISO literal/);
    await http.fails('/entities/query', { collectionName: 'c', filter: 'id > 0', timezone: 'Atlantis/Capital' }, /IANA time zone/);
    await http.fails('/collections/alter_properties', { collectionName: 'c', properties: { timezone: 'Nope/Nope' } }, /IANA time zone/);
    await http.fails('/collections/create', { collectionName: 'd', schema: { fields: [...fields.slice(0, 2), { fieldName: 'ts', dataType: 'Timestamptz', defaultValue: '2025-02-29T00:00:00Z' }] } }, /no such date/);
    assert.equal(await ids('id >= 9'), [], 'nothing refused was written');
  } finally { await s.cleanup(); }
});

test.run();
