import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addDeletePage, appliedTsoOf, newDeleteLogRead } from '../../actors/data-node/core/deleteLogRead.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { DataNode } from '../../actors/data-node/shell/dataNode.js';
import { deleteCoverOf, deleteFloorOf } from '../../actors/shared/segment/deleteCover.js';
import { encodeSegmentFile, type SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { answerDeletes } from '../../actors/streaming-node/shell/deleteReads.js';
import { newShard, addDelete, trimDeletes } from '../../actors/streaming-node/core/shardData.js';
import { deletePage } from '../../actors/streaming-node/core/deletePages.js';
import type { DeleteEntry, SegmentRecord } from '../../messages/rpc/records.js';
import { streamingReadSubject, streamingChecks, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { DATA_NODE_SUBJECT, type DataNodeProtocol } from '../../messages/rpc/workers.js';
import type { Tso } from '../../messages/types.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client, serveProtocol, type Handlers } from '../../runtime/rpc/typedBus.js';

/**
 * A data node's compaction reads the shard's delete log from its owner or,
 * when the owner does not answer, from any delegator, a follower among them
 * (data-node/core/deleteLogRead.ts). A follower may trail the owner: its log
 * then lacks the latest deletes. A rewrite must not claim to have applied
 * deletes it never saw, or the log below its claimed cover is trimmed and the
 * rows those deletes hid show again.
 *
 * The shard here: rows 1..4 inserted at 10; deletes of 1 at 50 and of 2 at 80;
 * a follower that has folded up to 60 (it lacks the delete at 80); the
 * compaction's horizon is 100.
 */
const log: DeleteEntry[] = [{ pk: 1, tso: 50n }, { pk: 2, tso: 80n }];
const FOLLOWER_AT = 60n, UNTIL = 100n;
const seg: SealedSegment = {
  segmentId: 7, collectionId: 2, partitionId: 3, vchannel: 'p0_2v0', count: 4, dim: 2,
  pks: [1, 2, 3, 4], tsos: [10n, 10n, 10n, 10n], vectors: Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]), fields: {},
};

/** The shard's log as a replica that has folded up to `at` holds it, and a page of it from `fromSeq`. */
function replicaPage(at: Tso, fromSeq: number) {
  const s = newShard('p0_2v0', 2);
  for (const e of log) if (e.tso <= at) addDelete(s, e);
  return deletePage(s, fromSeq, at);
}

/** Whether the log, trimmed below the least cover of the shard's segments after the rewrite, still hides row 2. */
function row2StaysDeleted(claimedTso: Tso): boolean {
  const s = newShard('p0_2v0', 2);
  for (const e of log) addDelete(s, e);
  const rewritten = { rows: 3, rowsFromTso: 10n, deletesAppliedTso: claimedTso };
  trimDeletes(s, deleteFloorOf([rewritten])!);
  return s.deleteIndex.has(2);
}

test('a log read from a lagging follower is complete only to its position, and the rewrite claims no further', () => {
  const read = newDeleteLogRead();
  assert.ok(addDeletePage(read, replicaPage(FOLLOWER_AT, 0)), 'one page holds the follower\'s log');
  assert.equal([read.seq, read.completeTso, [...read.byKey.keys()]], [1, FOLLOWER_AT, [1]]);
  const applied = appliedTsoOf(UNTIL, read);
  assert.is(applied, FOLLOWER_AT);
  const r = compactSegment(seg, read.byKey, applied);
  assert.equal(r.seg.pks, [2, 3, 4], 'the delete it saw is applied; row 2 is kept (the follower never saw its delete)');
  // The hole: had the rewrite claimed its horizon, the trim would drop the delete of row 2 and row 2 would show.
  assert.not.ok(row2StaysDeleted(UNTIL), 'claiming the horizon trims a delete the rewrite never applied');
  assert.ok(row2StaysDeleted(deleteCoverOf({ rowsFromTso: 10n, deletesAppliedTso: applied })), 'claiming the follower\'s position keeps it');
});

test('pages from the owner, then from a follower behind it: complete to what the last page\'s replica says', () => {
  const read = newDeleteLogRead();
  // The owner's first page (it has both deletes; a page of one entry here), then the owner goes away.
  const first = { ...replicaPage(UNTIL, 0), entries: [log[0]!] };
  assert.not.ok(addDeletePage(read, first), 'more to read');
  // The follower holds nothing past seq 1: an empty page that ends the read, complete only to its position.
  assert.ok(addDeletePage(read, replicaPage(FOLLOWER_AT, read.seq)));
  assert.equal([read.seq, read.completeTso, appliedTsoOf(UNTIL, read)], [1, FOLLOWER_AT, FOLLOWER_AT]);
  // A replica caught up past the horizon: the rewrite claims the horizon.
  const caught = newDeleteLogRead();
  addDeletePage(caught, replicaPage(120n, 0));
  assert.equal([caught.seq, appliedTsoOf(UNTIL, caught)], [2, UNTIL]);
});

test('a replica asked to fold up to a TSO first does; one that cannot answers with how far it is complete', async () => {
  const shard = newShard('p0_2v0', 2);
  for (const e of log) addDelete(shard, e);
  const req: StreamingProtocol['deletes']['req'] = { vchannel: 'v', fromSeq: 0, syncTso: UNTIL };
  const catchesUp = { shards: new Map([['v', shard]]), serviceable: FOLLOWER_AT, async sync(t: Tso) { this.serviceable = t; return t; } };
  assert.is((await answerDeletes(catchesUp, req)).completeTso, UNTIL);
  const ownerAway = { shards: new Map([['v', shard]]), serviceable: FOLLOWER_AT, sync: () => Promise.reject(new Error('no owner')) };
  const page = await answerDeletes(ownerAway, req);
  assert.equal([page.completeTso, page.entries.length], [FOLLOWER_AT, 2]);
});

test('a data node whose owner is away compacts with a lagging follower\'s log and claims only its position', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-dlog-'));
  const bus = new MemoryBus();
  const objects = new LocalObjectStore(dir);
  const dn = new DataNode({ nodeId: 'dn-1', bus, objects });
  // Only a follower answers (on the read subject); nothing serves the owner's subject.
  const follower = serveProtocol<StreamingProtocol>(bus, streamingReadSubject('p0'), streamingChecks, {
    deletes: async ({ fromSeq }) => replicaPage(FOLLOWER_AT, fromSeq),
  } as Partial<Handlers<StreamingProtocol>> as Handlers<StreamingProtocol>, { queue: 'read' });
  try {
    await dn.start();
    const dataKey = 'segments/2/7/data.seg';
    await objects.put(dataKey, encodeSegmentFile(seg));
    const record: SegmentRecord = { collectionId: 2, partitionId: 3, segmentId: 7, vchannel: 'p0_2v0', pchannel: 'p0', rows: 4, dataKey, indexKeys: {}, from: 0, to: 0, rowsFromTso: 10n };
    const out = await client<DataNodeProtocol>(bus, DATA_NODE_SUBJECT, 30_000)('compactSegment', { segment: record, untilTso: UNTIL, minRatio: 0 });
    assert.equal([out.compacted, out.rows, out.removed, out.appliedTso], [true, 3, 1, FOLLOWER_AT]);
  } finally {
    follower.unsubscribe();
    await dn.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
