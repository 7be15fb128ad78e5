/**
 * Message ids (Nats-Msg-Id) that chain a writer's messages to its own fence.
 *
 * Nats-Expected-Last-Sequence alone compares a number: when a new owner's fence
 * lands in the slot an old writer expected for one of its own pipelined messages,
 * the old writer's *next* message (expecting that slot) would land after the fence,
 * and so would every one after it. So each message also expects the previous
 * message's id (Nats-Expected-Last-Msg-Id): the fence's id for a writer's first
 * message, then its own. A fence (or any message not of this writer) breaks the
 * chain and every later message of the old writer fails. Ids are unique per writer
 * (a random nonce picked when it fences), since JetStream drops a message whose id
 * it saw within the stream's duplicate window and acks it as a duplicate.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one writer session (its fence and every message after it). */
export function writerNonce(): string {
  return randomBytes(8).toString('hex');
}

/** The id of the message a writer with `nonce` stores at stream sequence `seq`. */
export function messageId(nonce: string, seq: number): string {
  return `${nonce}.${seq}`;
}
