/**
 * Positions <-> stream sequences for one pchannel stream.
 *
 * Every stream message carries a position key (a data chunk: its group's first
 * position; a fence: the next position), and keys never decrease along the stream.
 * So the last durable position comes from the last message, and the sequence to
 * start reading position p from is found by a binary search over direct message
 * gets: the last message whose key is <= p, moved back to its group's chunk 0.
 * Truncation purges only data messages below a group start, so the only holes are
 * in the purged prefix and every one of them precedes all data still stored.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { positionAfter } from './finishedGroup.js';
import { FrameKind, type Frame } from './frame.js';
import { frameOf } from './frameHeaders.js';
import { jsCode, JsCode, unavailable } from './jsErrors.js';
import type { StreamLayout } from './streamLayout.js';

export interface StreamBounds { firstSeq: number; lastSeq: number; messages: number; bytes: number }

export class StreamIndex {
  constructor(private readonly jsm: JetStreamManager, readonly layout: StreamLayout) {}

  /** First and last sequence (0, 0 for a stream that never had a message). */
  async bounds(): Promise<StreamBounds> {
    try {
      const info = await this.jsm.streams.info(this.layout.stream);
      return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq, messages: info.state.messages, bytes: info.state.bytes };
    } catch (e) {
      if (jsCode(e) === JsCode.StreamNotFound) return { firstSeq: 0, lastSeq: 0, messages: 0, bytes: 0 };
      throw unavailable(`info of ${this.layout.stream}`, e);
    }
  }

  /** The frame stored at `seq`, or undefined when it was purged. */
  async frameAt(seq: number): Promise<Frame | undefined> {
    try {
      const m = await this.jsm.streams.getMessage(this.layout.stream, { seq });
      return m ? frameOf(m.header, m.data) : undefined;
    } catch (e) {
      throw unavailable(`get ${this.layout.stream}#${seq}`, e);
    }
  }

  /**
   * The Nats-Msg-Id of the message at `seq` (undefined when there is none).
   * Failures are the client's own, unwrapped: the writer tells transient ones
   * from the rest (jsErrors.ts).
   */
  async msgIdAt(seq: number): Promise<string | undefined> {
    const m = await this.jsm.streams.getMessage(this.layout.stream, { seq });
    return m?.header?.get('Nats-Msg-Id') || undefined;
  }

  /** The newest fence and its sequence, if any. */
  async lastFence(): Promise<{ seq: number; term: number } | undefined> {
    try {
      const m = await this.jsm.streams.getMessage(this.layout.stream, { last_by_subj: this.layout.fence });
      return m ? { seq: m.seq, term: frameOf(m.header, m.data).term } : undefined;
    } catch (e) {
      throw unavailable(`last fence of ${this.layout.stream}`, e);
    }
  }

  /**
   * The position the next entry gets, judging by the message at `lastSeq` (and, when
   * it is the last chunk of a chunked group, by that group's chunk 0): a group that
   * is not finished (finishedGroup.ts, the reader's rule too) does not count.
   */
  async nextPosition(lastSeq: number): Promise<number> {
    if (lastSeq === 0) return 0;
    const tail = await this.frameAt(lastSeq);
    if (!tail) throw unavailable(`next position of ${this.layout.stream}`, new Error(`last message ${lastSeq} is missing`));
    const chunked = tail.kind === FrameKind.Data && tail.last && tail.chunk > 0;
    const head = !chunked ? tail : lastSeq - tail.chunk >= 1 ? await this.frameAt(lastSeq - tail.chunk) : undefined;
    return positionAfter(head, tail);
  }

  /**
   * Where to start reading so that the first group delivered holds `position` or
   * is the one before it (the reader skips what precedes `position`).
   */
  async startSeq(position: number, b: StreamBounds): Promise<number> {
    if (b.lastSeq === 0) return 1;
    let lo = Math.max(1, b.firstSeq);
    let hi = b.lastSeq;
    let found = lo - 1;
    let frame: Frame | undefined;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const f = await this.frameAt(mid);
      // A hole is purged prefix: it sorts before every stored data position.
      if (!f || f.position <= position) { found = mid; frame = f; lo = mid + 1; } else hi = mid - 1;
    }
    if (frame && frame.kind === FrameKind.Data) return found - frame.chunk;
    return Math.max(found + 1, b.firstSeq, 1);
  }

  /** The first readable position: the first data message left, else the next position. */
  async firstPosition(b: StreamBounds): Promise<number> {
    if (b.lastSeq === 0) return 0;
    try {
      const m = await this.jsm.streams.getMessage(this.layout.stream, { next_by_subj: this.layout.data, seq: b.firstSeq } as never);
      if (m) return frameOf(m.header, m.data).position;
    } catch (e) {
      throw unavailable(`first data of ${this.layout.stream}`, e);
    }
    return this.nextPosition(b.lastSeq);
  }
}
