/**
 * Geometry over the REST v2 gateway: `dataType: "Geometry"` at create (a WKT
 * default), inserts of WKT text, ST_ filters in query, search and delete,
 * canonical WKT out, describe naming the type, an RTREE index; bad WKT
 * refused naming the row and field, nothing written. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const vec = [0.1, 0.2, 0.3, 0.4];
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'geo', dataType: 'Geometry', nullable: true },
  { fieldName: 'home', dataType: 'Geometry', defaultValue: 'point(0 0)' },
];
const SQ = 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))';

test('REST: create with Geometry, insert WKT, ST_ filters, canonical WKT out, RTREE', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.equal(described.fields.filter((f: { name: string }) => f.name === 'geo' || f.name === 'home').map((f: { type: string }) => f.type), ['Geometry', 'Geometry']);
    assert.is(described.fields.find((f: { name: string }) => f.name === 'home').defaultValue, 'POINT (0 0)', 'the default is kept as canonical WKT');

    await http.ok('/entities/insert', { collectionName: 'c', data: [
      { id: 1, vec, geo: 'point(5 5)' },
      { id: 2, vec, geo: 'LINESTRING(5 5,15 5)', home: 'POINT (1 1)' },
      { id: 3, vec, geo: 'POLYGON((10 0,20 0,20 10,10 10,10 0))' },
      { id: 4, vec, geo: null },
      { id: 5, vec, geo: 'MULTIPOINT ((30 30), (40 40))' },
    ] });
    const query = (body: object) => http.ok('/entities/query', { collectionName: 'c', consistencyLevel: 'Strong', ...body });
    const ids = async (filter: string) => (await query({ filter, outputFields: ['id'] })).map((r: { id: number }) => r.id).sort();
    assert.equal(await ids(`ST_WITHIN(geo, '${SQ}')`), [1]);
    assert.equal(await ids(`ST_INTERSECTS(geo, '${SQ}')`), [1, 2, 3]);
    assert.equal(await ids(`ST_TOUCHES(geo, '${SQ}')`), [3]);
    assert.equal(await ids(`ST_CROSSES(geo, '${SQ}')`), [2]);
    assert.equal(await ids("ST_DWITHIN(geo, 'POINT (30 30.001)', 200)"), [5]);
    assert.equal(await ids("ST_EQUALS(home, 'POINT (0 0)')"), [1, 3, 4, 5]);

    const rows = await query({ filter: 'id in [1, 2, 4]', outputFields: ['geo', 'home'] });
    assert.equal(rows.sort((a: { id: number }, b: { id: number }) => a.id - b.id), [
      { id: 1, geo: 'POINT (5 5)', home: 'POINT (0 0)' },
      { id: 2, geo: 'LINESTRING (5 5, 15 5)', home: 'POINT (1 1)' },
      { id: 4, geo: null, home: 'POINT (0 0)' },
    ], 'canonical WKT out');
    const hits = await http.ok('/entities/search', { collectionName: 'c', data: [vec], limit: 5, filter: `ST_INTERSECTS(geo, '${SQ}') and id != 1`, outputFields: ['geo'], consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id).sort(), [2, 3]);

    await http.ok('/indexes/create', { collectionName: 'c', indexParams: [{ fieldName: 'geo', indexName: 'geo_rtree', indexType: 'RTREE' }] });
    const index = await http.ok('/indexes/describe', { collectionName: 'c', indexName: 'geo_rtree' });
    assert.is(index[0].indexType, 'RTREE');
    assert.equal(await ids(`ST_INTERSECTS(geo, '${SQ}')`), [1, 2, 3], 'the same with the index');

    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 9, vec, geo: 'POINT (1 1)' }, { id: 10, vec, geo: 'POINT (1)' }] }, /data\[1\].*geo.*not valid WKT/);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 9, vec, geo: 42 }] }, /WKT string/);
    await http.fails('/entities/query', { collectionName: 'c', filter: "ST_WITHIN(geo, 'CIRCLE (1 1)')" }, /not valid WKT/);
    await http.fails('/entities/query', { collectionName: 'c', filter: "geo == 'POINT (5 5)'" }, /ST_ operators/);
    await http.fails('/collections/create', { collectionName: 'd', schema: { fields: [...fields.slice(0, 2), { fieldName: 'g', dataType: 'Geometry', defaultValue: 'POINT (1 2' }] } }, /not valid WKT/);
    assert.equal(await ids('id >= 9'), [], 'nothing refused was written');

    await http.ok('/entities/delete', { collectionName: 'c', filter: `ST_WITHIN(geo, '${SQ}')` });
    assert.equal(await ids('id > 0'), [2, 3, 4, 5]);
  } finally { await s.cleanup(); }
});

test.run();
