/**
 * given(messages).when(message).then(ok | invariant): the shape of every vchannel
 * spec. `given` folds the messages (each must be accepted); `then` checks the
 * verdict and, on a rejection, that the snapshot it was applied to is untouched.
 */
import * as assert from 'uvu/assert';
import { InvariantError, type ErrorCodeName, type InvariantName } from '../../messages/errors.js';
import type { AnyMessage } from '../../messages/types.js';
import { applyMessage, initialVchannel, persistVchannel, type VchannelSnapshot, type Verdict } from '../../actors/streaming-node/core/vchannel/index.js';
import { VCH } from './fixtures.js';

export const ok = 'ok' as const;

/** Folds messages that must all be accepted. */
export function fold(messages: AnyMessage[], from: VchannelSnapshot = initialVchannel(VCH)): VchannelSnapshot {
  let s = from;
  messages.forEach((msg, i) => {
    const v = applyMessage(s, msg);
    if (!v.ok) assert.unreachable(`given message #${i} (${msg.header.type}) was refused: ${v.error.message}`);
    else s = v.snapshot;
  });
  return s;
}

export function given(messages: AnyMessage[]) {
  const snapshot = fold(messages);
  return {
    snapshot,
    when(message: AnyMessage) {
      const before = JSON.stringify(persistVchannel(snapshot));
      const verdict = applyMessage(snapshot, message);
      return {
        verdict,
        /** Expects acceptance, or a rejection naming `invariant` (and carrying `code`, when given). */
        then(expected: typeof ok | InvariantName, code?: ErrorCodeName): Verdict {
          if (expected === ok) {
            if (!verdict.ok) assert.unreachable(`expected ${message.header.type} to be accepted, got: ${verdict.error.message}`);
            return verdict;
          }
          if (verdict.ok) assert.unreachable(`expected ${message.header.type} to be refused with ${expected}, but it was accepted`);
          else {
            assert.instance(verdict.error, InvariantError);
            assert.is(verdict.error.invariant, expected, verdict.error.message);
            if (code) assert.is(verdict.error.code, code);
            assert.is(JSON.stringify(persistVchannel(snapshot)), before, 'a rejected message must leave the snapshot unchanged');
          }
          return verdict;
        },
      };
    },
  };
}

/** The accepted snapshot of a verdict (fails the test on a rejection). */
export function accepted(v: Verdict): VchannelSnapshot {
  if (!v.ok) throw new Error(`expected acceptance, got: ${v.error.message}`);
  return v.snapshot;
}
