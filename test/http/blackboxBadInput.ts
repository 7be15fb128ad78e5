import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlackBoxContext } from './blackbox.js';
import { BAD_INPUT, Code, vec } from './support/v2Client.js';

/**
 * The bad-input half of the black-box suite: every request here is wrong in one
 * way, and each must be refused with a non-zero code and a message that says
 * what is wrong. Runs after the happy paths, against the same collections.
 */
export function badInputTests(s: Test<BlackBoxContext>): void {
  s('bad rows: wrong dimension, wrong field types, missing primary key', async ({ client, quick, books }) => {
    await client.fails('/entities/insert', { collectionName: quick, data: [{ id: 50, vector: vec(50).slice(0, 7) }] }, /dimension|8/, BAD_INPUT);
    const good = { book_id: 60, title: 'ok', year: 2000, score: 1.5, vec: vec(60) };
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, year: '1999' }] }, /year/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, year: 3_000_000_000 }] }, /year/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, title: 42 }] }, /title/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, title: 'x'.repeat(65) }] }, /title|max_length/, BAD_INPUT);
    const { book_id: _, ...noKey } = good;
    await client.fails('/entities/insert', { collectionName: books, data: [noKey] }, /book_id|primary key/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, extra: 1 }] }, /extra/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [good, { ...good }] }, /twice|duplicate/i, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: books, data: [{ ...good, book_id: '12x' }] }, /book_id/, BAD_INPUT);
  });

  s('NaN-like junk in vectors is refused', async ({ client, quick }) => {
    const junk: unknown[] = [
      ['NaN', 0, 0, 0, 0, 0, 0, 0], [null, 0, 0, 0, 0, 0, 0, 0], [[1], 0, 0, 0, 0, 0, 0, 0],
      [{}, 0, 0, 0, 0, 0, 0, 0], [true, 0, 0, 0, 0, 0, 0, 0], [1e39, 0, 0, 0, 0, 0, 0, 0], 'abc', {}, [],
    ];
    for (const v of junk) {
      await client.fails('/entities/insert', { collectionName: quick, data: [{ id: 70, vector: v }] }, /vector|number|float32/, BAD_INPUT);
      await client.fails('/entities/search', { collectionName: quick, data: [v] }, /data\[0\]|vector|number|float32/, BAD_INPUT);
    }
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1), vec(1).slice(0, 4)] }, /data\[1\]/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: vec(1) }, /data\[0\]/, BAD_INPUT);
  });

  s('empty data and an oversized batch', async ({ client, quick }) => {
    await client.fails('/entities/insert', { collectionName: quick, data: [] }, /data/, BAD_INPUT);
    await client.fails('/entities/upsert', { collectionName: quick, data: [] }, /data/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: [] }, /data/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: quick }, /data/, BAD_INPUT);
    const zero = [0, 0, 0, 0, 0, 0, 0, 1];
    const big = Array.from({ length: 100_001 }, (_, i) => ({ id: 1_000_000 + i, vector: zero }));
    await client.fails('/entities/insert', { collectionName: quick, data: big }, /100000/, BAD_INPUT);
  });

  s('bad limits, offsets, consistency levels and metric types', async ({ client, quick }) => {
    for (const limit of [0, -1, 16385, 2.5, '10']) {
      await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], limit }, /limit/, BAD_INPUT);
    }
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], limit: 16000, offset: 1000 }, /limit \+ offset/, BAD_INPUT);
    await client.fails('/entities/query', { collectionName: quick, filter: 'id > 0', limit: 10, offset: -1 }, /offset/, BAD_INPUT);
    await client.fails('/entities/query', { collectionName: quick }, /filter|limit/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], consistencyLevel: 'Sometimes' }, /consistencyLevel/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], searchParams: { params: { ef: 'big' } } }, /ef/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], annsField: 'other' }, /annsField/, BAD_INPUT);
    await client.fails('/collections/create', { collectionName: `${quick}_m`, dimension: 4, metricType: 'HAMMING' }, /metricType/, BAD_INPUT);
  });

  s('bad schemas: duplicate field names, two primary keys, no vector, bad types', async ({ client, quick }) => {
    const name = `${quick}_bad`;
    const pk = { fieldName: 'id', dataType: 'Int64', isPrimary: true };
    const v = { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } };
    const create = (fields: unknown[]) => ({ collectionName: name, schema: { fields } });
    await client.fails('/collections/create', create([pk, v, { fieldName: 'v', dataType: 'Int32' }]), /duplicate field name 'v'/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, { ...pk, fieldName: 'id2' }, v]), /primary key/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, { fieldName: 'n', dataType: 'Int32' }]), /FloatVector/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, v, { fieldName: 'a', dataType: 'Array' }]), /elementDataType/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, v, { fieldName: 'a', dataType: 'Array', elementDataType: 'Int8', elementTypeParams: { max_capacity: 5000 } }]), /max_capacity/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, { ...v, elementTypeParams: { dim: 0 } }]), /dim/, BAD_INPUT);
    await client.fails('/collections/create', create([pk, v, { fieldName: 's', dataType: 'VarChar' }]), /max_length/, BAD_INPUT);
    await client.fails('/collections/create', { collectionName: name, dimension: 4, schema: { fields: [pk, v] } }, /dimension/, BAD_INPUT);
    await client.fails('/collections/create', { collectionName: name }, /dimension|schema/, BAD_INPUT);
    await client.fails('/collections/create', { collectionName: 'bad-name!', dimension: 4 }, /name/, BAD_INPUT);
    await client.fails('/collections/create', { collectionName: quick, dimension: 8 }, /exist/i);
    assert.equal(await client.ok('/collections/has', { collectionName: name }), { has: false });
  });

  s('unknown collection, partition, index and fields', async ({ client, quick, books }) => {
    const ghost = `${quick}_ghost`;
    await client.fails('/collections/describe', { collectionName: ghost }, /collection/i, [Code.CollectionNotFound]);
    await client.fails('/collections/compact', { collectionName: ghost }, /collection/i, [Code.CollectionNotFound]);
    await client.fails('/aliases/create', { collectionName: ghost, aliasName: 'bb_alias_x' }, /collection/i, [Code.CollectionNotFound]);
    await client.fails('/aliases/drop', { aliasName: 'bb_no_such_alias' }, /alias/i, [Code.AliasNotFound]);
    await client.fails('/aliases/describe', { aliasName: 'bb_no_such_alias' }, /alias/i, [Code.AliasNotFound]);
    await client.fails('/aliases/alter', { collectionName: ghost, aliasName: 'bb_no_such_alias' }, /alias/i, [Code.AliasNotFound]);
    await client.fails('/aliases/create', { collectionName: ghost, aliasName: '9bad' }, /alias/, BAD_INPUT);
    await client.fails('/aliases/create', { collectionName: quick, aliasName: quick }, /collection|alias/i, [Code.AliasExists]);
    await client.fails('/collections/get_compaction_state', { jobID: 'soon' }, /jobID/, BAD_INPUT);
    await client.fails('/collections/get_compaction_state', {}, /compactionID|jobID/, BAD_INPUT);
    await client.fails('/entities/insert', { collectionName: ghost, data: [{ id: 1, vector: vec(1) }] }, /collection/i);
    await client.fails('/entities/search', { collectionName: ghost, data: [vec(1)] }, /collection/i);
    await client.fails('/entities/insert', { collectionName: books, partitionName: 'nope', data: [{ book_id: 1, title: 't', year: 1, vec: vec(1) }] }, /partition/i);
    await client.fails('/entities/search', { collectionName: books, data: [vec(1)], partitionNames: ['nope'] }, /partition/i);
    await client.fails('/partitions/drop', { collectionName: books, partitionName: 'nope' }, /partition/i);
    await client.fails('/indexes/drop', { collectionName: books, indexName: 'nope' }, /index/i);
    await client.fails('/entities/query', { collectionName: books, filter: 'year > 0', outputFields: ['nope'] }, /outputFields/, BAD_INPUT);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], bogus: 1 }, /bogus/, [Code.InvalidArgument]);
    await client.fails('/collections/describe', { collectionName: quick, extra: true }, /extra/, [Code.InvalidArgument]);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], groupingField: 'color' }, /groupingField 'color' is not a field/, [Code.InvalidArgument]);
    await client.fails('/entities/search', { collectionName: quick, data: [vec(1)], functionScore: {} }, /functionScore.functions must be a non-empty list of rerank functions/, [Code.InvalidArgument]);
    await client.fails('/collections/list', { dbName: 'other' }, /database not found: 'other'/, [Code.DatabaseNotFound]);
    await client.fails('/collections/describe', { dbName: 'other', collectionName: quick }, /database not found/, [Code.DatabaseNotFound]);
    await client.fails('/collections/list', { dbName: 'no-such' }, /database name/, [Code.InvalidArgument]);
    await client.fails('/collections/list', { dbName: 7 }, /dbName' must be a string/, [Code.InvalidArgument]);
  });

  s('ids beyond the safe integer range are refused, not rounded', async ({ client, quick }) => {
    await client.fails('/entities/get', '{"collectionName":"' + quick + '","id":9223372036854775807}', /safe|±/, BAD_INPUT);
    await client.fails('/entities/insert', '{"collectionName":"' + quick + '","data":[{"id":9007199254740993,"vector":' + JSON.stringify(vec(1)) + '}]}', /±|safe/, BAD_INPUT);
    await client.fails('/entities/get', { collectionName: quick, id: [] }, /id/, BAD_INPUT);
    await client.fails('/entities/get', { collectionName: quick, id: { a: 1 } }, /id/, BAD_INPUT);
  });

  s('malformed requests: bad JSON, wrong content type, wrong method, unknown endpoint', async ({ client, quick }) => {
    await client.fails('/collections/describe', '{"collectionName": ', /JSON/, [Code.MalformedRequest]);
    await client.fails('/collections/describe', '[1, 2]', /object/, [Code.InvalidArgument]);
    await client.fails('/collections/describe', 'null', /object/, [Code.InvalidArgument]);
    const typed = await client.post('/collections/describe', JSON.stringify({ collectionName: quick }), { 'Content-Type': 'text/plain' });
    assert.is(typed.json.code, Code.MalformedRequest);
    assert.match(typed.json.message!, /Content-Type/);
    const get = await fetch(`${client.url}/v2/vectordb/collections/list`);
    assert.is(get.status, 405);
    const getBody = (await get.json()) as { code: number; message: string };
    assert.ok(getBody.code !== 0 && /POST/.test(getBody.message), JSON.stringify(getBody));
    const missing = await client.post('/collections/frobnicate', {});
    assert.is(missing.status, 404);
    assert.ok(missing.json.code !== 0 && /unknown endpoint/.test(missing.json.message!), JSON.stringify(missing.json));
  });
}
