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
 * fence), every later publish of ours fails (10071 or 10070). Groups settle
 * strictly in order.
 *
 * A publish that fails for no reason of the stream's (a timeout, a server
 * restart: one in flight when the connection drops fails at once) or because
 * an earlier one of ours had not landed is not the writer's end: new
 * publishes pause, the failed ones are published again one at a time in
 * order (republish.ts), each with a definitive answer (stored now, or stored
 * before and its ack lost), and the pipeline resumes. So a nats-server restart
 * costs the appends in flight a delay, not an error, and no caller is ever told
 * an append failed that is in the log. What ends the writer: a foreign message
 * where ours was due (the writer then checks the last fence and reports
 * 'Fenced'), any other JetStream error, or a server still unreachable after
 * `retryForMs` ('WalUnavailable').
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { NuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition, WalWriter } from '../../ports/walBackend.js';
import { encodeGroup, groupBodySize, type FrameMessage } from './frame.js';
import { frameHeaders } from './frameHeaders.js';
import { isTransient, isWrongLast, unavailable } from './jsErrors.js';
import { messageId } from './messageId.js';
import type { ConnectionDrops } from '../../bus/connectionDrops.js';
import { republish } from './republish.js';
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
  /** How long a failed publish is retried without progress before the writer gives up. */
  retryForMs: number;
}

interface Request { entries: WalEntry[]; resolve(p: WalPosition[]): void; reject(e: Error): void }

/** A message whose first attempt failed, waiting to be published again in order. */
interface Broken { m: FrameMessage; expectLast: number; resolve(): void; reject(e: unknown): void }

export class JetStreamWalWriter implements WalWriter {
  private queue: Request[] = [];
  private inFlight = 0;
  private settled: Promise<void> = Promise.resolve();
  private failure: NuthatchError | undefined;
  private closing = false;
  /** Failed first attempts by the sequence they expected to get. */
  private readonly broken = new Map<number, Broken>();
  /** The running repair (new publishes wait for it). */
  private repairing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
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
    /** Fails our publishes in flight at once when the connection drops (see JetStreamWalBackend). */
    private readonly drops: ConnectionDrops,
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
    this.closing = true;
    await this.settled;
    if (!this.failure) this.failure = new NuthatchError('WalUnavailable', `jetstream WAL writer of ${this.pchannel} is closed`);
    for (const r of this.queue.splice(0)) r.reject(this.failure);
  }

  private pump(): void {
    while (!this.failure && !this.repairing && this.queue.length > 0 && this.inFlight < this.limits.maxInFlight) {
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

  /** A message's first attempt, pipelined; on a failure that can be repaired, its second chance (see the file comment). */
  private async publish(m: FrameMessage, expectLast: number): Promise<void> {
    this.inFlight++;
    let failed: unknown;
    try {
      const ack = await this.drops.run(() => this.js.publish(this.index.layout.data, m.data, {
        headers: frameHeaders(m),
        msgID: messageId(this.nonce, expectLast + 1),
        expect: { lastSequence: expectLast, lastMsgID: messageId(this.nonce, expectLast) },
        timeout: this.limits.publishTimeoutMs,
      }));
      if (ack.duplicate || ack.seq !== expectLast + 1) throw new NuthatchError('Internal', `jetstream stored message at ${ack.seq}${ack.duplicate ? ' (as a duplicate)' : ''}, expected ${expectLast + 1}`);
      return;
    } catch (e) {
      failed = e;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      queueMicrotask(() => this.pump());
    }
    if (this.failure || this.closing || !(isWrongLast(failed) || isTransient(failed))) throw failed;
    return new Promise<void>((resolve, reject) => {
      this.broken.set(expectLast + 1, { m, expectLast, resolve, reject });
      this.repairing ??= this.repair().finally(() => { this.repairing = undefined; this.pump(); });
    });
  }

  /**
   * Publishes the broken messages again, oldest first, one at a time, once no
   * first attempt is in flight (so every earlier message is settled). The first
   * one that cannot be stored fails itself and every broken message after it.
   */
  private async repair(): Promise<void> {
    const ctx = {
      js: this.js, drops: this.drops, index: this.index, nonce: this.nonce, publishTimeoutMs: this.limits.publishTimeoutMs,
      deadline: Date.now() + this.limits.retryForMs,
      stopped: () => this.failure ?? (this.closing ? new NuthatchError('WalUnavailable', `jetstream WAL writer of ${this.pchannel} closed while its publishes were retried`) : undefined),
    };
    for (;;) {
      while (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      if (this.broken.size === 0) return;
      const seq = Math.min(...this.broken.keys());
      const b = this.broken.get(seq)!;
      this.broken.delete(seq);
      try {
        await republish(ctx, b.m, b.expectLast);
        b.resolve();
        // Progress: the next message gets a deadline of its own.
        ctx.deadline = Date.now() + this.limits.retryForMs;
      } catch (e) {
        b.reject(e);
        for (const later of this.broken.values()) later.reject(e);
        this.broken.clear();
        return;
      }
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
