/**
 * MINHASH_LSH on the distributed cluster (one process per actor on NATS,
 * etcd and S3): documents inserted as text through the gateway (whose
 * process computes their MinHash signatures), the index built by the index
 * node into S3 and loaded by a query node; searched by text from this test
 * process's client, which computes the query's signature itself. Each
 * document finds itself at MHJACCARD 1 (the same signature in two
 * processes) and its planted twin; with mh_search_with_jaccard the hits are
 * the exact top-k of the rows sharing a band with the query, computed here
 * from the stored signatures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rng } from '../standalone/harness.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const NAME = 'dedup', N = 400, PAIRS = 20, HASHES = 64, BANDS = 16, K = 4;

if (haveServices('cluster: MINHASH_LSH')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('texts in through the gateway, signatures of queries made here: each finds itself and its twin, the exact top-k of its candidates', async () => {
    const c = cluster!;
    const r = rng(5), vocab = Array.from({ length: 3000 }, (_, i) => `v${i}`);
    const texts = Array.from({ length: N }, () => Array.from({ length: 40 }, () => vocab[Math.floor(r() * vocab.length)]!).join(' '));
    for (let p = 0; p < PAIRS; p++) {
      const words = texts[p]!.split(' ');
      words[Math.floor(r() * 40)] = 'edited';
      texts[200 + p] = words.join(' ');
    }
    await c.http.ok('/collections/create', {
      collectionName: NAME, metricType: 'MHJACCARD',
      schema: {
        autoId: false, enableDynamicField: false,
        fields: [
          { fieldName: 'id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 2000, enable_analyzer: true } },
          { fieldName: 'sig', dataType: 'BinaryVector', elementTypeParams: { dim: 32 * HASHES } },
        ],
        functions: [{ name: 'mh', type: 'MINHASH', inputFieldNames: ['text'], outputFieldNames: ['sig'], params: { num_hashes: HASHES } }],
      },
      indexParams: [{ fieldName: 'sig', indexName: 'sig', metricType: 'MHJACCARD', params: { index_type: 'MINHASH_LSH', mh_lsh_band: BANDS } }],
    });
    await c.http.ok('/entities/insert', { collectionName: NAME, data: texts.map((text, id) => ({ id, text })) });
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('the segment indexed and loaded', async () => {
      const [ix] = await c.client.describeIndex(NAME);
      return ix?.indexState === 'Finished' && ix.indexedRows === N && (await c.client.getLoadState(NAME)).loadProgress === 100;
    }, 120_000);
    const rows = await c.client.query(NAME, { filter: 'id >= 0', outputFields: ['sig'], limit: N, consistencyLevel: 'Strong' });
    const sig = new Array<Uint32Array>(N);
    for (const row of rows) sig[row.id as number] = new Uint32Array(Uint8Array.from(row.sig as number[]).buffer);
    const shares = (a: Uint32Array, b: Uint32Array) => Array.from({ length: BANDS }, (_, j) => j).some((j) => a.subarray(j * 4, j * 4 + 4).every((v, i) => v === b[j * 4 + i]));
    const mh = (a: Uint32Array, b: Uint32Array) => a.reduce((n, v, i) => n + (v === b[i] ? 1 : 0), 0) / a.length;
    for (let p = 0; p < PAIRS; p++) {
      const [hits] = await c.client.search(NAME, { annsField: 'sig', data: [texts[p]!], limit: K, consistencyLevel: 'Strong', searchParams: { params: { mh_search_with_jaccard: true } } });
      const q = sig[p]!;
      const want = Array.from({ length: N }, (_, i) => i).filter((i) => shares(sig[i]!, q)).map((i): [number, number] => [i, mh(sig[i]!, q)]).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, K);
      assert.equal(hits!.map((h) => [h.id, h.distance]), want, `doc ${p}`);
      assert.equal(hits!.slice(0, 2).map((h) => h.id), [p, 200 + p], `doc ${p} finds itself, then its twin`);
    }
  });

  test.run();
}
