import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { tsoOf } from '../../messages/types.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, given, ok } from './spec.js';
import { DEFAULT, PART_B, liveCollection, m, rows } from './fixtures.js';

const live = liveCollection(); // TSOs at ms 1..4; segment 1 in _default, 2 in b

test('CreateSegment needs a new segment id, even after the old one was flushed', () => {
  given(live).when(m.createSegment(10, 1)).then(Invariant.SegmentIdMustBeNew);
  given([...live, m.seal(10, 1), m.flush(11, 1)]).when(m.createSegment(12, 1)).then(Invariant.SegmentIdMustBeNew);
  given(live).when(m.createSegment(10, 3, PART_B)).then(ok);
});

test('Insert names a growing segment of its own partition', () => {
  given(live).when(m.insert(10, 9)).then(Invariant.SegmentMustBeGrowing);
  given(live).when(m.insert(10, 2)).then(Invariant.SegmentMustBeGrowing); // segment 2 is in partition b
  given([...live, m.seal(10, 1)]).when(m.insert(11, 1)).then(Invariant.SegmentMustBeGrowing);
  given(live).when(m.insert(10, 2, { partition: PART_B })).then(ok);
});

test("an insert's TSO exceeds its segment's CreateSegment TSO", () => {
  given([...live, m.insert(10, 1), m.createSegment(20, 9)]).when(m.insert(15, 9)).then(Invariant.InsertAfterSegmentCreate);
});

test("an insert's TSO exceeds the partition's allocation fence, which ManualFlush raises", () => {
  const flushed = [...live, m.insert(10, 1), m.manualFlush(20), m.createSegment(30, 9)];
  given(flushed).when(m.insert(15, 9)).then(Invariant.InsertAfterAllocationFence);
  given(flushed).when(m.insert(31, 9)).then(ok);
});

test('ManualFlush seals every growing segment and raises every live partition fence', () => {
  const v = vchannelView(accepted(given([...live, m.dropPartition(5)]).when(m.manualFlush(20)).then(ok)));
  assert.equal(v.segments.map((s) => [s.id, s.status, s.sealReason]), [[1, 'sealed', 'ManualFlush'], [2, 'sealed', 'DropPartition']]);
  assert.equal(v.partitions.map((p) => [p.id, p.allocationFence]), [[DEFAULT, tsoOf(20)], [PART_B, 'infinite']]);
});

test('SealSegment needs a growing segment', () => {
  given(live).when(m.seal(10, 9)).then(Invariant.SegmentMustBeGrowing);
  given([...live, m.seal(10, 1)]).when(m.seal(11, 1)).then(Invariant.SegmentMustBeGrowing);
});

test('a segment an open txn inserted into cannot be sealed until the txn ends', () => {
  const open = [...live, m.begin(10, 7, 100), m.insert(11, 1, { txn: 7 })];
  given(open).when(m.seal(12, 1)).then(Invariant.SegmentHasOpenTxn);
  given(open).when(m.seal(12, 2)).then(ok);
  given([...open, m.commit(12, 7)]).when(m.seal(13, 1)).then(ok);
  given([...open, m.rollback(12, 7)]).when(m.seal(13, 1)).then(ok);
  given(open).when(m.seal(112, 1)).then(ok); // the txn expired at 111
});

test('Flush needs a sealed segment', () => {
  given(live).when(m.flush(10, 1)).then(Invariant.SegmentMustBeSealed);
  given(live).when(m.flush(10, 9)).then(Invariant.SegmentMustBeSealed);
  given([...live, m.seal(10, 1), m.flush(11, 1)]).when(m.flush(12, 1)).then(Invariant.SegmentMustBeSealed);
  given([...live, m.seal(10, 1)]).when(m.flush(11, 1)).then(ok);
});

test('each segment counts its visible rows for the seal policy', () => {
  const s = given([...live, m.insert(10, 1, { rows: rows(3) }), m.insert(11, 1, { rows: rows(4) }), m.insert(12, 2, { partition: PART_B, rows: rows(5) }), m.seal(13, 1), m.flush(14, 1)]).snapshot;
  assert.equal(vchannelView(s).segments.map((x) => [x.id, x.status, x.rows]), [[1, 'flushed', 7], [2, 'growing', 5]]);
});

test('TrimDeletes names a floor below its own TSO, outside any transaction, and changes no vchannel state', () => {
  const withDeletes = [...live, m.delete(10), m.delete(11)];
  given(withDeletes).when(m.trimDeletes(12, 12)).then(Invariant.DeleteFloorBelowTso);
  given(withDeletes).when(m.trimDeletes(12, 20)).then(Invariant.DeleteFloorBelowTso);
  const v = accepted(given(withDeletes).when(m.trimDeletes(12, 11)).then(ok));
  assert.equal(vchannelView(v).segments, vchannelView(accepted(given(withDeletes.slice(0, -1)).when(withDeletes.at(-1)!).then(ok))).segments);
  given([...live, m.dropCollection(10)]).when(m.trimDeletes(12, 11)).then(Invariant.NothingAfterDrop);
});

test.run();
