/**
 * Publishing one message again after its first attempt failed without saying
 * anything about the stream (a timeout, a server restart: jsErrors.ts
 * isTransient), or failed its expectations because an earlier message of the
 * writer had not landed. The writer does this one message at a time, in order,
 * once every earlier message of its own is known to be stored at the sequence it
 * expected: so the message expects only the previous sequence (which holds ours),
 * not the previous message id (which a restarted server may have forgotten).
 *
 * The answer is definitive whatever the first attempt did: the message lands at
 * its sequence; or it had landed already (its lost ack), which the server says
 * as a duplicate within its window, or which the id stored at its sequence says
 * after it; or something else holds that sequence (a new owner's fence), which
 * is the writer's end. Transient failures are retried, with backoff, until the
 * deadline.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { NuthatchError } from '../../../messages/errors.js';
import type { ConnectionDrops } from '../../bus/connectionDrops.js';
import type { FrameMessage } from './frame.js';
import { frameHeaders } from './frameHeaders.js';
import { isTransient, isWrongLast } from './jsErrors.js';
import { messageId } from './messageId.js';
import { retryWhile } from '../retryWhile.js';
import type { StreamIndex } from './streamIndex.js';

/** What a republish needs from its writer. */
export interface RepublishContext {
  js: JetStreamClient;
  /** Fails a publish in flight at once when the connection drops (a transient failure: tried again). */
  drops: Pick<ConnectionDrops, 'run'>;
  index: StreamIndex;
  nonce: string;
  publishTimeoutMs: number;
  /** Epoch ms after which a transient failure is final. */
  deadline: number;
  /** Why to give up now (the writer is closing or failed), or undefined. */
  stopped(): NuthatchError | undefined;
}

/** The lookup after a wrong-last failed for now: try again (past the deadline, the wrong-last is what counts). */
class Retry extends Error { constructor(readonly wrongLast: unknown) { super('retry'); } }

/** Resolves once the message is stored at `expectLast + 1`; rejects with the failure that ends the writer. */
export async function republish(ctx: RepublishContext, m: FrameMessage, expectLast: number): Promise<void> {
  const seq = expectLast + 1;
  const id = messageId(ctx.nonce, seq);
  const stop = ctx.stopped();
  if (stop) throw stop;
  await retryWhile<void>(async () => {
    try {
      const ack = await ctx.drops.run(() => ctx.js.publish(ctx.index.layout.data, m.data, {
        headers: frameHeaders(m), msgID: id, expect: { lastSequence: expectLast }, timeout: ctx.publishTimeoutMs,
      }));
      if (ack.seq !== seq) throw new NuthatchError('Internal', `jetstream stored message at ${ack.seq}${ack.duplicate ? ' (as a duplicate)' : ''}, expected ${seq}`);
    } catch (e) {
      if (!isWrongLast(e)) throw e;
      // Something holds `seq` already: ours if an earlier attempt landed.
      const stored = await ctx.index.msgIdAt(seq).catch((g: unknown) => { if (isTransient(g)) throw new Retry(e); throw g; });
      if (stored !== id) throw e;
    }
  }, (e) => e instanceof Retry || isTransient(e), () => ctx.deadline, ctx.stopped)
    .catch((e: unknown) => { throw e instanceof Retry ? e.wrongLast : e; });
}
