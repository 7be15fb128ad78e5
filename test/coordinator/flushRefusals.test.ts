import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeFlush, heldRefusals, noFlushRefusals, openFlush, refuseFlush, wasRefused } from '../../actors/coordinator/core/flushRefusals.js';

/**
 * Refused flush reports are kept for the flushes open when they come, and
 * only as long as those flushes are: a coordinator that refuses many
 * segments over its life holds none of them once no flush waits.
 */

test('a refusal with no flush open is not kept', () => {
  const s = refuseFlush(noFlushRefusals(), 7);
  assert.is(heldRefusals(s), 0);
  const { state, token } = openFlush(s);
  assert.is(wasRefused(state, token, 7), false);
});

test('a flush open at a refusal hears of it; one opened after does not', () => {
  const a = openFlush(noFlushRefusals());
  const refused = refuseFlush(a.state, 7);
  const b = openFlush(refused);
  assert.is(wasRefused(b.state, a.token, 7), true);
  assert.is(wasRefused(b.state, a.token, 8), false);
  assert.is(wasRefused(b.state, b.token, 7), false);
  assert.is.not(a.token, b.token);
});

test('every flush open at a refusal hears of it, and it is held until the last of them closes', () => {
  const a = openFlush(noFlushRefusals());
  const b = openFlush(a.state);
  let s = refuseFlush(refuseFlush(b.state, 7), 9);
  assert.equal([wasRefused(s, a.token, 7), wasRefused(s, b.token, 7), wasRefused(s, b.token, 9)], [true, true, true]);
  s = closeFlush(s, a.token);
  assert.equal([wasRefused(s, a.token, 7), wasRefused(s, b.token, 7)], [false, true]);
  assert.ok(heldRefusals(s) > 0);
  s = closeFlush(s, b.token);
  assert.is(heldRefusals(s), 0);
  assert.is(s.open.size, 0);
});

test('many refusals over many flushes leave nothing behind once the flushes end', () => {
  let s = noFlushRefusals();
  for (let i = 0; i < 1000; i++) {
    const f = openFlush(s);
    s = refuseFlush(f.state, i);
    assert.ok(wasRefused(s, f.token, i));
    s = closeFlush(s, f.token);
  }
  assert.is(heldRefusals(s), 0);
  // Closing twice (a flush's finally after a stop) changes nothing.
  assert.is(closeFlush(s, 1), s);
});

test.run();
