/**
 * Start-up retries (runtime/replication/startupRetry.ts): a step failing for a
 * reason that passes (Unavailable, Timeout) is tried again with a logged line
 * until it succeeds; one failing for good (a collection that does not exist)
 * fails at once; a stop ends the waiting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { retryStartup } from '../../runtime/replication/startupRetry.js';

test('a transient failure is retried, each attempt logged, until the step succeeds', async () => {
  const logs: string[] = [];
  let calls = 0;
  const got = await retryStartup('connecting to the target etcd', async () => {
    if (++calls < 3) throw new NuthatchError(calls === 1 ? 'Unavailable' : 'Timeout', 'not up yet');
    return 'up';
  }, { baseMs: 1, log: (...a) => logs.push(a.join(' ')) });
  assert.is(got, 'up');
  assert.is(calls, 3);
  assert.is(logs.length, 2);
  assert.match(logs[0]!, /start-up: connecting to the target etcd failed \(attempt 1, Unavailable: not up yet\); retrying in 1 ms/);
});

test('a failure that no retry mends fails at once', async () => {
  let calls = 0;
  const e = await retryStartup('reading source collection x', async () => { calls++; throw new NuthatchError('CollectionNotFound', 'no x'); }, { baseMs: 1 }).catch((err: NuthatchError) => err);
  assert.is((e as NuthatchError).code, 'CollectionNotFound');
  assert.is(calls, 1);
});

test('a stop ends the waiting with the last error', async () => {
  let calls = 0, stopped = false;
  const e = await retryStartup('x', async () => { if (++calls === 2) stopped = true; throw new NuthatchError('Unavailable', 'down'); }, { baseMs: 1, stopped: () => stopped }).catch((err: NuthatchError) => err);
  assert.is((e as NuthatchError).code, 'Unavailable');
  assert.is(calls, 2);
});

test.run();
