/**
 * collections/functions/add, alter and drop over the REST v2 gateway (nuthatch's
 * names: Milvus's RESTful v2 has no function routes): a BM25 function added to
 * an existing analyzed VarChar and sparse field makes later inserts leave the
 * sparse field out and text searches find them; describe lists it; altered, it
 * reads another field; dropped, inserts give the field again; bad requests are
 * refused with typed codes. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { bm25Fields, bm25Function } from './support/bm25Collection.js';
import { Code, V2Client, vec } from './support/v2Client.js';

const fields = bm25Fields;
const fn = bm25Function;

test('REST: add, alter and drop a BM25 function; searches and inserts follow it; refusals', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    await http.ok('/entities/insert', { collectionName: 'c', data: [{ id: 1, vec: vec(1), body: 'apple', title: 'kiwi', sparse: { 5: 1 } }] });
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 2, vec: vec(2), body: 'apple', title: 'kiwi' }] }, /sparse/);

    await http.ok('/collections/functions/add', { collectionName: 'c', function: fn });
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.equal(described.functions.map((f: { name: string; type: string; inputFieldNames: string[] }) => [f.name, f.type, f.inputFieldNames]), [['bm', 'BM25', ['body']]]);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 2, vec: vec(2), body: 'apple', title: 'kiwi', sparse: { 5: 1 } }] }, /output of a BM25 function/);
    await http.ok('/entities/insert', { collectionName: 'c', data: [{ id: 2, vec: vec(2), body: 'apple pie', title: 'kiwi' }, { id: 3, vec: vec(3), body: 'pear', title: 'apple' }] });
    const search = async (q: string) => (await http.ok('/entities/search', { collectionName: 'c', annsField: 'sparse', data: [q], limit: 5, consistencyLevel: 'Strong' })).map((h: { id: number }) => h.id);
    assert.equal(await search('apple'), [2], 'the row written after the function, by its body');

    await http.ok('/collections/functions/alter', { collectionName: 'c', functionName: 'bm', function: { ...fn, inputFieldNames: ['title'] } });
    await http.ok('/entities/insert', { collectionName: 'c', data: [{ id: 4, vec: vec(4), body: 'plum', title: 'apple' }] });
    assert.equal((await search('apple')).sort(), [2, 4], 'row 4 by its title; row 3, written before the alter, by its body (pear)');

    await http.fails('/collections/functions/add', { collectionName: 'c', function: fn }, /already exists/, [Code.InvalidArgument]);
    await http.fails('/collections/functions/add', { collectionName: 'c', function: { ...fn, name: 'x', type: 'TextEmbedding' } }, /BM25 and MINHASH/, [Code.InvalidArgument]);
    await http.fails('/collections/functions/add', { collectionName: 'c', function: { ...fn, extra: 1 } }, /extra/, [Code.InvalidArgument]);
    await http.fails('/collections/functions/add', { collectionName: 'gone', function: fn }, /does not exist/, [Code.CollectionNotFound]);
    await http.fails('/collections/functions/alter', { collectionName: 'c', function: { ...fn, name: 'nope' } }, /no function 'nope'/, [Code.InvalidArgument]);
    await http.fails('/collections/functions/drop', { collectionName: 'c' }, /functionName/, [Code.InvalidArgument]);
    await http.fails('/collections/functions/drop', { collectionName: 'c', functionName: 'nope' }, /no function 'nope'/, [Code.InvalidArgument]);

    await http.ok('/collections/functions/drop', { collectionName: 'c', functionName: 'bm' });
    assert.is((await http.ok('/collections/describe', { collectionName: 'c' })).functions, undefined);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 5, vec: vec(5), body: 'apple', title: 'kiwi' }] }, /sparse/);
    await http.ok('/entities/insert', { collectionName: 'c', data: [{ id: 5, vec: vec(5), body: 'apple', title: 'kiwi', sparse: { 5: 3 } }] });
  } finally { await s.cleanup(); }
});

test.run();
