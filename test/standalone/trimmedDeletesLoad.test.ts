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
import { deleteCoverOf } from '../../actors/shared/segment/deleteCover.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Deletes and segment loads on query nodes around a trim of the delete log
 * (query-node/core/shardDeletes.ts). Probe query nodes on the standalone bus
 * (each with its own metadata store, so the coordinator places nothing on
 * them) are handed segment records directly and read with the delegator's
 * sequence number, as a delegator would ask them. One shard, two segments: A
 * (ids 0..N-1, GONE of them deleted and compacted away) and B (no row
 * deleted: compaction examines it, keeps its file and raises its cover).
 * - a node that read the deletes before the trim keeps those its old file needs;
 * - a node that reads the log after the trim serves the current (compacted)
 *   file right;
 * - a node that cannot catch up on the deletes a read names refuses it;
 * - the pre-compaction file of A, loaded on a node after the trim (a load that
 *   lost the race with the switch and the trim), is refused with Unavailable
 *   rather than read with the deleted rows showing, and the node loads A's
 *   current file in its place;
 * - B's file loaded from its record as it was before the compaction (a cover
 *   below the trim) is still B's current file: the node reads it with the
 *   current record's cover rather than refusing it for good.
 */
const DIM = 4, N = 100, GONE = 40, M = 30;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT' as const, metricType: 'L2' as const, params: {} }];

test('stale and current files around a trim of the deletes: refused and replaced, or read with the current cover', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0, trimAfterEntries: 1, mergeSegments: 0 } } });
  const probeDir = await mkdtemp(join(tmpdir(), 'nuthatch-probe-'));
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  const probes: QueryNode[] = [];
  // `lazy`: tiered storage (a load records metadata; reads fetch the files), whose held covers are kept apart.
  const probe = async (nodeId: string, lazy = false) => {
    const node = new QueryNode({
      nodeId, bus: s.bus, meta: await EmbeddedMeta.open(join(probeDir, nodeId)), objects, indexes: vectorIndexesAt(join(probeDir, nodeId, 'diskann')),
      ...(lazy ? { tieredStorage: { enabled: true }, dataDir: join(probeDir, nodeId) } : {}),
    });
    await node.start();
    probes.push(node);
    return client<QueryNodeProtocol>(s.bus, queryNodeSubject(nodeId), 30_000);
  };
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    const vecs = vectors(N + M, DIM, 5);
    await s.client.insert('c', vecs.slice(0, N).map((vec, id) => ({ id, vec })));
    await s.client.flush('c');
    await s.client.insert('c', vecs.slice(N).map((vec, i) => ({ id: N + i, vec })));
    await s.client.flush('c');
    await untilIndexedAndLoaded(s, 'c', N + M);
    const { collectionId, vchannels } = await s.client.describeCollection('c') as unknown as { collectionId: number; vchannels: string[] };
    const vchannel = vchannels[0]!, pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const logOf = () => client<StreamingProtocol>(s.bus, streamingSubject(pchannel))('deletes', { vchannel, fromSeq: Number.MAX_SAFE_INTEGER });
    const records = async () => {
      const all = await coord('segments', { collectionId });
      assert.is(all.length, 2);
      const a = all.find((r) => r.rows === N || r.rows === N - GONE)!, b = all.find((r) => r !== a)!;
      return { a, b };
    };
    const { a: before, b: bBefore } = await records();
    assert.is(bBefore.rows, M);
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
    const refusal = (qn: Awaited<ReturnType<typeof probe>>, seg: SegmentRecord) => count(qn, seg).then((n) => n, (e: unknown) => e);

    // Before any trim: a node holding the flushed file reads the deletes.
    const early = await probe('qn-early');
    await early('load', { segment: before, indexName: 'vec' });
    assert.is(await count(early, before), N);
    await s.client.delete('c', { ids: Array.from({ length: GONE }, (_, i) => i) });
    assert.is(await count(early, before), N - GONE, 'the old file with the deletes applied');
    // Deletes the asker holds that the node cannot fetch (here: beyond the log) fail the read rather than go unapplied.
    const behind = await count(early, before, 3).then((n) => n, (e: unknown) => e);
    assert.ok(behind instanceof NuthatchError && behind.code === 'Unavailable', `a node that cannot catch up refuses, got ${String(behind)}`);

    // Compaction rewrites A without the deleted rows, keeps B's file with a raised cover, and trims every delete.
    const { compactionID } = await s.client.compact('c');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'the compaction', 60_000);
    const log = await logOf();
    const { a: after, b: bAfter } = await records();
    assert.ok(after.dataKey !== before.dataKey && after.rows === N - GONE, 'A was rewritten');
    assert.ok(bAfter.dataKey === bBefore.dataKey && deleteCoverOf(bAfter) > deleteCoverOf(bBefore), 'B kept its file, its cover raised');
    assert.equal([log.base, log.seq], [GONE, GONE], 'every delete was trimmed from the log');
    assert.ok(log.floorTso > deleteCoverOf(bBefore) && log.floorTso > deleteCoverOf(before), 'past the covers the old records claim');

    // A delete after the trim (of a key no row has) makes every node fetch a page that carries the log's floor.
    await s.client.delete('c', { ids: [10_000] });
    assert.is(await count(early, before), N - GONE, 'a node that read the deletes keeps those the file it holds needs');
    assert.is(Number((await s.client.query('c', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), N - GONE + M);

    // A node that first reads the log after the trim: the current file reads right.
    const late = await probe('qn-late');
    await late('load', { segment: after, indexName: 'vec' });
    assert.is(await count(late, after), N - GONE);

    // B's file from its record as it was before the compaction: still B's file, read with the current cover.
    await late('load', { segment: bBefore, indexName: 'vec' });
    assert.is(await count(late, bBefore), M, 'a current file whose held record is older is read, not refused');
    const fresh = await probe('qn-fresh'), lazy = await probe('qn-lazy', true);
    for (const qn of [fresh, lazy]) {
      await qn('load', { segment: bBefore, indexName: 'vec' });
      assert.is(await count(qn, bBefore), M, 'on a node that first reads the log after the trim too');
    }

    // A's old file (put back: a load that fetched it before its removal) loaded after the trim is refused, on that
    // node and on fresh ones, instead of counting the deleted rows; the node then loads A's current file itself.
    for (const { key, bytes } of oldFiles) await objects.put(key, bytes);
    for (const [nodeId, qn] of [['qn-late', late], ['qn-fresh', fresh], ['qn-lazy', lazy]] as const) {
      await qn('load', { segment: before, indexName: 'vec' });
      const got = await refusal(qn, before);
      assert.ok(got instanceof NuthatchError && got.code === 'Unavailable', `${nodeId}: the old file is refused, got ${String(got)}`);
      await until(async () => (await refusal(qn, before)) === N - GONE, `${nodeId}: A's current file in place of the old one`, 30_000);
    }
  } finally {
    for (const node of probes) await node.stop().catch(() => {});
    await objects.close?.();
    await s.cleanup();
    await rm(probeDir, { recursive: true, force: true });
  }
});

test.run();
