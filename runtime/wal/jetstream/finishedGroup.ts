/**
 * The one definition of a *finished group* in a jetstream WAL stream (pure, no I/O).
 *
 * Both sides that decide which groups exist use it: the reader (groupAssembler.ts,
 * which releases a group's entries) and StreamIndex.nextPosition (lastPosition, and
 * the first position a new writer gives out). If they disagreed, lastPosition could
 * count a group that no read returns, or a writer could reuse positions a reader
 * already delivered.
 *
 * A group of n chunks is finished when its last chunk (last flag set, index n-1)
 * lies exactly n-1 messages after a chunk 0 of the same term, position and entry
 * count. The chunks in between are then its chunks 1..n-2: a writer publishes each
 * message expecting the previous message's sequence *and* message id (JetStreamWalWriter),
 * so nothing else can land inside one of its groups and no later chunk of it can land
 * after a missing one. A group whose last chunk is missing is *torn*: it holds no
 * entries, and its positions go to whatever is written next.
 */
import { FrameKind, type Frame } from './frame.js';

/** True when `next` is chunk `have` of the group that `head` (its chunk 0) began. */
export function continuesGroup(head: Frame, have: number, next: Frame): boolean {
  return next.kind === FrameKind.Data && next.chunk === have && next.term === head.term && next.position === head.position && next.count === head.count;
}

/**
 * True when `tail` finishes a group: it is a last chunk, and `head` — the message
 * `tail.chunk` places before it in the stream (`tail` itself for a one-message
 * group; undefined when purged) — is that group's chunk 0.
 */
export function finishesGroup(head: Frame | undefined, tail: Frame): boolean {
  if (tail.kind !== FrameKind.Data || !tail.last || !head || head.kind !== FrameKind.Data || head.chunk !== 0) return false;
  if (tail.chunk === 0) return head.last && head.term === tail.term && head.position === tail.position && head.count === tail.count;
  return !head.last && continuesGroup(head, tail.chunk, tail);
}

/**
 * The position the next entry gets when `tail` is the stream's last message and
 * `head` the message `tail.chunk` places before it (see {@link finishesGroup}): after
 * a finished group, its end; after a fence, the position it names; after a torn
 * group, that group's first position (its positions are reused).
 */
export function positionAfter(head: Frame | undefined, tail: Frame): number {
  return finishesGroup(head, tail) ? tail.position + tail.count : tail.position;
}
