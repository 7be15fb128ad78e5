import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignSegment } from '../../actors/streaming-node/core/segmentPolicy.js';
import { fold } from '../vchannel/spec.js';
import { DEFAULT, liveCollection, m, rows } from '../vchannel/fixtures.js';

const limits = { maxRows: 10, idleMs: 60_000, lifetimeMs: 3_600_000 };
const live = liveCollection(); // TSOs at ms 1..4; segment 1 in _default, 2 in b

test('an insert goes to the growing segment of its partition while it has room', () => {
  const ctx = fold([...live, m.insert(10, 1, { rows: rows(6) })]).context;
  assert.equal(assignSegment(ctx, DEFAULT, 4, limits), { segmentId: 1 });
  assert.equal(assignSegment(ctx, DEFAULT, 5, limits), { create: true, seal: 1 });
});

test('a full segment an open txn holds is passed over, not a cause of one new segment per insert', () => {
  // Segment 1 is full; txn 7 wrote into it, so its seal is refused until the txn ends.
  const held = [...live, m.insert(10, 1, { rows: rows(10) }), m.begin(11, 7, 10_000), m.insert(12, 1, { txn: 7 })];
  assert.equal(assignSegment(fold(held).context, DEFAULT, 1, limits), { create: true, seal: 1 });
  // The WAL created segment 9; segment 1 is still growing. Later inserts go to 9.
  const ctx = fold([...held, m.createSegment(13, 9)]).context;
  assert.is(ctx.segments['1']!.status, 'growing');
  assert.equal(assignSegment(ctx, DEFAULT, 1, limits), { segmentId: 9 });
});

test.run();
