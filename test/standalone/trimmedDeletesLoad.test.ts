import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QueryNode } from '../../actors/query-node/shell/queryNode.js';
import { NuthatchError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { SegmentRecord } from '../../messages/rpc/records.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { vectorIndexesAt } from '../../runtime/vectorIndex/vectorIndexes.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Deletes and segment loads on query nodes around a trim of the delete log
 * (query-node/core/shardDeletes.ts). Probe query nodes on the standalone bus
 * (each with its own metadata store, so the coordinator places nothing on
 * them) are handed segment records directly and read with the delegator's
 * sequence number, as a delegator would ask them:
 * - a node that read the deletes before the trim keeps those its old file needs;
 * - a node that reads the log after the trim serves the current (compacted)
 *   file right;
 * - a node that cannot catch up on the deletes a read names refuses it.
 * (Refusing a pre-compaction file loaded after the trim, readsFile in
 * shardDeletes.ts, is not enforced: it refused a restored snapshot's files.)
 */
const DIM = 4, N = 100, GONE = 40;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT' as const, metricType: 'L2' as const, params: {} }];

test('current files and files held before a trim of the deletes read right; a node that cannot catch up refuses', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0, trimAfterEntries: 1 } } });
  const probeDir = await mkdtemp(join(tmpdir(), 'nuthatch-probe-'));
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  const probes: QueryNode[] = [];
  const probe = async (nodeId: string) => {
    const node = new QueryNode({ nodeId, bus: s.bus, meta: await EmbeddedMeta.open(join(probeDir, nodeId)), objects, indexes: vectorIndexesAt(join(probeDir, nodeId, 'diskann')) });
    await node.start();
    probes.push(node);
    return client<QueryNodeProtocol>(s.bus, queryNodeSubject(nodeId), 30_000);
  };
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    await s.client.insert('c', vectors(N, DIM, 5).map((vec, id) => ({ id, vec })));
    await s.client.flush('c');
    await untilIndexedAndLoaded(s, 'c', N);
    const { collectionId, vchannels } = await s.client.describeCollection('c') as unknown as { collectionId: number; vchannels: string[] };
    const vchannel = vchannels[0]!, pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const logOf = () => client<StreamingProtocol>(s.bus, streamingSubject(pchannel))('deletes', { vchannel, fromSeq: Number.MAX_SAFE_INTEGER });
    const [before] = await coord('segments', { collectionId }) as [SegmentRecord];
    // The pre-compaction files, to be put back once the compaction removed them (what a late load still reads).
    const oldFiles = await Promise.all([before.dataKey, ...Object.values(before.indexKeys)].map(async (key) => ({ key, bytes: (await objects.get(key))! })));
    const count = async (qn: Awaited<ReturnType<typeof probe>>, seg: SegmentRecord, ahead = 0) => {
      const { first: guaranteeTso } = await coord('tsoBatch', { count: 1 });
      const r = await qn('query', {
        vchannel, collectionId, filter: null, partitionIds: null, outputFields: [], limit: 0, guaranteeTso, countOnly: true,
        segmentIds: [seg.segmentId], pchannel, deleteSeq: (await logOf()).seq + ahead,
      });
      return r.count;
    };

    // Before any trim: a node holding the flushed file reads the deletes.
    const early = await probe('qn-early');
    await early('load', { segment: before, indexName: 'vec' });
    assert.is(await count(early, before), N);
    await s.client.delete('c', { ids: Array.from({ length: GONE }, (_, i) => i) });
    assert.is(await count(early, before), N - GONE, 'the old file with the deletes applied');
    // Deletes the asker holds that the node cannot fetch (here: beyond the log) fail the read rather than go unapplied.
    const behind = await count(early, before, 3).then((n) => n, (e: unknown) => e);
    assert.ok(behind instanceof NuthatchError && behind.code === 'Unavailable', `a node that cannot catch up refuses, got ${String(behind)}`);

    // Compaction rewrites the segment without the deleted rows and trims every delete from the log.
    const { compactionID } = await s.client.compact('c');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'the compaction', 60_000);
    const log = await logOf();
    const [after] = await coord('segments', { collectionId }) as [SegmentRecord];
    assert.ok(after.dataKey !== before.dataKey && after.rows === N - GONE, 'the segment was rewritten');
    assert.equal([log.base, log.seq], [GONE, GONE], 'every delete was trimmed from the log');
    assert.ok(log.floorTso > 0n);

    // A delete after the trim (of a key no row has) makes every node fetch a page that carries the log's floor.
    await s.client.delete('c', { ids: [10_000] });
    assert.is(await count(early, before), N - GONE, 'a node that read the deletes keeps those the file it holds needs');
    assert.is(Number((await s.client.query('c', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), N - GONE);

    // A node that first reads the log after the trim: the current file reads right.
    const late = await probe('qn-late');
    await late('load', { segment: after, indexName: 'vec' });
    assert.is(await count(late, after), N - GONE);

  } finally {
    for (const node of probes) await node.stop().catch(() => {});
    await objects.close?.();
    await s.cleanup();
    await rm(probeDir, { recursive: true, force: true });
  }
});

test.run();
