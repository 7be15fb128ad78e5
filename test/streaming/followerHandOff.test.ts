import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Follower } from '../../actors/streaming-node/shell/follower.js';
import type { NodeContext } from '../../actors/streaming-node/shell/nodeContext.js';
import { newShard } from '../../actors/streaming-node/core/shardData.js';
import type { WalBackend } from '../../runtime/ports/walBackend.js';

/**
 * A follower's hand-off bookkeeping stays as small as the distribution: it
 * drops the segments a query node serves, remembers only those it has not
 * folded yet (so their CreateSegment does not grow them), and forgets ids the
 * distribution no longer names.
 */
const V = 'dml_0_7v0';
const held = (id: number) => ({ id, collectionId: 7, partitionId: 8, createPos: 0, sealPos: 1, flushed: true, chunks: [], rows: 3, createdTso: 1n, lastWriteTso: 1n });

test('a follower keeps hand-off entries only for named segments it has not folded', () => {
  // Neither the node context nor the backend is used by distribution changes.
  const f = new Follower('dml_0', {} as NodeContext, {} as WalBackend, async () => ({ tso: 0n, position: 0 }), () => undefined, () => {});
  const shard = newShard(V, 7);
  shard.segments.set(5, held(5));
  shard.segments.set(9, held(9));
  f.shards.set(V, shard);
  f.applyDistribution({ vchannel: V, version: 3, loaded: true, segments: [{ segmentId: 5, nodeId: 'qn', indexName: null }, { segmentId: 6, nodeId: 'qn', indexName: null }], retired: [7] });
  assert.equal([...shard.segments.keys()], [9], 'segment 5 is served; 9 waits for its load');
  assert.equal([...shard.handedOff.keys()].sort(), [6, 7], 'not 5: it was folded, its CreateSegment will not come again');
  assert.equal(shard.handedOff.get(6), { partitionId: -1, version: 3 });
  f.applyDistribution({ vchannel: V, version: 4, loaded: true, segments: [{ segmentId: 6, nodeId: 'qn', indexName: null }] });
  assert.equal([...shard.handedOff.keys()], [6], 'segment 7 is no longer named');
  f.applyDistribution({ vchannel: V, version: 5, loaded: false, segments: [] });
  assert.equal(shard.handedOff.size, 0);
  assert.equal([...shard.segments.keys()], [], 'released: flushed rows wait in object storage');
});

test.run();
