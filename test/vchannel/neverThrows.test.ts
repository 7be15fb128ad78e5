import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvariantError } from '../../messages/errors.js';
import { applyMessage, initialVchannel, persistVchannel } from '../../actors/streaming-node/core/vchannel/index.js';
import { VCH } from './fixtures.js';
import { RandomLog, prng } from './randomLog.js';

test('random message sequences get a verdict, never a throw; a refusal changes nothing', () => {
  const seen = new Map<string, number>();
  let accepted = 0, total = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const gen = new RandomLog(prng(seed), 0.35);
    let s = initialVchannel(VCH);
    for (let i = 0; i < 250; i++) {
      const msg = gen.propose(s);
      const before = i % 10 === 0 ? JSON.stringify(persistVchannel(s)) : undefined;
      let v;
      try { v = applyMessage(s, msg); } catch (e) { return assert.unreachable(`seed ${seed} step ${i} (${msg.header.type}) threw: ${String(e)}`); }
      total++;
      if (v.ok) { accepted++; s = v.snapshot; continue; }
      assert.instance(v.error, InvariantError);
      seen.set(v.error.invariant, (seen.get(v.error.invariant) ?? 0) + 1);
      if (before !== undefined) assert.is(JSON.stringify(persistVchannel(s)), before);
    }
  }
  assert.ok(accepted > total / 3 && accepted < total, `a healthy mix of verdicts: ${accepted}/${total} accepted`);
  assert.ok(seen.size >= 14, `many invariants exercised: ${[...seen.keys()].join(', ')}`);
});

test('an unknown message type is a decode error, not a verdict', () => {
  const bogus = { header: { type: 'Upsert', vchannel: VCH, tso: 5n, version: 1, walPosition: -1, lastConfirmed: -1 }, body: {} };
  assert.throws(() => applyMessage(initialVchannel(VCH), bogus as never), (e: Error) => e.name === 'DecodeFailedError');
});

test.run();
