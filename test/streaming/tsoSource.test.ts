import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TsoSource } from '../../actors/streaming-node/shell/tsoSource.js';
import type { CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { Caller } from '../../runtime/rpc/typedBus.js';

/**
 * TSOs come from the coordinator in batches. A closing WAL does not wait for a
 * coordinator that is away: close() fails every wait for a TSO at once.
 */
function coordinator(answer: boolean) {
  let calls = 0;
  const call = (async (_op: string, req: { count: number }) => {
    calls++;
    if (!answer) return new Promise(() => {}); // away: never answers
    return { first: BigInt(1000 * calls), count: req.count };
  }) as unknown as Caller<CoordinatorProtocol>;
  return { call, calls: () => calls };
}

test('TSOs increase within and across batches', async () => {
  const c = coordinator(true);
  const src = new TsoSource(c.call, 3);
  const got: bigint[] = [];
  for (let i = 0; i < 7; i++) got.push(await src.next());
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, `${got[i]} > ${got[i - 1]}`);
  assert.is(c.calls(), 3);
});

test('close() fails a wait for an absent coordinator at once, and every later wait', async () => {
  const src = new TsoSource(coordinator(false).call);
  const waiting = src.next().then(() => 'got a TSO', (e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 20));
  src.close(new Error('closing'));
  assert.is(await waiting, 'closing');
  assert.is(await src.next().then(() => 'got a TSO', (e: Error) => e.message), 'closing');
  assert.is(src.tryNext(), undefined);
});

test.run();
