import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Delegator, type ShardHost } from '../../actors/streaming-node/shell/delegator.js';
import { newShard, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';

/**
 * A delegator still holding a flushed segment that was merged into another
 * before any query node served it alone (or that recovery rebuilt) drops it
 * when the distribution names it retired: its rows are never searched twice.
 */
const V = 'dml_0_7v0';

function host(shard: ShardData): ShardHost {
  return { pchannel: 'dml_0', durable: new Map(), shards: new Map([[V, shard]]), serviceable: 0n, sync: async () => 0n } as unknown as ShardHost;
}

function held(id: number, flushed: boolean) {
  return { id, collectionId: 7, partitionId: 8, createPos: 0, sealPos: flushed ? 1 : null, flushed, chunks: [], rows: 3, createdTso: 1n, lastWriteTso: 1n };
}

test('a flushed segment the distribution retires leaves the delegator; a growing one stays', () => {
  const shard = newShard(V, 7);
  shard.segments.set(41, held(41, true));
  shard.segments.set(42, held(42, true));
  shard.segments.set(43, held(43, false));
  const d = new Delegator(new MemoryBus());
  d.setDistribution({ vchannel: V, version: 3, loaded: true, segments: [{ segmentId: 90, nodeId: 'qn-1', indexName: null }], retired: [41] }, host(shard));
  assert.equal([...shard.segments.keys()], [42, 43], 'segment 41 was merged into 90; 42 waits for its own load');
  assert.ok(shard.handedOff.has(41));
});

test.run();
