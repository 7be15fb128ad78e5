/**
 * The jetstream WAL's message format (runtime/wal/jetstream/frame.ts), without a
 * server: the frame rides in the `Nuthatch-Frame` header; a one-entry group's data
 * is the caller's payload itself (no copy), several entries are framed in the body;
 * groups larger than a message are cut into chunks that rejoin byte for byte.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import type { WalEntry } from '../../runtime/ports/walBackend.js';
import { decodeFrame, decodeGroupBody, encodeFence, encodeGroup, FrameKind, type FrameMessage } from '../../runtime/wal/jetstream/frame.js';
import { GroupAssembler } from '../../runtime/wal/jetstream/groupAssembler.js';
import { randomBytes, sameBytes } from './conformancePayload.js';

const dec = (m: FrameMessage) => decodeFrame(m.frame, m.data);
const rejoin = (msgs: FrameMessage[]) => { const a = new GroupAssembler(); return msgs.flatMap((m) => a.push(dec(m))); };

test('a one-entry group is one message whose data is the payload itself, tso in the header', () => {
  const payload = randomBytes(1, 100_000);
  const [m, ...rest] = encodeGroup(3, 41, [{ tso: 2n ** 63n + 5n, payload }], 1 << 20);
  assert.is(rest.length, 0);
  assert.ok(m!.data === payload, 'not copied');
  const f = dec(m!);
  assert.equal({ ...f, body: undefined }, { kind: FrameKind.Data, last: true, chunk: 0, term: 3, position: 41, count: 1, tso: 2n ** 63n + 5n, body: undefined });
  assert.equal(decodeGroupBody(f, f.body), [{ tso: 2n ** 63n + 5n, payload }]);
});

test('several entries are framed in the body and read back in order', () => {
  const entries: WalEntry[] = [0, 1, 1000, 7].map((n, i) => ({ tso: BigInt(i + 10), payload: randomBytes(i, n) }));
  const msgs = encodeGroup(1, 5, entries, 1 << 20);
  assert.is(msgs.length, 1);
  const back = rejoin(msgs);
  assert.equal(back.map((r) => [r.position, r.tso]), [[5, 10n], [6, 11n], [7, 12n], [8, 13n]]);
  back.forEach((r, i) => assert.ok(sameBytes(r.payload, entries[i]!.payload)));
});

test('groups larger than a message are chunked (a one-entry group as views of its payload) and rejoin exactly', () => {
  const big = randomBytes(9, 10_000);
  const one = encodeGroup(2, 0, [{ tso: 9n, payload: big }], 3000);
  assert.is(one.length, 4);
  assert.ok(one.every((m) => m.data.buffer === big.buffer), 'chunks are views, not copies');
  assert.ok(one.every((m) => m.data.length <= 3000));
  const r = rejoin(one);
  assert.is(r.length, 1);
  assert.ok(sameBytes(r[0]!.payload, big));
  const several = [{ tso: 1n, payload: randomBytes(1, 5000) }, { tso: 2n, payload: randomBytes(2, 5000) }];
  const msgs = encodeGroup(2, 1, several, 3000);
  assert.is(msgs.length, 4);
  assert.equal(rejoin(msgs).map((x) => x.position), [1, 2]);
  assert.equal(rejoin(msgs.slice(0, 3)), [], 'without its last chunk a group is torn and yields nothing');
});

test('a fence carries the next position and no data', () => {
  const f = dec(encodeFence(7, 123));
  assert.equal([f.kind, f.term, f.position, f.count, f.body.length], [FrameKind.Fence, 7, 123, 0, 0]);
});

test('a message that is not ours is a DecodeError', () => {
  for (const h of [undefined, '', 'x', '1 1 0 1 1', '3 1 0 1 1 2', '1 2 0 1 1 2', '1 1 0 1 0 1', '1 1 0 1 0 2 5', '1 1 0 1 0 1 -1']) {
    assert.throws(() => decodeFrame(h, new Uint8Array(0)), (e: Error) => e instanceof DecodeError, `header '${String(h)}'`);
  }
});

test.run();
