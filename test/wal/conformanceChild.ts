/**
 * The writer process of the conformance crash test. It builds a backend from the
 * JSON in NUTHATCH_WAL_CHILD (a {@link WalChildSpec} plus what to write), opens a
 * writer and appends checked payloads without pause, singly and in atomic batches,
 * printing `ack <position> <round> <seq>` for each acknowledged entry. The parent
 * kills it with SIGKILL at a moment of its choosing. Writes to a pipe are
 * synchronous on Linux, so a printed line is an acknowledgement the parent has seen.
 */
import type { WalBackend, WalEntry } from '../../runtime/ports/walBackend.js';
import { checkedPayload, prng } from './conformancePayload.js';

/** How a child process builds the same backend the parent tests. */
export interface WalChildSpec {
  /** Absolute path or file: URL of a compiled ES module. */
  module: string;
  /** The name of its export: `async (config) => WalBackend` (sync is fine too). */
  factory: string;
  /** JSON-serializable argument for the factory. */
  config: unknown;
}

/** What the parent asks the child to do. */
export interface ChildOrder {
  spec: WalChildSpec;
  pchannel: string;
  term: number;
  round: number;
  seed: number;
  /** Appends kept in flight at once. */
  inFlight: number;
  /** Largest body size of one entry. */
  maxBody: number;
}

async function main(): Promise<void> {
  const order = JSON.parse(process.env.NUTHATCH_WAL_CHILD ?? '') as ChildOrder;
  const mod = (await import(order.spec.module)) as Record<string, (c: unknown) => WalBackend | Promise<WalBackend>>;
  const make = mod[order.spec.factory];
  if (typeof make !== 'function') throw new Error(`${order.spec.module} has no export ${order.spec.factory}`);
  const backend = await make(order.spec.config);
  const writer = await backend.openWriter(order.pchannel, order.term);
  process.stdout.write(`ready ${writer.lastPosition()}\n`);
  const rnd = prng(order.seed);
  let seq = 0;
  const tso = (s: number): bigint => (BigInt(order.round) << 32n) | BigInt(s);
  const worker = async (): Promise<void> => {
    for (;;) {
      const batchLen = rnd() < 0.3 ? 2 + Math.floor(rnd() * 6) : 1;
      const entries: WalEntry[] = [];
      const first = seq;
      for (let i = 0; i < batchLen; i++) {
        const s = seq++;
        const body = Math.floor(rnd() * rnd() * order.maxBody);
        entries.push({ tso: tso(s), payload: checkedPayload({ round: order.round, seq: s, batchLen, batchIdx: i }, body) });
      }
      const positions = batchLen === 1 ? [await writer.append(entries[0]!)] : await writer.appendBatch(entries);
      process.stdout.write(positions.map((p, i) => `ack ${p} ${order.round} ${first + i}\n`).join(''));
    }
  };
  await Promise.all(Array.from({ length: order.inFlight }, worker));
}

main().catch((e: unknown) => {
  process.stderr.write(`conformance child failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
