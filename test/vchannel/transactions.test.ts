import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, fold, given, ok } from './spec.js';
import { PART_B, liveCollection, m, rows } from './fixtures.js';

const live = liveCollection(); // TSOs at ms 1..4; segment 1 in _default, 2 in b

test('BeginTxn opens the txn its header names; a second BeginTxn of it is refused', () => {
  given([...live, m.begin(10, 7)]).when(m.begin(11, 7)).then(Invariant.TxnAlreadyOpen);
  given([...live, m.begin(10, 7)]).when(m.begin(11, 8)).then(ok);
});

test('a body needs its txn open', () => {
  given(live).when(m.insert(10, 1, { txn: 7 })).then(Invariant.TxnMustBeOpen, 'TxnNotFound');
  given(live).when(m.delete(10, { txn: 7 })).then(Invariant.TxnMustBeOpen);
  given([...live, m.begin(10, 7), m.commit(11, 7)]).when(m.insert(12, 1, { txn: 7 })).then(Invariant.TxnMustBeOpen);
});

test('Commit and Rollback need the txn open', () => {
  given(live).when(m.commit(10, 7)).then(Invariant.TxnMustBeOpen);
  given(live).when(m.rollback(10, 7)).then(Invariant.TxnMustBeOpen);
  given([...live, m.begin(10, 7), m.commit(11, 7)]).when(m.commit(12, 7)).then(Invariant.TxnMustBeOpen);
  given([...live, m.begin(10, 7), m.rollback(11, 7)]).when(m.commit(12, 7)).then(Invariant.TxnMustBeOpen);
});

test('a txn expires at its last TSO + keep-alive; each body refreshes it', () => {
  const open = [...live, m.begin(10, 7, 100)];
  given(open).when(m.insert(110, 1, { txn: 7 })).then(ok);
  given(open).when(m.insert(111, 1, { txn: 7 })).then(Invariant.TxnExpired, 'TxnAborted');
  given(open).when(m.commit(111, 7)).then(Invariant.TxnExpired);
  given(open).when(m.rollback(111, 7)).then(Invariant.TxnExpired);
  given([...open, m.insert(90, 1, { txn: 7 })]).when(m.commit(190, 7)).then(ok);
  given([...open, m.delete(90, { txn: 7 })]).when(m.commit(191, 7)).then(Invariant.TxnExpired);
});

test('only Insert and Delete may be txn bodies', () => {
  const withTxn = <T extends { header: { txn?: { id: number } } }>(msg: T): T => { msg.header.txn = { id: 7 }; return msg; };
  const open = [...live, m.begin(10, 7)];
  given(open).when(withTxn(m.createPartition(11, 5, 'c'))).then(Invariant.TxnNotAllowed);
  given(open).when(withTxn(m.createSegment(11, 9))).then(Invariant.TxnNotAllowed);
  given(open).when(withTxn(m.seal(11, 1))).then(Invariant.TxnNotAllowed);
  given(open).when(withTxn(m.manualFlush(11))).then(Invariant.TxnNotAllowed);
});

test('exclusive DDL aborts every open txn: a later body or commit is refused', () => {
  const aborted = [...live, m.begin(10, 7), m.insert(11, 1, { txn: 7 }), m.begin(12, 8), m.createPartition(13, 5, 'c')];
  given(aborted).when(m.insert(14, 1, { txn: 7 })).then(Invariant.TxnAbortedByDdl, 'TxnAborted');
  given(aborted).when(m.delete(14, { txn: 8 })).then(Invariant.TxnAbortedByDdl);
  given(aborted).when(m.commit(14, 7)).then(Invariant.TxnAbortedByDdl);
  given(aborted).when(m.rollback(14, 8)).then(Invariant.TxnAbortedByDdl);
  given(aborted).when(m.begin(14, 7)).then(Invariant.TxnAlreadyOpen);
  assert.equal(vchannelView(given(aborted).snapshot).segments[0]!.rows, 0, 'aborted rows are never visible');
});

test('non-exclusive messages leave open txns alone', () => {
  const open = [...live, m.begin(10, 7), m.insert(11, 1, { txn: 7 }), m.createSegment(12, 9, PART_B), m.insert(13, 2, { partition: PART_B })];
  given(open).when(m.commit(14, 7)).then(ok);
});

test('txn ids are forgotten one keep-alive after expiry (bounded memory)', () => {
  const aborted = [...live, m.begin(10, 7, 100), m.manualFlush(20)]; // expires at 110, forgotten after 210
  given(aborted).when(m.commit(210, 7)).then(Invariant.TxnAbortedByDdl);
  given(aborted).when(m.commit(211, 7)).then(Invariant.TxnMustBeOpen);
  const expired = [...live, m.begin(10, 8, 100)];
  given(expired).when(m.commit(210, 8)).then(Invariant.TxnExpired);
  given(expired).when(m.commit(211, 8)).then(Invariant.TxnMustBeOpen);
  const later = fold([...aborted, m.begin(30, 8, 50), m.delete(211)]);
  assert.equal(Object.keys(later.context.txns), [], 'no txn remembered past its window');
});

test('a txn body becomes visible at commit, all at once; rollback drops it', () => {
  const body = [...live, m.insert(5, 1, { rows: rows(3) }), m.begin(10, 7), m.insert(11, 1, { txn: 7, rows: rows(4) }), m.insert(12, 1, { txn: 7, rows: rows(5) })];
  const pending = vchannelView(given(body).snapshot);
  assert.equal([pending.segments[0]!.rows, pending.segments[0]!.pendingRows], [3, 9]);
  assert.equal(pending.openTxns.map((t) => [t.id, t.pendingRows, t.bodyMessages]), [[7, 9, 2]]);
  const committed = vchannelView(accepted(given(body).when(m.commit(13, 7)).then(ok)));
  assert.equal([committed.segments[0]!.rows, committed.segments[0]!.pendingRows, committed.openTxns.length], [12, 0, 0]);
  const rolledBack = vchannelView(accepted(given(body).when(m.rollback(13, 7)).then(ok)));
  assert.equal([rolledBack.segments[0]!.rows, rolledBack.segments[0]!.pendingRows, rolledBack.openTxns.length], [3, 0, 0]);
});

test('BeginTxn carries its txn header and a sane keep-alive', () => {
  const noHeader = m.begin(10, 7);
  delete noHeader.header.txn;
  given(live).when(noHeader).then(Invariant.TxnMustBeOpen);
  given(live).when(m.begin(10, 7, -1)).then(Invariant.TxnNotAllowed);
  given(live).when(m.begin(10, 7, Number.NaN)).then(Invariant.TxnNotAllowed);
});

test.run();
