import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { DecodeError, type InvariantError } from '../../../../messages/errors.js';
import { MessageType, type AnyMessage } from '../../../../messages/types.js';
import { rejectionError, type Rejection } from './checks.js';
import { vchannelMachine, type VchannelEvent } from './machine.js';

/** A vchannel machine snapshot: state value ('absent' | 'live' | 'dropped') plus VchannelContext. */
export type VchannelSnapshot = SnapshotFrom<typeof vchannelMachine>;

/** The machine's answer to one message. */
export type Verdict = { ok: true; snapshot: VchannelSnapshot } | { ok: false; error: InvariantError };

/** The snapshot of a vchannel before its first message (state 'absent'). */
export function initialVchannel(vchannel: string): VchannelSnapshot {
  return initialTransition(vchannelMachine, { vchannel })[0];
}

/**
 * Feeds one stamped message (header.tso set) to the machine, in WAL order.
 * Accepted: the next snapshot. Refused: an InvariantError naming the invariant;
 * the caller keeps the snapshot it passed in, which is never modified.
 * Uses xstate's pure `transition()` and never executes actions: the returned
 * `reject` action is read as data. TimeTicks are refused (WrongVchannel): they
 * belong to the pchannel, and feeding one here is a routing mistake.
 * Throws DecodeError only for a message whose type is not in the catalogue
 * (bytes the codec should already have refused).
 */
export function applyMessage(snapshot: VchannelSnapshot, message: AnyMessage): Verdict {
  if (!Object.hasOwn(MessageType, message?.header?.type)) throw new DecodeError(`unknown message type '${String(message?.header?.type)}'`);
  const event = { type: message.header.type, message } as VchannelEvent;
  const [next, actions] = transition(vchannelMachine, snapshot, event);
  const reject = actions.find((a) => a.type === 'reject');
  if (reject) return { ok: false, error: rejectionError(reject.params as Rejection) };
  // Every accepted message advances lastTso, so an unchanged snapshot means no transition was enabled: a machine bug.
  if (next === snapshot) throw new Error(`vchannel machine has no transition for ${message.header.type} in state ${String(snapshot.value)}`);
  return { ok: true, snapshot: next };
}

/** Folds messages from `snapshot`, stopping at the first refusal (replay of a WAL that must be all-accepted). */
export function foldVchannel(snapshot: VchannelSnapshot, messages: Iterable<AnyMessage>): Verdict {
  let s = snapshot;
  for (const m of messages) {
    const v = applyMessage(s, m);
    if (!v.ok) return v;
    s = v.snapshot;
  }
  return { ok: true, snapshot: s };
}
