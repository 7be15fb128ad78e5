/**
 * What the object WAL writer retries when a store fails (retryTransient.ts): a
 * store that did not answer for now, until it does or the deadline passes; never
 * a store closed on purpose, nor any other failure; and not past a reason to stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { isTransient, retryTransient } from '../../runtime/wal/object/retryTransient.js';

const never = (): undefined => undefined;

/** A call that fails with `errors` in turn, then answers 'done'; counts its calls. */
function flaky(errors: unknown[]): { fn: () => Promise<string>; calls: () => number } {
  let n = 0;
  return { fn: async () => { const e = errors[n++]; if (e) throw e; return 'done'; }, calls: () => n };
}

test('Unavailable and Timeout are transient; a closed store and other codes are not', () => {
  assert.ok(isTransient(new NuthatchError('Unavailable', 'etcd restarting')));
  assert.ok(isTransient(new NuthatchError('Timeout', 'slow')));
  assert.ok(isTransient(new NuthatchError('Unavailable', 'circuit open', { reason: 'circuit-open' })));
  assert.not.ok(isTransient(new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' })));
  assert.not.ok(isTransient(new NuthatchError('Internal', 'bug')));
  assert.not.ok(isTransient(new NuthatchError('Conflict', 'exists')));
  assert.not.ok(isTransient(new Error('plain')));
});

test('transient failures are retried until the call answers', async () => {
  const f = flaky([new NuthatchError('Unavailable', 'a'), new NuthatchError('Timeout', 'b')]);
  assert.is(await retryTransient(f.fn, Date.now() + 10_000, never), 'done');
  assert.is(f.calls(), 3);
});

test('a failure that is not transient is thrown at once', async () => {
  const f = flaky([new NuthatchError('Unavailable', 'closed', { reason: 'closed' })]);
  try { await retryTransient(f.fn, Date.now() + 10_000, never); assert.unreachable('resolved'); } catch (e) {
    assert.is((e as NuthatchError).info.reason, 'closed');
  }
  assert.is(f.calls(), 1);
});

test('a transient failure past the deadline is final', async () => {
  const f = flaky(Array.from({ length: 100 }, () => new NuthatchError('Unavailable', 'down')));
  try { await retryTransient(f.fn, Date.now() + 100, never); assert.unreachable('resolved'); } catch (e) {
    assert.is((e as NuthatchError).code, 'Unavailable');
  }
  assert.ok(f.calls() < 100, `gave up after ${f.calls()} calls`);
});

test('a reason to stop ends the retries with that reason', async () => {
  const f = flaky(Array.from({ length: 100 }, () => new NuthatchError('Unavailable', 'down')));
  const closed = new NuthatchError('WalUnavailable', 'writer closed');
  try { await retryTransient(f.fn, Date.now() + 10_000, () => closed); assert.unreachable('resolved'); } catch (e) {
    assert.is(e, closed);
  }
  assert.is(f.calls(), 1);
});

test.run();
