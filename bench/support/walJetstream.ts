/**
 * The jetstream backend in the WAL benchmark, and its raw limit: plain JetStream
 * publishes of the same entry size to a stream on the same server, file storage,
 * with the same number in flight and no expected-sequence header, no framing, no
 * ordering of acks. Raw read: an ordered consumer over that stream.
 *
 * Server: NUTHATCH_TEST_NATS when set, else a private nats-server (8 MB payloads)
 * started for the run. Durability 'unsynced' on both sides: one Debian
 * nats-server 2.9 can neither sync every write nor replicate (see
 * runtime/wal/jetstream/README.md), and backend and raw must run alike.
 */
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { WalBackend, WalWriter } from '../../runtime/ports/walBackend.js';
import { createJetStreamWalBackend, type JetStreamWalConfig } from '../../runtime/wal/jetstream/JetStreamWalBackend.js';
import { startNats } from '../../runtime/devServices/natsServer.js';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import type { WalBenchStore, WalBenchTarget } from './walTargets.js';

let server: Promise<ServerHandle> | undefined;
async function natsUrl(): Promise<string> {
  if (process.env.NUTHATCH_TEST_NATS) return process.env.NUTHATCH_TEST_NATS;
  server ??= startNats();
  return (await server).url;
}

let runs = 0;

async function dropStreams(nc: NatsConnection, prefix: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
}

/** The jetstream target; `rawWrite`'s 4th argument is the size case's in-flight count. */
export function jetstreamWalTarget(): WalBenchTarget {
  let lastStream = '';
  return {
    name: 'jetstream',
    unavailable: () => undefined,
    async open(): Promise<WalBenchStore> {
      const url = await natsUrl();
      const id = `${process.pid}_${++runs}`;
      const config: JetStreamWalConfig = { servers: url, durability: 'unsynced', streamPrefix: `NB${id}_`, subjectPrefix: `nb${id}` };
      lastStream = `NB${id}_bench`;
      const made: WalBackend[] = [];
      const mk = async (): Promise<WalBackend> => { const b = await createJetStreamWalBackend(config); made.push(b); return b; };
      const backend = await mk();
      return {
        backend, reopen: mk,
        cleanup: async () => {
          await Promise.allSettled(made.map((b) => b.close()));
          const nc = await connect({ servers: url });
          await dropStreams(nc, config.streamPrefix!);
          await nc.close();
        },
      };
    },
    groupStats: (w: WalWriter) => (w as unknown as { stats?: { commits: number; bytes: number } }).stats,
    rawNote: (entryBytes, inFlight) => `raw: one JetStream publish per ${entryBytes} B entry, ${inFlight} in flight, same server, file storage, no headers`,
    async rawWrite(entryBytes, _batchEntries, totalBytes, inFlight = 256) {
      const nc = await connect({ servers: await natsUrl() });
      const prefix = `NR${process.pid}_${++runs}`;
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: prefix, subjects: [`${prefix.toLowerCase()}.raw`], storage: 'file' as never, num_replicas: 1 });
        const js = jetstream(nc);
        const payload = new Uint8Array(entryBytes).fill(0x5a);
        const count = Math.ceil(totalBytes / entryBytes);
        let issued = 0;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: Math.min(inFlight, count) }, async () => {
          while (issued < count) { issued++; await js.publish(`${prefix.toLowerCase()}.raw`, payload); }
        }));
        return (count * entryBytes) / ((performance.now() - t0) / 1000);
      } finally {
        await dropStreams(nc, prefix);
        await nc.close();
      }
    },
    async rawRead() {
      // The backend's own stream, read raw: every message's bytes, no decoding.
      const nc = await connect({ servers: await natsUrl() });
      try {
        const js = jetstream(nc);
        const info = await (await jetstreamManager(nc)).streams.info(lastStream);
        const c = await js.consumers.get(lastStream, { deliver_policy: DeliverPolicy.All });
        // Sized in messages like the backend's reader (byte-bounded pulls stall on 2.9.10).
        const mean = info.state.bytes / Math.max(1, info.state.messages);
        const msgs = await c.consume({ max_messages: Math.max(8, Math.min(4096, Math.floor((16 * 1024 * 1024) / mean))) });
        let bytes = 0;
        const t0 = performance.now();
        for await (const m of msgs) { bytes += m.data.length; if (m.seq >= info.state.last_seq) break; }
        const s = (performance.now() - t0) / 1000;
        await msgs.close();
        return bytes / s;
      } finally { await nc.close(); }
    },
  };
}
