import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { transition } from 'xstate';
import { Invariant } from '../../messages/errors.js';
import { CHECKS, initialVchannel, vchannelMachine, type VchannelEvent } from '../../actors/streaming-node/core/vchannel/index.js';
import { VCH, m } from './fixtures.js';

const event = (msg: ReturnType<typeof m.insert> | ReturnType<typeof m.createCollection>) => ({ type: msg.header.type, message: msg }) as VchannelEvent;

test('a refusal is the reject action, returned as data with the invariant and reason', () => {
  const s = initialVchannel(VCH);
  const [next, actions] = transition(vchannelMachine, s, event(m.insert(5, 1)));
  assert.is(next, s, 'the snapshot is the same object');
  assert.equal(actions.map((a) => a.type), ['reject']);
  const params = actions[0]!.params as { invariant: string; reason: string };
  assert.is(params.invariant, 'CollectionMustExist');
  assert.match(params.reason, /before the collection exists/);
});

test('an acceptance leaves no action to run: the fold is all in assign', () => {
  const [next, actions] = transition(vchannelMachine, initialVchannel(VCH), event(m.createCollection(1)));
  assert.equal(actions, []);
  assert.is(next.value, 'live');
});

test('every invariant of the catalogue has a check and a named guard', () => {
  assert.equal(Object.keys(CHECKS).sort(), Object.keys(Invariant).sort());
  const guards = Object.keys(vchannelMachine.implementations.guards).sort();
  assert.equal(guards, Object.keys(Invariant).map((k) => `breaks${k}`).sort());
});

test.run();
