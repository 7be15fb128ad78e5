/**
 * The jetstream WAL's one rule for a finished group (runtime/wal/jetstream/finishedGroup.ts),
 * without a server: the reader (GroupAssembler) and lastPosition (positionAfter, as
 * StreamIndex.nextPosition applies it to the last message) agree on every stream a
 * writer can leave — finished groups, groups torn at any chunk, fences after torn
 * groups, same-term and new-term reopens — cut after every message.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalEntry, WalRecord } from '../../runtime/ports/walBackend.js';
import { finishesGroup, positionAfter } from '../../runtime/wal/jetstream/finishedGroup.js';
import { decodeFrame, encodeFence, encodeGroup, type Frame, type FrameMessage } from '../../runtime/wal/jetstream/frame.js';
import { GroupAssembler } from '../../runtime/wal/jetstream/groupAssembler.js';
import { prng, randomBytes, sameBytes } from './conformancePayload.js';

const MAX = 256;
const entries = (n: number, size: number, seed: number): WalEntry[] =>
  Array.from({ length: n }, (_, i) => ({ tso: BigInt(seed * 100 + i), payload: randomBytes(seed * 100 + i, size) }));
const dec = (m: FrameMessage): Frame => decodeFrame(m.frame, m.data);
const group = (term: number, position: number, es: WalEntry[]): Frame[] => encodeGroup(term, position, es, MAX).map(dec);

/** What lastPosition says when `stream` ends at index `last` (as StreamIndex.nextPosition reads it). */
function nextByRule(stream: Frame[], last: number): number {
  const tail = stream[last]!;
  return positionAfter(stream[last - tail.chunk], tail);
}

/** Everything the reader releases from the first `n` messages. */
function readPrefix(stream: Frame[], n: number): WalRecord[] {
  const asm = new GroupAssembler();
  return stream.slice(0, n).flatMap((f) => asm.push(f));
}

test('a one-message group and a chunked group are finished by their last message', () => {
  const one = group(1, 0, entries(2, 10, 1));
  assert.is(one.length, 1);
  assert.ok(finishesGroup(one[0], one[0]!));
  const many = group(1, 2, entries(3, 200, 2));
  assert.ok(many.length >= 3, `${many.length} chunks`);
  const last = many.length - 1;
  assert.ok(finishesGroup(many[0], many[last]!));
  assert.is(positionAfter(many[0], many[last]!), 5);
  const back = readPrefix(many, many.length);
  assert.equal(back.map((r) => r.position), [2, 3, 4]);
  entries(3, 200, 2).forEach((e, i) => assert.ok(sameBytes(back[i]!.payload, e.payload)));
});

test('a group without its last chunk is torn: no entries, and its first position comes next', () => {
  const many = group(1, 7, entries(3, 200, 3));
  for (let k = 0; k < many.length - 1; k++) {
    assert.not.ok(finishesGroup(many[0], many[k]!), `cut after chunk ${k}`);
    assert.is(nextByRule(many, k), 7);
    assert.equal(readPrefix(many, k + 1), []);
  }
});

test('a last chunk is not finished by a chunk 0 of another group, a fence, or a purged head', () => {
  const a = group(1, 4, entries(2, 200, 4));
  const b = group(2, 4, entries(2, 200, 5));
  const last = b[b.length - 1]!;
  assert.not.ok(finishesGroup(a[0], last), 'chunk 0 of another term');
  assert.not.ok(finishesGroup(group(2, 3, entries(2, 200, 5))[0], last), 'chunk 0 at another position');
  assert.not.ok(finishesGroup(group(2, 4, entries(3, 150, 5))[0], last), 'chunk 0 with another entry count');
  assert.not.ok(finishesGroup(dec(encodeFence(2, 4)), last), 'a fence');
  assert.not.ok(finishesGroup(undefined, last), 'purged');
  assert.is(positionAfter(undefined, last), 4);
  assert.is(positionAfter(undefined, dec(encodeFence(3, 9))), 9, 'after a fence: the position it names');
});

/**
 * Streams as writers leave them: each session starts with a fence naming the next
 * position, writes groups of 1..4 entries (some chunked), and may die inside a
 * group, leaving a prefix of its chunks; the next session (same or next term)
 * fences and reuses the torn group's positions.
 */
function writtenStream(seed: number): Frame[] {
  const rnd = prng(seed);
  const out: Frame[] = [];
  let next = 0;
  let term = 1;
  for (let session = 0; session < 6; session++) {
    if (rnd() < 0.5) term++;
    out.push(dec(encodeFence(term, next)));
    const groups = Math.floor(rnd() * 5);
    for (let g = 0; g < groups; g++) {
      const n = 1 + Math.floor(rnd() * 4);
      const chunks = group(term, next, entries(n, Math.floor(rnd() * rnd() * 300), seed * 1000 + out.length));
      const torn = chunks.length > 1 && rnd() < 0.3;
      if (torn) { out.push(...chunks.slice(0, 1 + Math.floor(rnd() * (chunks.length - 1)))); break; }
      out.push(...chunks);
      next += n;
    }
  }
  return out;
}

test('reader and lastPosition agree after every message of 200 written streams', () => {
  let torn = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const stream = writtenStream(seed);
    for (let n = 1; n <= stream.length; n++) {
      const read = readPrefix(stream, n);
      read.forEach((r, i) => assert.is(r.position, i, `seed ${seed}, ${n} messages: positions are gap-free`));
      assert.is(nextByRule(stream, n - 1), read.length, `seed ${seed}, cut after ${n} messages: lastPosition is the last readable position`);
      if (!stream[n - 1]!.last) torn++;
    }
  }
  assert.ok(torn > 100, `torn tails were covered (${torn})`);
});

test.run();
