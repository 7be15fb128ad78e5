/**
 * The writer of one jetstream pchannel: pipelined, group-committed, fenced by the
 * server through expected-last-sequence publishes.
 *
 * Appends queue up; whenever fewer than `maxInFlight` messages are unacknowledged,
 * the queue is cut into a group (as many queued appends as fit `maxGroupBytes`, at
 * least one) and published. Every message goes out with Nats-Expected-Last-Sequence
 * set to the sequence the previous message will get, computed here, and with
 * Nats-Expected-Last-Msg-Id set to that message's id (messageId.ts), so many
 * publishes are in flight while the server still refuses any message that does not
 * directly follow ours. If someone else publishes into the stream (a new owner's
 * fence), every later publish of ours fails (10071 or 10070): the writer then checks
 * the last fence and reports 'Fenced'. Groups settle strictly in order.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { NuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition, WalWriter } from '../../ports/walBackend.js';
import { encodeGroup, groupBodySize, type FrameMessage } from './frame.js';
import { frameHeaders } from './frameHeaders.js';
import { isWrongLast, unavailable } from './jsErrors.js';
import { messageId } from './messageId.js';
import type { StreamIndex } from './streamIndex.js';

/** Pipelining knobs of a writer. */
export interface WriterLimits {
  /** Unacknowledged messages allowed at once. */
  maxInFlight: number;
  /** Queued appends are merged into one message up to this many bytes. */
  maxGroupBytes: number;
  /** The most data one message carries: the server's max payload less room for headers. */
  maxDataBytes: number;
  publishTimeoutMs: number;
}

interface Request { entries: WalEntry[]; resolve(p: WalPosition[]): void; reject(e: Error): void }

export class JetStreamWalWriter implements WalWriter {
  private queue: Request[] = [];
  private inFlight = 0;
  private settled: Promise<void> = Promise.resolve();
  private failure: NuthatchError | undefined;
  private durable: WalPosition;
  /** Groups committed so far and what they carried (the benchmark reads it). */
  readonly stats = { commits: 0, entries: 0, bytes: 0 };

  /**
   * @param nonce the id nonce of our fence and messages (messageId.ts)
   * @param next the position of the next entry
   * @param lastSeq the sequence of our fence: the next message must follow it
   */
  constructor(
    readonly pchannel: string,
    readonly term: number,
    private readonly js: JetStreamClient,
    private readonly index: StreamIndex,
    private readonly fenceSeq: number,
    private readonly nonce: string,
    private next: WalPosition,
    private lastSeq: number,
    private readonly limits: WriterLimits,
  ) {
    this.durable = next - 1;
  }

  append(entry: WalEntry): Promise<WalPosition> {
    return this.appendBatch([entry]).then((p) => p[0]!);
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.pump();
    });
  }

  lastPosition(): WalPosition { return this.durable; }

  async close(): Promise<void> {
    await this.settled;
    if (!this.failure) this.failure = new NuthatchError('WalUnavailable', `jetstream WAL writer of ${this.pchannel} is closed`);
    for (const r of this.queue.splice(0)) r.reject(this.failure);
  }

  private pump(): void {
    while (!this.failure && this.queue.length > 0 && this.inFlight < this.limits.maxInFlight) {
      const reqs = [this.queue.shift()!];
      let bytes = groupBodySize(reqs[0]!.entries);
      while (this.queue.length > 0) {
        const more = groupBodySize(this.queue[0]!.entries);
        if (bytes + more > this.limits.maxGroupBytes) break;
        bytes += more;
        reqs.push(this.queue.shift()!);
      }
      this.publishGroup(reqs);
    }
  }

  private publishGroup(reqs: Request[]): void {
    const entries = reqs.length === 1 ? reqs[0]!.entries : reqs.flatMap((r) => r.entries);
    const first = this.next;
    this.next += entries.length;
    const msgs = encodeGroup(this.term, first, entries, this.limits.maxDataBytes);
    const acks = msgs.map((m) => this.publish(m, this.lastSeq++));
    const all = Promise.all(acks);
    all.catch(() => { /* settled below, in order */ });
    const prev = this.settled;
    this.settled = (async () => {
      await prev;
      try { await all; } catch (e) { await this.fail(e); }
      if (this.failure) { for (const r of reqs) r.reject(this.failure); return; }
      this.durable = first + entries.length - 1;
      this.stats.commits++;
      this.stats.entries += entries.length;
      for (const e of entries) this.stats.bytes += e.payload.length;
      let at = first;
      for (const r of reqs) {
        r.resolve(r.entries.map((_, i) => at + i));
        at += r.entries.length;
      }
    })();
  }

  private async publish(m: FrameMessage, expectLast: number): Promise<void> {
    this.inFlight++;
    try {
      const ack = await this.js.publish(this.index.layout.data, m.data, {
        headers: frameHeaders(m),
        msgID: messageId(this.nonce, expectLast + 1),
        expect: { lastSequence: expectLast, lastMsgID: messageId(this.nonce, expectLast) },
        timeout: this.limits.publishTimeoutMs,
      });
      if (ack.duplicate || ack.seq !== expectLast + 1) throw new NuthatchError('Internal', `jetstream stored message at ${ack.seq}${ack.duplicate ? ' (as a duplicate)' : ''}, expected ${expectLast + 1}`);
    } finally {
      this.inFlight--;
      queueMicrotask(() => this.pump());
    }
  }

  /** Turns the first failed publish into the writer's terminal error. */
  private async fail(e: unknown): Promise<void> {
    if (this.failure) return;
    let err: NuthatchError;
    if (isWrongLast(e)) {
      const fence = await this.index.lastFence().catch(() => undefined);
      err = fence && fence.seq !== this.fenceSeq
        ? new NuthatchError('Fenced', `jetstream WAL ${this.pchannel}: term ${this.term} was fenced by term ${fence.term}`, { term: this.term, by: fence.term })
        : unavailable(`publish to ${this.pchannel} lost its place in the stream`, e);
    } else {
      err = unavailable(`publish to ${this.pchannel}`, e);
    }
    this.failure = err;
    for (const r of this.queue.splice(0)) r.reject(err);
  }
}
