/**
 * Stale-schema writes over the REST v2 gateway (messages/schemaVersion.ts): a
 * gateway whose client cached a collection's record and heard no announcement
 * (as one that missed it does) takes an insert after another client altered
 * the collection's BM25 function; the shard refuses the rows shaped by the old
 * definition and the gateway shapes them again, server side, so the caller
 * sees success and the rows carry the new definition's output. A gateway
 * whose client does not resend answers with CollectionSchemaMismatch (1106).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchClient } from '../../runtime/client/client.js';
import { createHttpGateway } from '../../runtime/http/gateway.js';
import { tempStandalone } from '../standalone/harness.js';
import { bm25Fields, bm25Function } from './support/bm25Collection.js';
import { V2Client, vec } from './support/v2Client.js';

const fields = bm25Fields;
const fn = bm25Function;

test('REST: a gateway with a stale record shapes a write again server side; without resending it answers 1106', async () => {
  const s = await tempStandalone({ port: 0 });
  const gateways = await Promise.all([{}, { retryOnSchemaMismatch: false }].map((o) =>
    createHttpGateway(new NuthatchClient(s.bus, { followCatalog: false, ...o }), { port: 0, log: () => {} })));
  try {
    const [stale, strict] = gateways.map((g) => new V2Client(g.url));
    await stale!.ok('/collections/create', { collectionName: 'c', schema: { fields, functions: [fn] }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await stale!.waitLoaded('c');
    // Both gateways cache the record: BM25 over body.
    await stale!.ok('/entities/insert', { collectionName: 'c', data: [{ id: 1, vec: vec(1), body: 'apple', title: 'kiwi' }] });
    await strict!.ok('/entities/insert', { collectionName: 'c', data: [{ id: 2, vec: vec(2), body: 'apple', title: 'kiwi' }] });
    await s.client.alterCollectionFunction({ collectionName: 'c', functionName: 'bm', function: { name: 'bm', type: 'BM25', inputFieldNames: ['title'], outputFieldNames: ['sparse'] } });

    await stale!.ok('/entities/insert', { collectionName: 'c', data: [{ id: 3, vec: vec(3), body: 'apple', title: 'mango' }] });
    const { json } = await strict!.post('/entities/insert', { collectionName: 'c', data: [{ id: 4, vec: vec(4), body: 'apple', title: 'mango' }] });
    assert.is(json.code, 1106, json.message);
    const search = async (q: string) => (await stale!.ok('/entities/search', { collectionName: 'c', annsField: 'sparse', data: [q], limit: 5, consistencyLevel: 'Strong' })).map((h: { id: number }) => h.id);
    assert.equal(await search('mango'), [3], 'row 3 carries the title\'s terms; row 4 was not written');
    assert.equal((await search('apple')).sort(), [1, 2], 'only the rows written before the alter carry the body\'s');
  } finally {
    for (const g of gateways) await g.close();
    await s.cleanup();
  }
});

test.run();
