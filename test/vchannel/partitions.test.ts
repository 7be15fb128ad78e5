import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, given, ok } from './spec.js';
import { DEFAULT, PART_B, liveCollection, m } from './fixtures.js';

test('Insert, Delete and CreateSegment name an existing partition', () => {
  const live = liveCollection();
  given(live).when(m.insert(10, 1, { partition: 4242 })).then(Invariant.PartitionMustExist, 'PartitionNotFound');
  given(live).when(m.delete(10, { partition: 4242 })).then(Invariant.PartitionMustExist);
  given(live).when(m.createSegment(10, 9, 4242)).then(Invariant.PartitionMustExist);
  given(live).when(m.dropPartition(10, 4242)).then(Invariant.PartitionMustExist);
});

test('Delete with partitionId -1 means every partition', () => {
  given(liveCollection()).when(m.delete(10, { partition: -1 })).then(ok);
});

test('CreatePartition of an existing name or id is refused', () => {
  const live = liveCollection();
  given(live).when(m.createPartition(10, PART_B, 'c')).then(Invariant.PartitionAlreadyExists, 'PartitionExists');
  given(live).when(m.createPartition(10, 2002, 'b')).then(Invariant.PartitionAlreadyExists);
  given(live).when(m.createPartition(10, 2002, '_default')).then(Invariant.PartitionAlreadyExists);
});

test('a dropped partition keeps its id but frees its name', () => {
  const dropped = [...liveCollection(), m.dropPartition(10)];
  given(dropped).when(m.createPartition(11, PART_B, 'c')).then(Invariant.PartitionAlreadyExists);
  given(dropped).when(m.createPartition(11, 2002, 'b')).then(ok);
});

test('the _default partition is permanent', () => {
  given(liveCollection()).when(m.dropPartition(10, DEFAULT)).then(Invariant.DefaultPartitionIsPermanent);
});

test('DropPartition blocks later DML to it', () => {
  const dropped = [...liveCollection(), m.dropPartition(10)];
  given(dropped).when(m.insert(11, 2, { partition: PART_B })).then(Invariant.PartitionMustExist);
  given(dropped).when(m.delete(11, { partition: PART_B })).then(Invariant.PartitionMustExist);
  given(dropped).when(m.createSegment(11, 9, PART_B)).then(Invariant.PartitionMustExist);
  given(dropped).when(m.dropPartition(11)).then(Invariant.PartitionMustExist);
  given(dropped).when(m.insert(11, 1)).then(ok);
});

test('DropPartition marks the partition dropped, fences it for good and seals its growing segments', () => {
  const s = accepted(given(liveCollection()).when(m.dropPartition(10)).then(ok));
  const v = vchannelView(s);
  const b = v.partitions.find((p) => p.id === PART_B)!;
  assert.is(b.status, 'dropped');
  assert.is(b.allocationFence, 'infinite');
  assert.equal(v.segments.map((x) => [x.id, x.status]), [[1, 'growing'], [2, 'sealed']]);
});

test.run();
