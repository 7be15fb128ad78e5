/**
 * Reading a pchannel stream with an ordered consumer: catch-up reads up to the last
 * durable position, and tails that follow new groups as the server stores them.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { Observable } from 'rxjs';
import { asNuthatchError } from '../../../messages/errors.js';
import type { WalPosition, WalRecord } from '../../ports/walBackend.js';
import { frameOf } from './frameHeaders.js';
import { GroupAssembler } from './groupAssembler.js';
import { unavailable } from './jsErrors.js';
import type { StreamBounds, StreamIndex } from './streamIndex.js';

/**
 * Client-side buffer of a consumer: enough for throughput, bounded for large
 * entries. It is asked for in messages, sized by the stream's mean message size:
 * a byte-bounded pull (max_bytes) stalled on nats-server 2.9.10 when a message
 * larger than the refill arrived.
 */
const CONSUME_BYTES = 16 * 1024 * 1024;
const BATCH_RECORDS = 512;
const BATCH_BYTES = 4 * 1024 * 1024;

async function openConsumer(js: JetStreamClient, index: StreamIndex, startSeq: number, b: StreamBounds): Promise<ConsumerMessages> {
  try {
    const c = await js.consumers.get(index.layout.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq });
    const mean = b.messages > 0 ? b.bytes / b.messages : 1024;
    return await c.consume({ max_messages: Math.max(8, Math.min(4096, Math.floor(CONSUME_BYTES / Math.max(1, mean)))) });
  } catch (e) {
    throw unavailable(`consumer on ${index.layout.stream}`, e);
  }
}

/** Durable records with from <= position < to, in batches, as of the call. */
export async function* readRecords(js: JetStreamClient, index: StreamIndex, from: WalPosition, to?: WalPosition): AsyncIterable<WalRecord[]> {
  const b = await index.bounds();
  if (b.lastSeq === 0) return;
  const end = Math.min(to ?? Number.POSITIVE_INFINITY, await index.nextPosition(b.lastSeq));
  if (from >= end) return;
  const start = await index.startSeq(from, b);
  if (start > b.lastSeq) return;
  const msgs = await openConsumer(js, index, start, b);
  const asm = new GroupAssembler();
  let batch: WalRecord[] = [];
  let bytes = 0;
  try {
    for await (const m of msgs) {
      for (const r of asm.push(frameOf(m.headers, m.data))) {
        if (r.position < from || r.position >= end) continue;
        batch.push(r);
        bytes += r.payload.length;
      }
      const done = m.seq >= b.lastSeq || (batch.length > 0 && batch[batch.length - 1]!.position >= end - 1);
      if (batch.length > 0 && (done || batch.length >= BATCH_RECORDS || bytes >= BATCH_BYTES || m.info.pending === 0)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      if (done) break;
    }
  } finally {
    await msgs.close().catch(() => undefined);
  }
}

/** Every durable record with position >= from, then new ones, until unsubscribed. */
export function tailRecords(js: JetStreamClient, getIndex: () => Promise<StreamIndex>, from: WalPosition): Observable<WalRecord> {
  return new Observable<WalRecord>((sub) => {
    let msgs: ConsumerMessages | undefined;
    let stopped = false;
    (async () => {
      const index = await getIndex();
      const b = await index.bounds();
      const start = await index.startSeq(from, b);
      if (stopped) return;
      msgs = await openConsumer(js, index, start, b);
      if (stopped) { await msgs.close(); return; }
      const asm = new GroupAssembler();
      for await (const m of msgs) {
        for (const r of asm.push(frameOf(m.headers, m.data))) {
          if (r.position >= from) sub.next(r);
        }
        if (stopped) break;
      }
    })().catch((e) => { if (!stopped) sub.error(asNuthatchError(e)); });
    return () => {
      stopped = true;
      void msgs?.close().catch(() => undefined);
    };
  });
}
