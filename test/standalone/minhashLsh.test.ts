import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Hit } from '../../runtime/client/api.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * Near-duplicate detection end to end through the client: 2,000 documents
 * of random words, 50 of them planted twins of others (3 words of ~60
 * replaced), a MINHASH function filling a 128-value signature on insert and
 * a MINHASH_LSH index (32 bands of 4 values) over it; 1,500 rows sealed and
 * indexed, 500 growing. The reference is computed here from the stored
 * signatures alone: MHJACCARD by counting equal 32-bit values, LSH
 * candidates by comparing bands value by value.
 * - searching each planted document by its text finds its twin (recall
 *   against exact brute force >= 0.96: at the twins' similarity of about
 *   0.7 a pair is a candidate with probability 1 - (1 - 0.7^4)^32 > 0.9999);
 * - with mh_search_with_jaccard, the answers are the exact top-k of the
 *   candidates of sealed rows and all growing rows;
 * - a second collection of the same texts with no ANN index (BIN_FLAT)
 *   answers the exact brute-force top-k, growing and sealed rows alike.
 */
const N = 2000, SEALED = 1500, PAIRS = 50, WORDS = 60, HASHES = 128, BANDS = 32, K = 5;
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } }, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } };

function corpus(): { texts: string[]; twinOf: Map<number, number> } {
  const r = rng(77), vocab = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
  const texts = Array.from({ length: N }, () => Array.from({ length: WORDS }, () => vocab[Math.floor(r() * vocab.length)]!).join(' '));
  const twinOf = new Map<number, number>();
  for (let p = 0; p < PAIRS; p++) {
    // Originals among the first rows (sealed), twins spread over sealed and growing rows.
    const a = p * 7, b = 400 + p * 31;
    const words = texts[a]!.split(' ');
    for (let e = 0; e < 3; e++) words[Math.floor(r() * WORDS)] = vocab[Math.floor(r() * vocab.length)]!;
    texts[b] = words.join(' ');
    twinOf.set(a, b); twinOf.set(b, a);
  }
  return { texts, twinOf };
}

/** Stored signatures, as 32-bit values (little-endian bytes of the BinaryVector). */
const values = (bytes: number[]): Uint32Array => new Uint32Array(Uint8Array.from(bytes).buffer);
const mhJaccard = (a: Uint32Array, b: Uint32Array) => a.reduce((n, v, i) => n + (v === b[i] ? 1 : 0), 0) / a.length;
function sharesBand(a: Uint32Array, b: Uint32Array): boolean {
  const r = HASHES / BANDS;
  for (let j = 0; j < BANDS; j++) {
    let all = true;
    for (let i = j * r; i < (j + 1) * r && all; i++) all = a[i] === b[i];
    if (all) return true;
  }
  return false;
}
const topK = (ids: number[], score: (id: number) => number, k: number) => ids.map((id): [number, number] => [id, score(id)]).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k);
const pairs = (hits: Hit[]) => hits.map((h): [number, number] => [h.id as number, h.distance]);

test('MINHASH function + MINHASH_LSH: planted twins found; with jaccard, the exact top-k of the candidates; no index, the exact top-k', async () => {
  const { texts, twinOf } = corpus();
  const fields = [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 4000, enableAnalyzer: true },
    { name: 'sig', dataType: 'BinaryVector', dim: 32 * HASHES },
  ];
  const functions = [{ name: 'mh', type: 'MINHASH', inputFieldNames: ['text'], outputFieldNames: ['sig'], params: { num_hashes: HASHES, shingle_size: 3 } }];
  const lsh = [{ fieldName: 'sig', indexType: 'MINHASH_LSH', metricType: 'MHJACCARD', params: { mh_lsh_band: BANDS, mh_element_bit_width: 32, with_raw_data: true } }];
  const flat = [{ fieldName: 'sig', indexType: 'BIN_FLAT', metricType: 'MHJACCARD', params: {} }];
  const s = await tempStandalone(segmentOpts);
  try {
    for (const [name, indexParams] of [['lsh', lsh], ['flat', flat]] as const) {
      await s.client.createCollection({ collectionName: name, schema: { fields, functions } as never, metricType: 'MHJACCARD', shardsNum: 2, indexParams: indexParams as never, load: true });
      for (let i = 0; i < SEALED; i += 500) await s.client.insert(name, Array.from({ length: 500 }, (_, j) => ({ id: i + j, text: texts[i + j]! })));
      await s.client.flush(name);
      await untilIndexedAndLoaded(s, name, SEALED);
      await s.client.insert(name, Array.from({ length: N - SEALED }, (_, j) => ({ id: SEALED + j, text: texts[SEALED + j]! })));
    }
    const [described] = await s.client.describeIndex('lsh');
    assert.is(described!.indexType, 'MINHASH_LSH');
    const rows = await s.client.query('lsh', { filter: 'id >= 0', outputFields: ['sig'], limit: N, consistencyLevel: 'Strong' });
    assert.is(rows.length, N);
    const sig = new Array<Uint32Array>(N);
    for (const row of rows) sig[row.id as number] = values(row.sig as number[]);
    const ids = Array.from({ length: N }, (_, i) => i);
    const opts = { annsField: 'sig', limit: K, consistencyLevel: 'Strong' as const };

    let found = 0, exactFound = 0;
    for (const [a, b] of twinOf) {
      if (a > b) continue;
      const q = sig[a]!, exact = topK(ids, (id) => mhJaccard(sig[id]!, q), K);
      if (exact.some(([id]) => id === b)) exactFound++;
      // Searched with the document's text: the function makes the query's signature as it made the rows'.
      const [byText] = await s.client.search('lsh', { ...opts, data: [texts[a]!], searchParams: { metricType: 'MHJACCARD', params: { mh_search_with_jaccard: true } } });
      if (byText!.some((h) => h.id === b)) found++;
      // The candidates: sealed rows sharing a band with the query, and every growing row (searched exactly).
      const candidates = ids.filter((id) => id >= SEALED || sharesBand(sig[id]!, q));
      assert.equal(pairs(byText!), topK(candidates, (id) => mhJaccard(sig[id]!, q), K), `doc ${a}: the exact top-k of the candidates`);
      // The signature as a query (its bytes) answers as the text does.
      const bytes = Array.from(new Uint8Array(q.buffer));
      const [bySig] = await s.client.search('lsh', { ...opts, data: [bytes], searchParams: { params: { mh_search_with_jaccard: true } } });
      assert.equal(pairs(bySig!), pairs(byText!));
      // No ANN index: the exact top-k over every row.
      const [plain] = await s.client.search('flat', { ...opts, data: [texts[a]!] });
      assert.equal(pairs(plain!), exact, `doc ${a} without an index`);
      // Without re-scoring: ranked by shared bands; the document itself shares all of them.
      const [coarse] = await s.client.search('lsh', { ...opts, data: [texts[a]!] });
      assert.equal(pairs(coarse!)[0], [a, 1]);
    }
    assert.is(exactFound, PAIRS, 'every twin is in the exact top-k');
    assert.ok(found / exactFound >= 0.96, `recall of planted twins ${found}/${exactFound}`);

    // A filter and a growing twin: refused rows never come back.
    const [filtered] = await s.client.search('lsh', { ...opts, data: [texts[0]!], filter: 'id != 400', searchParams: { params: { mh_search_with_jaccard: true } } });
    assert.not.ok(filtered!.some((h) => h.id === 400));
    // MHJACCARD search params on another metric's field, and a bad width, are refused.
    let refused = false;
    try { await s.client.search('flat', { ...opts, data: [texts[0]!], searchParams: { params: { mh_element_bit_width: 12 } } }); } catch (e) { refused = /mh_element_bit_width/.test((e as Error).message); }
    assert.ok(refused, 'a bad mh_element_bit_width is refused');
    // The function's output is computed: giving it is refused.
    refused = false;
    try { await s.client.insert('lsh', [{ id: N + 1, text: 'x', sig: Array.from({ length: 512 }, () => 0) }]); } catch (e) { refused = /output of a MINHASH function/.test((e as Error).message); }
    assert.ok(refused, 'a given signature is refused');
  } finally {
    await s.cleanup();
  }
});

test.run();
