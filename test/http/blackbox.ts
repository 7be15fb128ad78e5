import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { badInputTests } from './blackboxBadInput.js';
import { databaseTests } from './blackboxDatabases.js';
import { featureTests } from './blackboxFeatures.js';
import { customSchemaTests } from './blackboxSchema.js';
import { Code, V2Client, vec } from './support/v2Client.js';

/** What the suite needs from a running server. */
export interface BlackBoxServer { url: string; stop(): Promise<void> }

/** State the tests of one run share: the client and the names of their collections. */
export interface BlackBoxContext {
  client: V2Client;
  server?: BlackBoxServer;
  /** Quick-setup collection: id Int64, vector dim 8, COSINE, dynamic fields, rows 0..19 (3 deleted). */
  quick: string;
  /** Custom-schema collection: book_id, title, year, score, vec dim 8, L2; partition p1. */
  books: string;
}

/**
 * The HTTP black-box suite: drives a running nuthatch purely over HTTP (fetch)
 * with Milvus RESTful v2 requests, through the happy paths of every endpoint
 * and then every kind of bad input, and ends by checking the server still
 * serves the data written at the start. Tests run in order and build on each
 * other. Reads right after writes use consistencyLevel "Strong".
 * Calls `.run()` on the suite it defines.
 */
export function httpBlackBox(name: string, start: () => Promise<BlackBoxServer>): void {
  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const s = suite<BlackBoxContext>(`http black box: ${name}`, {
    client: new V2Client('http://unset'), quick: `bb_quick_${id}`, books: `bb_books_${id}`,
  });
  s.before(async (ctx) => { ctx.server = await start(); ctx.client = new V2Client(ctx.server.url); });
  s.after(async (ctx) => { await ctx.server?.stop(); });

  s('healthz answers ok', async ({ client }) => {
    const h = await client.healthz();
    assert.is(h.status, 200);
    assert.equal(h.json, { status: 'ok' });
  });

  s('quick setup creates, indexes and loads a collection', async ({ client, quick }) => {
    assert.equal(await client.ok('/collections/create', { collectionName: quick, dimension: 8 }), {});
    await client.waitLoaded(quick);
    assert.equal(await client.ok('/collections/has', { collectionName: quick }), { has: true });
    assert.equal(await client.ok('/collections/has', { collectionName: `${quick}_absent` }), { has: false });
    assert.ok((await client.ok('/collections/list', {})).includes(quick));
    const d = await client.ok('/collections/describe', { collectionName: quick });
    assert.is(d.collectionName, quick);
    assert.is(d.enableDynamicField, true);
    assert.is(d.load, 'LoadStateLoaded');
    const byName = Object.fromEntries(d.fields.map((f: any) => [f.name, f]));
    assert.is(byName.id.type, 'Int64');
    assert.is(byName.id.primaryKey, true);
    assert.is(byName.id.autoId, false);
    assert.is(byName.vector.type, 'FloatVector');
    assert.equal(byName.vector.params, [{ key: 'dim', value: '8' }]);
    assert.ok(d.indexes.some((ix: any) => ix.fieldName === 'vector' && ix.metricType === 'COSINE'), JSON.stringify(d.indexes));
    assert.ok(d.shardsNum >= 1 && d.partitionsNum >= 1);
  });

  s('insert, flush and get_stats', async ({ client, quick }) => {
    const data = Array.from({ length: 20 }, (_, i) => ({ id: i, vector: vec(i), color: i % 2 ? 'red' : 'blue', n: i }));
    const r = await client.ok('/entities/insert', { collectionName: quick, data });
    assert.is(r.insertCount, 20);
    assert.equal(r.insertIds, data.map((d) => d.id));
    assert.equal(await client.ok('/collections/flush', { collectionName: quick }), {});
    assert.equal(await client.ok('/collections/get_stats', { collectionName: quick }), { rowCount: 20 });
  });

  s('compact starts a manual compaction whose state reaches Completed', async ({ client, quick }) => {
    const { compactionID } = await client.ok('/collections/compact', { collectionName: quick });
    assert.type(compactionID, 'number');
    let state = '';
    for (let i = 0; i < 200 && state !== 'Completed'; i++) {
      const r = await client.ok('/collections/get_compaction_state', { jobID: compactionID });
      assert.is(r.compactionID, compactionID);
      state = r.state;
      if (state !== 'Completed') { assert.is(state, 'Executing'); await new Promise((res) => setTimeout(res, 50)); }
    }
    assert.is(state, 'Completed');
    assert.equal(await client.ok('/collections/get_stats', { collectionName: quick }), { rowCount: 20 }, 'nothing was lost');
    assert.is((await client.ok('/collections/get_compaction_state', { compactionID: compactionID + 1_000_000 })).state, 'UndefiedState');
  });

  s('search finds the nearest row first, best first, with topks', async ({ client, quick }) => {
    const r = await client.okReply('/entities/search', { collectionName: quick, data: [vec(3)], annsField: 'vector', limit: 3, consistencyLevel: 'Strong' });
    assert.is(r.data.length, 3);
    assert.equal(r.topks, [3]);
    assert.is(r.data[0].id, 3);
    for (const h of r.data) assert.type(h.distance, 'number');
    assert.ok(r.data[0].distance >= r.data[1].distance && r.data[1].distance >= r.data[2].distance, 'COSINE: larger is closer');
  });

  s('search with a filter and outputFields', async ({ client, quick }) => {
    const hits = await client.ok('/entities/search', {
      collectionName: quick, data: [vec(3)], limit: 5, filter: 'color == "red"', outputFields: ['color', 'n'], consistencyLevel: 'Strong',
    });
    assert.is(hits.length, 5);
    assert.is(hits[0].id, 3);
    for (const h of hits) { assert.is(h.color, 'red'); assert.is(h.n, h.id); }
  });

  s('search with offset pages through the same ranking', async ({ client, quick }) => {
    const all = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 4, consistencyLevel: 'Strong' });
    const page = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 2, offset: 1, consistencyLevel: 'Strong' });
    assert.equal(page.map((h: any) => h.id), all.slice(1, 3).map((h: any) => h.id));
  });

  s('collection properties: alter_properties sets a TTL that describe lists, drop_properties unsets it; unknown ones are refused', async ({ client, quick }) => {
    assert.equal(await client.ok('/collections/alter_properties', { collectionName: quick, properties: { 'collection.ttl.seconds': '86400' } }), {});
    assert.equal((await client.ok('/collections/describe', { collectionName: quick })).properties, [{ key: 'collection.ttl.seconds', value: '86400' }]);
    assert.is((await client.ok('/collections/get_stats', { collectionName: quick })).rowCount, 20, 'a day-long TTL expires none of the rows');
    assert.equal(await client.ok('/collections/drop_properties', { collectionName: quick, propertyKeys: ['collection.ttl.seconds'] }), {});
    assert.equal((await client.ok('/collections/describe', { collectionName: quick })).properties, []);
    await client.fails('/collections/alter_properties', { collectionName: quick, properties: { 'mmap.enabled': true } }, /mmap.enabled/);
    await client.fails('/collections/alter_properties', { collectionName: quick, properties: { 'collection.ttl.seconds': 'soon' } }, /whole number of seconds/);
  });

  s('range search: params.radius and range_filter keep the ring of the ranking between them; round_decimal rounds', async ({ client, quick }) => {
    const all = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 17, consistencyLevel: 'Strong' });
    // COSINE: larger is closer, so the ring is radius < d <= range_filter: leave out the best 2, keep down to the 10th.
    const [rangeFilter, radius] = [all[2].distance, all[10].distance];
    const ring = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 17, consistencyLevel: 'Strong', searchParams: { params: { radius, range_filter: rangeFilter } } });
    assert.equal(ring.map((h: any) => h.id), all.slice(2, 10).map((h: any) => h.id));
    const beside = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 17, consistencyLevel: 'Strong', searchParams: { radius, range_filter: rangeFilter } });
    assert.equal(beside.map((h: any) => h.id), all.slice(2, 10).map((h: any) => h.id), 'the bounds beside params mean the same');
    const rounded = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], limit: 3, consistencyLevel: 'Strong', searchParams: { round_decimal: 2 } });
    for (const [i, h] of rounded.entries()) assert.is(h.distance, Math.floor(all[i].distance * 100 + 0.5) / 100);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(6)], searchParams: { params: { radius: 0.9, range_filter: 0.5 } } }, /radius < range_filter/);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(6)], searchParams: { params: { range_filter: 0.5 } } }, /range_filter needs a radius/);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(6)], searchParams: { round_decimal: 7 } }, /round_decimal/);
  });

  s('filter templates: exprParams give the values of {name} parameters in query and search; a missing one is refused', async ({ client, quick }) => {
    const rows = await client.ok('/entities/query', { collectionName: quick, filter: 'n >= {lo} and n < {hi} and id not in {skip}', exprParams: { lo: 5, hi: 10, skip: [7] }, outputFields: ['n'], limit: 100, consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => r.id).sort((a: number, b: number) => a - b), [5, 6, 8, 9]);
    const hits = await client.ok('/entities/search', { collectionName: quick, data: [vec(6)], filter: 'id in {ids}', exprParams: { ids: [3, 4] }, limit: 5, consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: any) => h.id).sort(), [3, 4]);
    await client.fails('/entities/query', { collectionName: quick, filter: 'n >= {lo}', exprParams: { hi: 1 }, limit: 3 }, /\{lo\} has no value/);
    await client.fails('/entities/query', { collectionName: quick, filter: 'n >= {lo}', exprParams: [1], limit: 3 }, /exprParams/);
  });

  s('search with several query vectors returns a flat list split by topks', async ({ client, quick }) => {
    const r = await client.okReply('/entities/search', { collectionName: quick, data: [vec(1), vec(8)], limit: 2, consistencyLevel: 'Strong' });
    assert.equal(r.topks, [2, 2]);
    assert.is(r.data.length, 4);
    assert.is(r.data[0].id, 1);
    assert.is(r.data[2].id, 8);
  });

  s('query with filter, limit and offset', async ({ client, quick }) => {
    const rows = await client.ok('/entities/query', { collectionName: quick, filter: 'n >= 5 and n < 10', outputFields: ['n'], limit: 100, consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => r.id).sort((a: number, b: number) => a - b), [5, 6, 7, 8, 9]);
    for (const r of rows) assert.is(r.n, r.id);
    assert.is((await client.ok('/entities/query', { collectionName: quick, limit: 3, consistencyLevel: 'Strong' })).length, 3);
    assert.is((await client.ok('/entities/query', { collectionName: quick, filter: 'n < 10', limit: 4, offset: 8, consistencyLevel: 'Strong' })).length, 2);
  });

  s('query with a cursor walks every row in key order, page by page', async ({ client, quick }) => {
    const all = (await client.ok('/entities/query', { collectionName: quick, filter: 'id >= 0', limit: 100, consistencyLevel: 'Strong' })).map((r: any) => r.id).sort((a: number, b: number) => a - b);
    assert.ok(all.length > 5);
    const pages: number[][] = [];
    let cursor: string | undefined = '';
    while (cursor !== undefined && pages.length < 100) {
      const reply = await client.okReply('/entities/query', { collectionName: quick, filter: 'id >= 0', outputFields: ['n'], limit: 5, cursor, consistencyLevel: 'Strong' });
      pages.push((reply.data as any[]).map((r) => r.id));
      for (const r of reply.data as any[]) assert.is(r.n, r.id);
      cursor = reply.nextCursor as string | undefined;
    }
    assert.equal(pages.flat(), all);
    assert.ok(pages.slice(0, -1).every((p) => p.length === 5) && pages.at(-1)!.length > 0, 'full pages, no empty last page');
    await client.fails('/entities/query', { collectionName: quick, limit: 5, cursor: 'not-a-cursor' }, /cursor/, [Code.InvalidArgument]);
    await client.fails('/entities/query', { collectionName: quick, limit: 5, offset: 5, cursor: '' }, /offset/, [Code.InvalidArgument]);
  });

  s('get by one id and by a list', async ({ client, quick }) => {
    const rows = await client.ok('/entities/get', { collectionName: quick, id: [1, 2], outputFields: ['color'], consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => [r.id, r.color]).sort(), [[1, 'red'], [2, 'blue']]);
    const one = await client.ok('/entities/get', { collectionName: quick, id: 7, outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.is(one.length, 1);
    assert.is(one[0].n, 7);
  });

  s('delete by filter: the row is gone from get and search', async ({ client, quick }) => {
    assert.equal(await client.ok('/entities/delete', { collectionName: quick, filter: 'id in [3]' }), {});
    assert.equal(await client.ok('/entities/get', { collectionName: quick, id: [3], consistencyLevel: 'Strong' }), []);
    const hits = await client.ok('/entities/search', { collectionName: quick, data: [vec(3)], limit: 10, consistencyLevel: 'Strong' });
    assert.is(hits.length, 10);
    assert.not.ok(hits.some((h: any) => h.id === 3), 'deleted row 3 still found');
  });

  s('upsert replaces a row', async ({ client, quick }) => {
    const r = await client.ok('/entities/upsert', { collectionName: quick, data: [{ id: 5, vector: vec(5), color: 'green', n: 500 }] });
    assert.is(r.upsertCount, 1);
    assert.equal(r.upsertIds, [5]);
    const rows = await client.ok('/entities/query', { collectionName: quick, filter: 'id == 5', outputFields: ['color', 'n'], consistencyLevel: 'Strong' });
    assert.is(rows.length, 1);
    assert.is(rows[0].color, 'green');
    assert.is(rows[0].n, 500);
  });

  s('upsert with partialUpdate changes only the fields given; the vector and the rest stay', async ({ client, quick }) => {
    const r = await client.ok('/entities/upsert', { collectionName: quick, partialUpdate: true, data: [{ id: 5, color: 'violet' }] });
    assert.equal(r.upsertIds, [5]);
    const rows = await client.ok('/entities/query', { collectionName: quick, filter: 'id == 5', outputFields: ['color', 'n', 'vector'], consistencyLevel: 'Strong' });
    assert.equal([rows.length, rows[0].color, rows[0].n], [1, 'violet', 500]);
    assert.equal(rows[0].vector.map((x: number) => Math.fround(x)), vec(5).map((x) => Math.fround(x)));
    await client.fails('/entities/upsert', { collectionName: quick, partialUpdate: true, data: [{ color: 'x' }] }, /primary key/);
    await client.fails('/entities/insert', { collectionName: quick, partialUpdate: true, data: [{ id: 5, color: 'x' }] }, /partialUpdate/);
  });

  customSchemaTests(s);
  featureTests(s);

  badInputTests(s);
  databaseTests(s);

  s('rename moves a collection, its rows and its aliases to the new name and frees the old one', async ({ client, quick }) => {
    const [from, to] = [`${quick}_r`, `${quick}_r2`];
    await client.ok('/collections/create', { collectionName: from, dimension: 4 });
    await client.waitLoaded(from);
    await client.ok('/entities/insert', { collectionName: from, data: [{ id: 1, vector: vec(1, 4) }, { id: 2, vector: vec(2, 4) }] });
    await client.ok('/aliases/create', { collectionName: from, aliasName: `${from}_al` });
    assert.equal(await client.ok('/collections/rename', { collectionName: from, newCollectionName: to }), {});
    assert.equal(await client.ok('/collections/has', { collectionName: from }), { has: false });
    assert.equal((await client.ok('/collections/describe', { collectionName: to })).aliases, [`${from}_al`]);
    assert.equal((await client.ok('/entities/query', { collectionName: `${from}_al`, filter: 'id > 0', consistencyLevel: 'Strong' })).map((r: any) => r.id).sort(), [1, 2]);
    await client.fails('/entities/query', { collectionName: from, filter: 'id > 0' }, /collection/i, [Code.CollectionNotFound]);
    await client.fails('/collections/rename', { collectionName: to, newCollectionName: quick }, /already exists/);
    await client.fails('/collections/rename', { collectionName: to, newCollectionName: 'x', newDbName: 'other' }, /database not found: 'other'/, [Code.DatabaseNotFound]);
    await client.ok('/aliases/drop', { aliasName: `${from}_al` });
    await client.ok('/collections/drop', { collectionName: to });
  });

  s('drop, then DDL and DML on the dropped collection fail', async ({ client, quick }) => {
    const name = `${quick}_drop`;
    await client.ok('/collections/create', { collectionName: name, dimension: 4 });
    await client.waitLoaded(name);
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 1, vector: vec(1, 4) }] });
    assert.equal(await client.ok('/collections/drop', { collectionName: name }), {});
    assert.equal(await client.ok('/collections/has', { collectionName: name }), { has: false });
    assert.not.ok((await client.ok('/collections/list', {})).includes(name));
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 2, vector: vec(2, 4) }] }, /collection/i);
    await client.fails('/entities/search', { collectionName: name, data: [vec(1, 4)], consistencyLevel: 'Strong' }, /collection/i);
    await client.fails('/entities/delete', { collectionName: name, filter: 'id in [1]' }, /collection/i);
    await client.fails('/collections/describe', { collectionName: name }, /collection/i);
  });

  s('after all of that the server still serves the data written first', async ({ client, quick }) => {
    const h = await client.healthz();
    assert.is(h.status, 200);
    const hits = await client.ok('/entities/search', { collectionName: quick, data: [vec(4)], limit: 5, outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.is(hits[0].id, 4);
    assert.is(hits[0].n, 4);
    assert.not.ok(hits.some((x: any) => x.id === 3));
    assert.equal(await client.ok('/collections/get_stats', { collectionName: quick }).then((d) => typeof d.rowCount), 'number');
  });

  s.run();
}
