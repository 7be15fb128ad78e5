/**
 * A delegator asks query nodes only for the sealed segments of the partitions
 * a read covers: a tenant's search in a partition-key collection reaches the
 * nodes serving its partition, not every node of the shard.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Distribution } from '../../messages/rpc/records.js';
import { holdersOf } from '../../actors/streaming-node/shell/replicaFanout.js';

const dist: Distribution = {
  vchannel: 'p_1v0', version: 3,
  segments: [
    { segmentId: 1, nodeId: 'qa', partitionId: 10 },
    { segmentId: 1, nodeId: 'qb', partitionId: 10 },
    { segmentId: 2, nodeId: 'qb', partitionId: 11 },
    { segmentId: 3, nodeId: 'qc', partitionId: 12 },
    // Written before distributions named partitions: asked whatever the read covers.
    { segmentId: 4, nodeId: 'qd' },
  ],
};
const plain = (h: Map<number, string[]>) => [...h].sort((a, b) => a[0] - b[0]);

test('every segment and its replicas when the read covers every partition', () => {
  assert.equal(plain(holdersOf(dist)), [[1, ['qa', 'qb']], [2, ['qb']], [3, ['qc']], [4, ['qd']]]);
});

test('only the segments of the partitions read, and those of unknown partition', () => {
  assert.equal(plain(holdersOf(dist, new Set([11]))), [[2, ['qb']], [4, ['qd']]]);
  assert.equal(plain(holdersOf(dist, new Set([10, 12]))), [[1, ['qa', 'qb']], [3, ['qc']], [4, ['qd']]]);
  assert.equal(plain(holdersOf(dist, new Set())), [[4, ['qd']]], 'a read of no partition asks for nothing it can rule out');
  assert.equal(plain(holdersOf(undefined, new Set([10]))), []);
});

test.run();
