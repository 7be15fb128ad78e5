import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlackBoxContext } from './blackbox.js';
import { Code, vec } from './support/v2Client.js';

/** The custom-schema collection over REST: created unloaded, indexes (vector, scalar, NGRAM, JSON path), partitions, grouping search. */
export function customSchemaTests(s: Test<BlackBoxContext>): void {
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
}
