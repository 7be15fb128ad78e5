import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hedger } from '../../runtime/client/hedge.js';

/**
 * Hedged reads: a read that does not answer in time is sent once more and the
 * first answer wins; a read that answers is not sent again; a read fails only
 * when every copy failed.
 */
const never = <T>() => new Promise<T>(() => {});
// The hedge timer does not keep a process alive (a real request does): here, this does.
let alive: NodeJS.Timeout;
test.before(() => { alive = setInterval(() => {}, 1000); });
test.after(() => clearInterval(alive));

test('a read held by a dead delegator is answered by the second copy', async () => {
  const h = new Hedger(5);
  let calls = 0;
  const v = await h.run(() => (++calls === 1 ? never<string>() : Promise.resolve('second')));
  assert.is(v, 'second');
  assert.is(calls, 2);
});

test('a read that answers is sent once', async () => {
  const h = new Hedger(50);
  let calls = 0;
  assert.is(await h.run(async () => { calls++; return 7; }), 7);
  await new Promise((r) => setTimeout(r, 80));
  assert.is(calls, 1);
});

test('a failure of the first copy fails the read at once when no copy is left', async () => {
  const h = new Hedger(10_000);
  const e = await h.run(() => Promise.reject(new Error('refused'))).catch((x: Error) => x);
  assert.is((e as Error).message, 'refused');
});

test('a failed first copy does not fail the read while the second may answer', async () => {
  const h = new Hedger(5);
  let calls = 0;
  const v = await h.run(() => (++calls === 1 ? new Promise<string>((_, reject) => setTimeout(() => reject(new Error('late failure')), 20)) : new Promise<string>((r) => setTimeout(() => r('ok'), 40))));
  assert.is(v, 'ok');
});

test.run();
