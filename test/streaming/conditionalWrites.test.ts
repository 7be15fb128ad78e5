import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConditionalWrites } from '../../actors/streaming-node/shell/conditionalWrites.js';
import { NuthatchError } from '../../messages/errors.js';
import { newMessage, type AnyMessage, type Tso } from '../../messages/types.js';

/**
 * A pchannel's conditional transactions, as its WAL stamps messages: given
 * what was written since the WAL opened, when a conditional transaction
 * commits, then it conflicts only if one of its keys may have been written
 * after its read — a vchannel's first one included, which is judged by the
 * vchannel's last write until its table exists.
 */

const rows = (pks: number[]) => ({ pks, fields: {} }) as never;
const insert = (v: string, pks: number[], txn?: { id: number; keepaliveMs: number }) => newMessage('Insert', v, { collectionId: 1, partitionId: 1, segmentId: 1, rows: rows(pks) }, txn);

/** Stamps `m` at `tso` through check and admitted, as pchannelWal.stamp does; the refusal's code, or 'ok'. */
function stamp(cw: ConditionalWrites, m: AnyMessage, tso: Tso): string {
  m.header.tso = tso;
  try { cw.check(m); } catch (e) { return e instanceof NuthatchError ? e.code : String(e); }
  cw.admitted(m);
  return 'ok';
}

/** A conditional upsert of `pks` read at `since`, stamped from `tso` on: the commit's outcome. */
function conditional(cw: ConditionalWrites, v: string, id: number, pks: number[], since: Tso, tso: Tso): string {
  const txn = { id, keepaliveMs: 10_000 };
  cw.expect(id, since);
  stamp(cw, newMessage('BeginTxn', v, { keepaliveMs: 10_000 }, txn), tso);
  stamp(cw, insert(v, pks, txn), tso + 1n);
  const out = stamp(cw, newMessage('CommitTxn', v, {}, txn), tso + 2n);
  if (out !== 'ok') stamp(cw, newMessage('RollbackTxn', v, {}, txn), tso + 3n);
  return out;
}

test('a vchannel\'s first conditional write passes when nothing was written to it after its read', () => {
  const cw = new ConditionalWrites();
  assert.is(stamp(cw, insert('v', [1, 2]), 100n), 'ok');
  assert.is(conditional(cw, 'v', 1, [1], 150n, 200n), 'ok', 'the last write (100) is before the read (150)');
});

test('a first conditional write conflicts when its vchannel was written after its read, or the WAL opened after it', () => {
  const cw = new ConditionalWrites();
  stamp(cw, insert('v', [1]), 100n);
  stamp(cw, insert('v', [9]), 140n);
  assert.is(conditional(cw, 'v', 1, [1], 120n, 200n), 'WriteConflict', 'written at 140, after the read at 120 (any key: no table yet)');
  assert.is(stamp(cw, insert('w', [3]), 300n), 'ok');
  const fresh = new ConditionalWrites();
  stamp(fresh, insert('x', [1]), 500n);
  assert.is(conditional(fresh, 'y', 2, [1], 450n, 600n), 'WriteConflict', 'y unwritten since the WAL opened at 500, but the read (450) is older than that');
  assert.is(conditional(fresh, 'y', 3, [1], 550n, 700n), 'ok');
});

test('once the table exists, keys are told apart: a write to another key after the read does not conflict, one to the same key does', () => {
  const cw = new ConditionalWrites();
  stamp(cw, insert('v', [1]), 100n);
  assert.is(conditional(cw, 'v', 1, [1], 150n, 200n), 'ok');
  stamp(cw, insert('v', [2]), 300n);
  assert.is(conditional(cw, 'v', 2, [1], 250n, 400n), 'ok', 'key 2 written at 300 is not key 1');
  stamp(cw, insert('v', [1]), 500n);
  assert.is(conditional(cw, 'v', 3, [1], 450n, 600n), 'WriteConflict');
  assert.is(conditional(cw, 'v', 4, [1], 602n, 700n), 'ok', 'key 1 was last written at 500 (the conflicting transaction wrote nothing)');
});

test.run();
