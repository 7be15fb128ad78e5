import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyMessage } from '../../messages/types.js';
import {
  applyMessage, foldVchannel, initialVchannel, persistVchannel, restoreVchannel, vchannelView, type VchannelSnapshot, type Verdict,
} from '../../actors/streaming-node/core/vchannel/index.js';
import { fold } from './spec.js';
import { VCH, liveCollection, m } from './fixtures.js';
import { RandomLog, prng } from './randomLog.js';

/** A log the machine accepts in full: proposals it refuses are left out, as the WAL would. */
function validLog(seed: number, length: number): AnyMessage[] {
  const gen = new RandomLog(prng(seed), 0.1);
  const log: AnyMessage[] = [];
  let s = initialVchannel(VCH);
  for (let tries = 0; log.length < length && tries < length * 20; tries++) {
    const msg = gen.propose(s);
    if (msg.header.type === 'DropCollection' && log.length < length - 1) continue; // keep the log alive to its end
    const v = applyMessage(s, msg);
    if (v.ok) { log.push(msg); s = v.snapshot; }
  }
  return log;
}

const persisted = (s: VchannelSnapshot) => JSON.stringify(persistVchannel(s));
const outcome = (v: Verdict) => (v.ok ? 'ok' : `${v.error.invariant}: ${v.error.message}`);

for (const seed of [1, 2, 3]) {
  test(`replaying a valid log twice gives identical snapshots (seed ${seed})`, () => {
    const log = validLog(seed, 300);
    assert.ok(log.length >= 150, `the generator should build a long log, got ${log.length}`);
    const kinds = new Set(log.map((x) => x.header.type));
    for (const k of ['Insert', 'CommitTxn', 'SealSegment', 'Flush', 'CreatePartition']) assert.ok(kinds.has(k as never), `log should exercise ${k}`);
    assert.is(persisted(fold(log)), persisted(fold(log)));
  });

  test(`persist and restore mid-log, then continue: same verdicts, same end state (seed ${seed})`, () => {
    const log = validLog(seed + 100, 200);
    const cut = Math.floor(log.length / 2);
    const head = fold(log.slice(0, cut));
    const restored = restoreVchannel(JSON.parse(JSON.stringify(persistVchannel(head))));
    assert.is(persisted(restored), persisted(head), 'restore(persist(s)) persists the same');
    assert.equal(vchannelView(restored), vchannelView(head));
    // Continue both with a tail that mixes valid and broken messages.
    const gen = new RandomLog(prng(seed + 200), 0.3);
    let a = head, b = restored;
    for (let i = 0; i < 300; i++) {
      const msg = i < log.length - cut ? log[cut + i]! : gen.propose(a);
      const va = applyMessage(a, msg), vb = applyMessage(b, msg);
      assert.is(outcome(vb), outcome(va), `verdict #${i} (${msg.header.type})`);
      if (va.ok && vb.ok) { a = va.snapshot; b = vb.snapshot; }
    }
    assert.is(persisted(b), persisted(a));
  });
}

test('a persisted snapshot is plain JSON with TSOs as decimal strings', () => {
  const s = fold([...liveCollection(), m.begin(10, 7, 100), m.insert(11, 1, { txn: 7 }), m.createIndex(12, '__proto__'), m.dropPartition(13)]);
  const p = persistVchannel(s) as { state: string; context: { lastTso: unknown; partitions: Record<string, { allocationFence: unknown }> } };
  assert.is(p.state, 'live');
  assert.is(p.context.lastTso, s.context.lastTso.toString());
  assert.is(p.context.partitions['1001']!.allocationFence, 'infinite');
  assert.equal(JSON.parse(JSON.stringify(p)), p);
  const back = restoreVchannel(p);
  assert.equal(back.context, s.context);
  assert.is(back.value, 'live');
  assert.ok(Object.hasOwn(back.context.indexes, '__proto__'));
});

test('restoring a malformed snapshot throws DecodeError', () => {
  for (const bad of [null, {}, { version: 1, state: 'nowhere', context: {} }, { version: 1, state: 'live', context: { vchannel: VCH, lastTso: 'x' } }]) {
    assert.throws(() => restoreVchannel(bad), (e: Error) => e.name === 'DecodeFailedError');
  }
});

test('foldVchannel stops at the first refusal', () => {
  const v = foldVchannel(initialVchannel(VCH), [...liveCollection(), m.insert(10, 99), m.insert(11, 1)]);
  assert.is(v.ok ? 'ok' : v.error.invariant, 'segment-must-be-growing');
});

test.run();
