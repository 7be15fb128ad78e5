import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BuildThread } from '../../actors/index-node/shell/buildThread.js';
import { vectorIndexFile } from '../../actors/index-node/shell/vectorIndexFile.js';
import { decodeSegmentFile, encodeSegmentFile, type SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { IndexNodeProtocol } from '../../messages/rpc/workers.js';
import { vectorIndexes } from '../../runtime/vectorIndex/vectorIndexes.js';

/**
 * The index node's build thread (actors/index-node/shell/buildThread.ts): a
 * vector index built on the worker thread is the very file the event loop
 * would build (HNSW, IVF and DISKANN alike); a refused build comes back as the
 * same typed error; a thread that dies fails the build it held (Unavailable,
 * which the coordinator retries) and the next build gets a new thread.
 */
const DIM = 8, N = 600;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 6, queries: 1, seed: 5 });
const seg: SealedSegment = {
  segmentId: 7, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors, fields: {},
};
const file = encodeSegmentFile(seg);
const task = (indexType: string, params: Record<string, number | string> = {}, metricType: 'L2' | 'IP' | 'HAMMING' = 'L2'): IndexNodeProtocol['buildIndex']['req'] => ({
  collectionId: 1, segmentId: 7, dataKey: 'k', index: { indexName: 'v', fieldName: 'v', indexType, metricType, params },
});

test('a build on the thread gives the file the event loop gives, for HNSW, IVF_FLAT and DISKANN', async () => {
  const thread = new BuildThread();
  try {
    for (const t of [task('HNSW', { M: 8, efConstruction: 40 }), task('IVF_FLAT', { nlist: 8 }), task('DISKANN', { max_degree: 16, search_list_size: 20 })]) {
      const onThread = await thread.build(file, t);
      const inline = await vectorIndexFile(decodeSegmentFile(file), t, vectorIndexes);
      assert.ok(onThread.byteLength > 0, `${t.index.indexType}: a file came back`);
      assert.equal(Buffer.from(onThread).equals(Buffer.from(inline)), true, `${t.index.indexType}: byte for byte`);
      const index = await vectorIndexes[t.index.indexType]!.load(onThread, DIM, 'L2');
      assert.is(index.search(ds.queries[0]!, 5).length, 5, `${t.index.indexType}: the thread's file loads and answers`);
    }
  } finally { await thread.close(); }
});

test('a refused build comes back typed; a dead thread fails its build Unavailable and the next build starts a new one', async () => {
  const thread = new BuildThread();
  try {
    const refused = await thread.build(file, task('DISKANN', {}, 'HAMMING')).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof ValidationError, 'the same class as inline');
    assert.match((refused as Error).message, /DISKANN compares float vectors by L2, IP or COSINE, not HAMMING/);

    const held = thread.build(file, task('HNSW', { M: 8, efConstruction: 40 }));
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const lost = await held.then(() => undefined, (e: unknown) => e);
    assert.ok(lost instanceof NuthatchError && lost.code === 'Unavailable', `the build it held fails Unavailable, got ${String(lost)}`);

    const again = await thread.build(file, task('HNSW', { M: 8, efConstruction: 40 }));
    assert.ok(again.byteLength > 0, 'a new thread builds the next one');
  } finally { await thread.close(); }
});

test.run();
