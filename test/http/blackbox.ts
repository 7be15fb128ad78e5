import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { badInputTests } from './blackboxBadInput.js';
import { databaseTests } from './blackboxDatabases.js';
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

  s('custom schema without indexParams is created unloaded', async ({ client, books }) => {
    await client.ok('/collections/create', {
      collectionName: books, metricType: 'L2',
      schema: {
        autoId: false, enableDynamicField: false,
        fields: [
          { fieldName: 'book_id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 64 } },
          { fieldName: 'year', dataType: 'Int32' },
          { fieldName: 'score', dataType: 'Float', nullable: true },
          { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: '8' } },
        ],
      },
      params: { shardsNum: 2, consistencyLevel: 'Strong' },
    });
    const d = await client.ok('/collections/describe', { collectionName: books });
    assert.equal(d.fields.map((f: any) => f.name).sort(), ['book_id', 'score', 'title', 'vec', 'year']);
    assert.equal(d.fields.find((f: any) => f.name === 'title').params, [{ key: 'max_length', value: '64' }]);
    assert.is(d.enableDynamicField, false);
    assert.is(d.shardsNum, 2);
    assert.is(d.consistencyLevel, 'Strong');
    assert.is(d.load, 'LoadStateNotLoad');
    assert.equal((await client.ok('/collections/get_load_state', { collectionName: books })).loadState, 'LoadStateNotLoad');
  });

  s('indexes create, describe, list, drop', async ({ client, books }) => {
    const index = { fieldName: 'vec', indexName: 'vec_idx', metricType: 'L2', params: { index_type: 'HNSW', M: 8, efConstruction: 64 } };
    assert.equal(await client.ok('/indexes/create', { collectionName: books, indexParams: [index] }), {});
    assert.equal(await client.ok('/indexes/list', { collectionName: books }), ['vec_idx']);
    const [ix] = await client.ok('/indexes/describe', { collectionName: books, indexName: 'vec_idx' });
    assert.is(ix.indexName, 'vec_idx');
    assert.is(ix.fieldName, 'vec');
    assert.is(ix.indexType, 'HNSW');
    assert.is(ix.metricType, 'L2');
    assert.type(ix.indexState, 'string');
    assert.equal(await client.ok('/indexes/drop', { collectionName: books, indexName: 'vec_idx' }), {});
    assert.equal(await client.ok('/indexes/list', { collectionName: books }), []);
    await client.ok('/indexes/create', { collectionName: books, indexParams: [index] });
    assert.equal(await client.ok('/collections/load', { collectionName: books }), {});
    await client.waitLoaded(books);
    const st = await client.ok('/collections/get_load_state', { collectionName: books });
    assert.is(st.loadProgress, 100);
  });

  s('partitions create, list, has; insert into a partition and search it', async ({ client, books }) => {
    assert.equal(await client.ok('/partitions/create', { collectionName: books, partitionName: 'p1' }), {});
    const names = await client.ok('/partitions/list', { collectionName: books });
    assert.ok(names.includes('_default') && names.includes('p1'), JSON.stringify(names));
    assert.equal(await client.ok('/partitions/has', { collectionName: books, partitionName: 'p1' }), { has: true });
    assert.equal(await client.ok('/partitions/has', { collectionName: books, partitionName: 'p9' }), { has: false });
    const row = (i: number) => ({ book_id: i, title: `book ${i}`, year: 1990 + (i % 30), score: i / 2, vec: vec(i) });
    await client.ok('/entities/insert', { collectionName: books, data: Array.from({ length: 10 }, (_, i) => row(i)) });
    const r = await client.ok('/entities/insert', { collectionName: books, partitionName: 'p1', data: [100, 101, 102, 103, 104].map(row) });
    assert.equal(r.insertIds, [100, 101, 102, 103, 104]);
    const hits = await client.ok('/entities/search', { collectionName: books, data: [vec(2)], limit: 5, partitionNames: ['p1'], outputFields: ['title'], consistencyLevel: 'Strong' });
    assert.is(hits.length, 5);
    for (const h of hits) { assert.ok(h.id >= 100, `hit ${h.id} is not in p1`); assert.is(h.title, `book ${h.id}`); }
    const all = await client.ok('/entities/search', { collectionName: books, data: [vec(2)], limit: 3, consistencyLevel: 'Strong', searchParams: { metricType: 'L2', params: { ef: 32 } } });
    assert.is(all[0].id, 2);
    assert.ok(all[0].distance <= all[1].distance, 'L2: smaller is closer');
    assert.ok(Math.abs(all[0].distance) < 1e-4, `exact match distance ${all[0].distance}`);
    const inP1 = await client.ok('/entities/query', { collectionName: books, filter: 'year > 0', partitionNames: ['p1'], outputFields: ['year'], consistencyLevel: 'Strong' });
    assert.is(inP1.length, 5);
    await client.ok('/collections/flush', { collectionName: books });
    assert.equal(await client.ok('/collections/get_stats', { collectionName: books }), { rowCount: 15 });
    assert.equal(await client.ok('/partitions/get_stats', { collectionName: books, partitionName: 'p1' }), { rowCount: 5 });
    assert.equal(await client.ok('/partitions/get_stats', { collectionName: books, partitionName: '_default' }), { rowCount: 10 });
    await client.fails('/partitions/get_stats', { collectionName: books, partitionName: 'p9' }, /partition/, [Code.PartitionNotFound]);
  });

  s('partitions load and release: reads cover the loaded partitions; get_load_state per partition', async ({ client, books }) => {
    await client.ok('/collections/release', { collectionName: books });
    assert.equal(await client.ok('/partitions/load', { collectionName: books, partitionNames: ['p1'] }), {});
    for (let i = 0; i < 200 && (await client.ok('/collections/get_load_state', { collectionName: books, partitionNames: ['p1'] })).loadState !== 'LoadStateLoaded'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await client.ok('/collections/get_load_state', { collectionName: books, partitionNames: ['p1'] })).loadState, 'LoadStateLoaded');
    assert.equal((await client.ok('/collections/get_load_state', { collectionName: books, partitionNames: ['_default'] })).loadState, 'LoadStateNotLoad');
    const rows = await client.ok('/entities/query', { collectionName: books, filter: 'year > 0', consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => r.book_id).sort((a: number, b: number) => a - b), [100, 101, 102, 103, 104], 'p1 only');
    await client.fails('/entities/query', { collectionName: books, filter: 'year > 0', partitionNames: ['_default'] }, /not loaded/);
    assert.equal(await client.ok('/partitions/release', { collectionName: books, partitionNames: ['p1'] }), {});
    assert.equal((await client.ok('/collections/get_load_state', { collectionName: books })).loadState, 'LoadStateNotLoad');
    await client.ok('/collections/load', { collectionName: books });
    await client.waitLoaded(books);
  });

  s('partitions drop', async ({ client, books }) => {
    await client.ok('/partitions/create', { collectionName: books, partitionName: 'p2' });
    // Milvus drops only released partitions; release the collection first so either rule holds.
    await client.ok('/collections/release', { collectionName: books });
    assert.equal(await client.ok('/partitions/drop', { collectionName: books, partitionName: 'p2' }), {});
    assert.equal(await client.ok('/partitions/has', { collectionName: books, partitionName: 'p2' }), { has: false });
    assert.not.ok((await client.ok('/partitions/list', { collectionName: books })).includes('p2'));
    await client.ok('/collections/load', { collectionName: books });
    await client.waitLoaded(books);
    await client.fails('/entities/insert', { collectionName: books, partitionName: 'p2', data: [{ book_id: 900, title: 't', year: 1, vec: vec(900) }] }, /partition/i);
  });

  s('scalar indexes: created on scalar fields through indexes/create, described without a metric, used by filters, dropped', async ({ client, books }) => {
    const indexParams = [{ fieldName: 'year', indexName: 'year_idx', indexType: 'STL_SORT' }, { fieldName: 'title', indexName: 'title_trie', params: { index_type: 'Trie' } }];
    assert.equal(await client.ok('/indexes/create', { collectionName: books, indexParams }), {});
    assert.equal((await client.ok('/indexes/list', { collectionName: books })).sort(), ['title_trie', 'vec_idx', 'year_idx']);
    let ix: any;
    for (let i = 0; i < 200 && ix?.indexState !== 'Finished'; i++) {
      [ix] = await client.ok('/indexes/describe', { collectionName: books, indexName: 'year_idx' });
      if (ix.indexState !== 'Finished') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal([ix.fieldName, ix.indexType, ix.metricType, ix.indexState, ix.indexedRows], ['year', 'STL_SORT', '', 'Finished', 15]);
    const d = await client.ok('/collections/describe', { collectionName: books });
    assert.equal(d.indexes.filter((x: any) => x.fieldName !== 'vec').sort((a: any, b: any) => a.indexName.localeCompare(b.indexName)), [
      { fieldName: 'title', indexName: 'title_trie', metricType: '' }, { fieldName: 'year', indexName: 'year_idx', metricType: '' },
    ]);
    const ids = async (filter: string) => (await client.ok('/entities/query', { collectionName: books, filter, consistencyLevel: 'Strong' })).map((r: any) => r.book_id).sort((a: number, b: number) => a - b);
    assert.equal(await ids('year >= 1995 and year < 1998'), [5, 6, 7]);
    assert.equal(await ids('title like "book 10%" and year != 2001'), [100, 102, 103, 104]);
    await client.fails('/indexes/create', { collectionName: books, indexParams: [{ fieldName: 'score', indexName: 's', metricType: 'L2', indexType: 'INVERTED' }] }, /takes no metricType/, [Code.InvalidArgument]);
    await client.fails('/indexes/create', { collectionName: books, indexParams: [{ fieldName: 'title', indexName: 't2', indexType: 'STL_SORT' }] }, /STL_SORT takes numeric fields/, [Code.InvalidArgument]);
    await client.ok('/collections/release', { collectionName: books });
    assert.equal(await client.ok('/indexes/drop', { collectionName: books, indexName: 'title_trie' }), {});
    assert.equal((await client.ok('/indexes/list', { collectionName: books })).sort(), ['vec_idx', 'year_idx']);
    await client.ok('/collections/load', { collectionName: books });
    await client.waitLoaded(books);
    assert.equal(await ids('title like "book 10%" and year != 2001'), [100, 102, 103, 104], 'the same rows without the index');
  });

  s('NGRAM index: created through indexes/create with params min_gram and max_gram, described, like answers the same, bad params refused, dropped', async ({ client, books }) => {
    const ids = async (filter: string) => (await client.ok('/entities/query', { collectionName: books, filter, consistencyLevel: 'Strong' })).map((r: any) => r.book_id).sort((a: number, b: number) => a - b);
    const FILTERS = ['title like "%ok 10%"', 'title like "book 1%"', 'title like "%4"', 'title like "%o_k%0%"'];
    const before = await Promise.all(FILTERS.map(ids));
    assert.ok(before.every((x) => x.length > 0), JSON.stringify(before));
    await client.fails('/indexes/create', { collectionName: books, indexParams: [{ fieldName: 'title', indexName: 'g', indexType: 'NGRAM', params: { min_gram: 2 } }] }, /must specify both min_gram and max_gram/, [Code.InvalidArgument]);
    await client.fails('/indexes/create', { collectionName: books, indexParams: [{ fieldName: 'title', indexName: 'g', indexType: 'NGRAM', params: { min_gram: 3, max_gram: 2 } }] }, /invalid min_gram or max_gram/, [Code.InvalidArgument]);
    await client.fails('/indexes/create', { collectionName: books, indexParams: [{ fieldName: 'year', indexName: 'g', indexType: 'NGRAM', params: { min_gram: 1, max_gram: 2 } }] }, /NGRAM takes VarChar fields/, [Code.InvalidArgument]);
    const indexParams = [{ fieldName: 'title', indexName: 'title_ngram', params: { index_type: 'NGRAM', min_gram: '2', max_gram: '3' } }];
    assert.equal(await client.ok('/indexes/create', { collectionName: books, indexParams }), {});
    let ix: any;
    for (let i = 0; i < 200 && ix?.indexState !== 'Finished'; i++) {
      [ix] = await client.ok('/indexes/describe', { collectionName: books, indexName: 'title_ngram' });
      if (ix.indexState !== 'Finished') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal([ix.fieldName, ix.indexType, ix.indexState, ix.params.min_gram, ix.params.max_gram], ['title', 'NGRAM', 'Finished', 2, 3]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await Promise.all(FILTERS.map(ids)), before, 'the answers of no index');
    await client.ok('/collections/release', { collectionName: books });
    assert.equal(await client.ok('/indexes/drop', { collectionName: books, indexName: 'title_ngram' }), {});
    assert.not.ok((await client.ok('/indexes/list', { collectionName: books })).includes('title_ngram'));
    await client.ok('/collections/load', { collectionName: books });
    await client.waitLoaded(books);
    assert.equal(await Promise.all(FILTERS.map(ids)), before, 'the same answers once dropped');
  });

  s('JSON path indexes: dynamic keys indexed through indexes/create with json_path and json_cast_type, described, the same answers, dropped', async ({ client, quick }) => {
    const ids = async (filter: string) => (await client.ok('/entities/query', { collectionName: quick, filter, consistencyLevel: 'Strong' })).map((r: any) => r.id).sort((a: number, b: number) => a - b);
    const FILTERS = ['color == "red" and n > 5', 'n in [2, 4, 19]', 'color like "bl%"', 'n != 3 and color == "blue"'];
    const before = await Promise.all(FILTERS.map(ids));
    assert.ok(before.every((x) => x.length > 0), JSON.stringify(before));
    const indexParams = [
      { fieldName: 'color', indexName: 'color_idx', indexType: 'INVERTED', params: { json_path: 'color', json_cast_type: 'varchar' } },
      { fieldName: 'n', indexName: 'n_idx', params: { index_type: 'AUTOINDEX', json_path: '$meta["n"]', json_cast_type: 'DOUBLE' } },
    ];
    assert.equal(await client.ok('/indexes/create', { collectionName: quick, indexParams }), {});
    let described: any[] = [];
    for (let i = 0; i < 200 && !(described.length === 2 && described.every((x) => x.indexState === 'Finished')); i++) {
      described = (await client.ok('/indexes/describe', { collectionName: quick })).filter((x: any) => x.indexName !== 'vector');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(described.map((x) => [x.indexName, x.fieldName, x.indexType, x.params.json_path, x.params.json_cast_type, x.indexState]).sort(), [
      ['color_idx', 'color', 'INVERTED', 'color', 'VARCHAR', 'Finished'], ['n_idx', 'n', 'INVERTED', 'n', 'DOUBLE', 'Finished'],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await Promise.all(FILTERS.map(ids)), before, 'the answers of no index');
    await client.fails('/indexes/create', { collectionName: quick, indexParams: [{ fieldName: 'color', indexName: 'c2', params: { json_path: 'color', json_cast_type: 'DOUBLE' } }] }, /already has index 'color_idx'/);
    await client.fails('/indexes/create', { collectionName: quick, indexParams: [{ fieldName: 'color', indexName: 'c3', params: { json_path: 'color[', json_cast_type: 'VARCHAR' } }] }, /not a JSON path/, [Code.InvalidArgument]);
    await client.fails('/indexes/create', { collectionName: quick, indexParams: [{ fieldName: 'color', indexName: 'c4', params: { json_path: 'color', json_cast_type: 'INT8' } }] }, /json_cast_type "INT8"/, [Code.InvalidArgument]);
    await client.ok('/collections/release', { collectionName: quick });
    for (const indexName of ['color_idx', 'n_idx']) assert.equal(await client.ok('/indexes/drop', { collectionName: quick, indexName }), {});
    await client.ok('/collections/load', { collectionName: quick });
    await client.waitLoaded(quick);
    assert.equal(await Promise.all(FILTERS.map(ids)), before, 'the same answers once dropped');
  });

  s('grouping search: groupingField, groupSize and strictGroupSize give groups of one year, best group first', async ({ client, books }) => {
    // A second book for each year 1990..1999: ids 30..39 share years with ids 0..9.
    await client.ok('/entities/insert', { collectionName: books, data: Array.from({ length: 10 }, (_, i) => ({ book_id: 30 + i, title: `book ${30 + i}`, year: 1990 + i, score: null, vec: vec(30 + i) })) });
    const hits = await client.ok('/entities/search', { collectionName: books, data: [vec(2)], limit: 4, groupingField: 'year', groupSize: 2, strictGroupSize: true, outputFields: ['year'], consistencyLevel: 'Strong' });
    assert.equal(hits.slice(0, 2).map((h: any) => h.id), [2, 32], 'the group of the closest book holds both books of its year');
    const years = hits.map((h: any) => h.year);
    assert.is(new Set(years).size, 4, 'four groups');
    for (let i = 1; i < hits.length; i++) if (years[i] !== years[i - 1]) assert.not.ok(years.slice(0, i).includes(years[i]), 'a group\'s hits are listed together');
    const ofYear = await client.ok('/entities/search', { collectionName: books, data: [vec(2)], limit: 10, filter: `year == ${years[2]}`, consistencyLevel: 'Strong' });
    assert.equal(hits.filter((h: any) => h.year === years[2]).map((h: any) => h.id), ofYear.slice(0, 2).map((h: any) => h.id), 'a group holds its year\'s best books');
    const paged = await client.ok('/entities/search', { collectionName: books, data: [vec(2)], limit: 1, offset: 1, groupingField: 'year', groupSize: 2, strictGroupSize: true, outputFields: ['year'], consistencyLevel: 'Strong' });
    assert.equal(paged.map((h: any) => h.id), hits.filter((h: any) => h.year === years[2]).map((h: any) => h.id), 'offset skips whole groups');
    await client.fails('/entities/search', { collectionName: books, data: [vec(2)], groupingField: 'score' }, /is Float/);
    await client.fails('/entities/search', { collectionName: books, data: [vec(2)], groupSize: 0, groupingField: 'year' }, /groupSize/);
    await client.ok('/entities/delete', { collectionName: books, filter: 'book_id >= {lo} and book_id < {hi}', exprParams: { lo: 30, hi: 40 } });
    assert.equal(await client.ok('/entities/query', { collectionName: books, filter: 'book_id >= 30 and book_id < 40', consistencyLevel: 'Strong' }), [], 'a templated delete removed the added books');
  });

  s('several vector fields: a search names its annsField; hybrid_search fuses searches of each with rrf or weighted', async ({ client, quick }) => {
    const name = `${quick}_mv`;
    const schema = { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'text', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      { fieldName: 'image', dataType: 'FloatVector', elementTypeParams: { dim: 3 } },
    ] };
    const indexParams = [{ fieldName: 'text', indexName: 'text', metricType: 'COSINE' }, { fieldName: 'image', indexName: 'image', metricType: 'L2', indexType: 'IVF_FLAT', params: { nlist: 2 } }];
    await client.ok('/collections/create', { collectionName: name, schema, indexParams });
    await client.waitLoaded(name);
    await client.ok('/entities/insert', { collectionName: name, data: Array.from({ length: 20 }, (_, i) => ({ id: i, text: vec(i, 4), image: vec(i + 100, 3) })) });
    const img = await client.ok('/entities/search', { collectionName: name, annsField: 'image', data: [vec(105, 3)], limit: 3, searchParams: { params: { nprobe: 2 } }, consistencyLevel: 'Strong' });
    assert.is(img[0].id, 5, 'image 5 is nearest its own vector by L2');
    assert.is(img[0].distance, 0);
    const hybrid = await client.okReply('/entities/hybrid_search', { collectionName: name, search: [
      { data: [vec(5, 4)], annsField: 'text', limit: 5 },
      { data: [vec(105, 3)], annsField: 'image', limit: 5, params: { nprobe: 2 } },
    ], rerank: { strategy: 'rrf', params: { k: 60 } }, limit: 3, consistencyLevel: 'Strong' });
    assert.equal(hybrid.topks, [3]);
    assert.is(hybrid.data[0].id, 5, 'first in both searches, first fused');
    assert.ok(Math.abs(hybrid.data[0].distance - 2 / 61) < 1e-9, 'the RRF score of two first places');
    const weighted = await client.ok('/entities/hybrid_search', { collectionName: name, search: [
      { data: [vec(5, 4)], annsField: 'text', limit: 5 }, { data: [vec(9, 4)], annsField: 'text', limit: 5 },
    ], rerank: { strategy: 'weighted', params: { weights: [0.1, 0.9] } }, limit: 1, consistencyLevel: 'Strong' });
    assert.is(weighted[0].id, 9, 'the heavier search wins');
    await client.fails('/entities/search', { collectionName: name, data: [vec(1, 4)] }, /annsField/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [{ data: [vec(1, 4)], annsField: 'image' }] }, /search\[0\]\.data\[0\]/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [{ data: [vec(1, 4)], annsField: 'text' }], rerank: { strategy: 'weighted', params: { weights: [0.5, 0.5] } } }, /one weight per search/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [] }, /non-empty list/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('full-text search: a BM25 function over an analyzed VarChar; texts searched over REST, sparse hits read back', async ({ client, quick }) => {
    const name = `${quick}_fts`;
    const schema = {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true } },
        { fieldName: 'words', dataType: 'SparseFloatVector' },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['words'] }],
    };
    const indexParams = [{ fieldName: 'vec', indexName: 'vec', metricType: 'COSINE' }, { fieldName: 'words', indexName: 'words', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' }];
    await client.ok('/collections/create', { collectionName: name, schema, indexParams });
    await client.waitLoaded(name);
    const texts = ['the quick brown fox', 'a lazy dog sleeps', 'the fox and the dog', 'milvus loves vectors', 'brown bears and brown foxes'];
    await client.ok('/entities/insert', { collectionName: name, data: texts.map((text, id) => ({ id, text, vec: vec(id, 4) })) });
    const hits = await client.ok('/entities/search', { collectionName: name, annsField: 'words', data: ['brown fox'], limit: 3, outputFields: ['text'], consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: any) => h.id).sort(), [0, 2, 4], 'only documents holding a query term');
    assert.is(hits[0].id, 0, 'both terms, the shorter document first');
    assert.ok(hits.every((h: any, i: number) => i === 0 || h.distance <= hits[i - 1].distance), 'larger scores first');
    assert.is(hits[0].text, texts[0]);
    const matched = await client.ok('/entities/query', { collectionName: name, filter: 'text_match(text, "LAZY bears")', consistencyLevel: 'Strong' });
    assert.equal(matched.map((r: any) => r.id).sort(), [1, 4], 'text_match: any of the terms, analysed as the BM25 field is');
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 9, text: 'x', vec: vec(9, 4), words: { 1: 0.5 } }] }, /words/);
    await client.fails('/entities/search', { collectionName: name, annsField: 'words', data: [[0.1, 0.2]], limit: 3 }, /text/i);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('fields/add: a nullable field joins a live collection; earlier rows read null (or its default), later rows carry it', async ({ client, quick }) => {
    const name = `${quick}_af`;
    const schema = { enableDynamicField: false, fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } }] };
    await client.ok('/collections/create', { collectionName: name, schema, indexParams: [{ fieldName: 'vec', indexName: 'vec', metricType: 'L2' }] });
    await client.waitLoaded(name);
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 1, vec: vec(1, 4) }] });
    assert.equal(await client.ok('/collections/fields/add', { collectionName: name, schema: { fieldName: 'edition', dataType: 'Int64', nullable: true } }), {});
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 2, vec: vec(2, 4), edition: 3 }] });
    const rows = await client.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['edition'], consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => [r.id, r.edition ?? null]).sort(), [[1, null], [2, 3]]);
    const described = await client.ok('/collections/describe', { collectionName: name });
    assert.ok(described.fields.some((f: any) => f.name === 'edition' && f.nullable === true), 'describe lists the added field');
    await client.fails('/collections/fields/add', { collectionName: name, schema: { fieldName: 'n', dataType: 'Int64' } }, /nullable/);
    // With a default value, rows written before the field read the default, and filters see it.
    await client.ok('/collections/fields/add', { collectionName: name, schema: { fieldName: 'tier', dataType: 'VarChar', elementTypeParams: { max_length: 8 }, nullable: true, defaultValue: 'basic' } });
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 3, vec: vec(3, 4), tier: 'gold' }, { id: 4, vec: vec(4, 4) }] });
    const tiers = await client.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['tier'], consistencyLevel: 'Strong' });
    assert.equal(tiers.map((r: any) => [r.id, r.tier]).sort(), [[1, 'basic'], [2, 'basic'], [3, 'gold'], [4, 'basic']]);
    const basic = await client.ok('/entities/query', { collectionName: name, filter: 'tier == "basic"', outputFields: ['id'], consistencyLevel: 'Strong' });
    assert.equal(basic.map((r: any) => r.id).sort(), [1, 2, 4]);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('VarChar ids (quick setup with idType and params.max_length)', async ({ client, quick }) => {
    const name = `${quick}_str`;
    await client.ok('/collections/create', { collectionName: name, dimension: 4, idType: 'VarChar', params: { max_length: '16' }, metricType: 'IP' });
    await client.waitLoaded(name);
    const r = await client.ok('/entities/insert', { collectionName: name, data: [{ id: 'a', vector: vec(1, 4) }, { id: 'b', vector: vec(2, 4) }] });
    assert.equal(r.insertIds, ['a', 'b']);
    const rows = await client.ok('/entities/get', { collectionName: name, id: 'b', consistencyLevel: 'Strong' });
    assert.equal(rows.map((x: any) => x.id), ['b']);
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 'x'.repeat(17), vector: vec(1, 4) }] }, /exceeds max length \(16\)/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('autoID generates keys and refuses given ones', async ({ client, quick }) => {
    const name = `${quick}_auto`;
    await client.ok('/collections/create', { collectionName: name, dimension: 4, autoID: true, metricType: 'L2' });
    await client.waitLoaded(name);
    const r = await client.ok('/entities/insert', { collectionName: name, data: [{ vector: vec(1, 4) }, { vector: vec(2, 4) }, { vector: vec(3, 4) }] });
    assert.is(r.insertCount, 3);
    assert.is(new Set(r.insertIds).size, 3);
    for (const k of r.insertIds) assert.ok(Number.isSafeInteger(k), `generated key ${k}`);
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 1, vector: vec(1, 4) }] }, /autoID|generated/);
    // allow_insert_auto_id: given keys are kept, missing ones generated; dropped again, given keys are refused.
    await client.ok('/collections/alter_properties', { collectionName: name, properties: { allow_insert_auto_id: 'true' } });
    const mixed = await client.ok('/entities/insert', { collectionName: name, data: [{ id: 9_000_001, vector: vec(4, 4) }, { vector: vec(5, 4) }] });
    assert.equal([mixed.insertCount, mixed.insertIds[0], Number.isSafeInteger(mixed.insertIds[1]) && mixed.insertIds[1] !== 9_000_001], [2, 9_000_001, true]);
    const kept = await client.ok('/entities/get', { collectionName: name, id: 9_000_001, consistencyLevel: 'Strong' });
    assert.equal(kept.map((x: any) => x.id), [9_000_001]);
    assert.ok((await client.ok('/collections/describe', { collectionName: name })).properties.some((p: any) => p.key === 'allow_insert_auto_id' && p.value === 'true'));
    await client.fails('/collections/alter_properties', { collectionName: name, properties: { allow_insert_auto_id: 'maybe' } }, /true or false/);
    await client.ok('/collections/drop_properties', { collectionName: name, propertyKeys: ['allow_insert_auto_id'] });
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 2, vector: vec(1, 4) }] }, /autoID|generated|auto-generated/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('aliases: reads and writes through an alias, moved to another collection in one step, then dropped', async ({ client, quick }) => {
    const blue = `${quick}_blue`, green = `${quick}_green`, alias = `${quick}_live`;
    for (const name of [blue, green]) { await client.ok('/collections/create', { collectionName: name, dimension: 4 }); await client.waitLoaded(name); }
    await client.ok('/entities/insert', { collectionName: blue, data: [{ id: 1, vector: vec(1, 4) }, { id: 2, vector: vec(2, 4) }] });
    await client.ok('/entities/insert', { collectionName: green, data: [{ id: 7, vector: vec(7, 4) }] });
    assert.equal(await client.ok('/aliases/create', { collectionName: blue, aliasName: alias }), {});
    assert.equal(await client.ok('/aliases/describe', { aliasName: alias }), { dbName: 'default', aliasName: alias, collectionName: blue });
    assert.equal(await client.ok('/aliases/list', { collectionName: blue }), [alias]);
    assert.ok((await client.ok('/aliases/list', {})).includes(alias));
    const d = await client.ok('/collections/describe', { collectionName: alias });
    assert.equal([d.collectionName, d.aliases], [blue, [alias]]);
    assert.equal(await client.ok('/collections/has', { collectionName: alias }), { has: true });
    const ids = async () => (await client.ok('/entities/query', { collectionName: alias, filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' })).map((r: any) => r.id).sort();
    assert.equal(await ids(), [1, 2]);
    await client.ok('/entities/insert', { collectionName: alias, data: [{ id: 3, vector: vec(3, 4) }] });
    assert.equal(await ids(), [1, 2, 3], 'an insert through the alias lands in its collection');
    // A collection with an alias is not dropped; nor is one named by its alias.
    await client.fails('/collections/drop', { collectionName: blue }, /alias/, [Code.InvalidArgument]);
    await client.fails('/collections/drop', { collectionName: alias }, /alias/, [Code.InvalidArgument]);
    assert.equal(await client.ok('/aliases/alter', { collectionName: green, aliasName: alias }), {});
    await new Promise((r) => setTimeout(r, 1100)); // other clients trust an alias for a second
    assert.equal(await ids(), [7], 'the alias now reads the other collection');
    const hits = await client.okReply('/entities/search', { collectionName: alias, data: [vec(7, 4)], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits.data[0].id, 7);
    assert.equal(await client.ok('/aliases/drop', { aliasName: alias }), {});
    assert.equal(await client.ok('/collections/has', { collectionName: alias }), { has: false });
    for (const name of [blue, green]) await client.ok('/collections/drop', { collectionName: name });
  });

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
