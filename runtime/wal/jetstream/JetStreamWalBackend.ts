/**
 * The `jetstream` WAL backend: one NATS JetStream stream per pchannel, file storage.
 * Design (README.md in this folder): positions are keys carried in every message
 * (not raw stream sequences), fences are records on their own subject published
 * with Nats-Expected-Last-Sequence, and durability is a stated choice
 * ({@link JetStreamDurability}).
 */
import { natsAuth, type NatsAuth } from '../../bus/natsAuth.js';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { ConnectionError, connect, type NatsConnection } from '@nats-io/transport-node';
import type { Observable } from 'rxjs';
import { NuthatchError } from '../../../messages/errors.js';
import { ConnectionDrops } from '../../bus/connectionDrops.js';
import type { WalBackend, WalPosition, WalRecord, WalWriter } from '../../ports/walBackend.js';
import { encodeFence } from './frame.js';
import { frameHeaders } from './frameHeaders.js';
import { isWrongLast, jsCode, JsCode, unavailable } from './jsErrors.js';
import { JetStreamWalWriter, type WriterLimits } from './JetStreamWalWriter.js';
import { messageId, writerNonce } from './messageId.js';
import { StreamIndex } from './streamIndex.js';
import { readRecords, tailRecords } from './streamReader.js';
import { JetStreamDurability, minimumServerVersion, streamConfig, streamLayout, versionAtLeast } from './streamLayout.js';

/** Configuration of {@link JetStreamWalBackend}; JSON-serializable. */
export interface JetStreamWalConfig {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** How an acknowledged append survives an OS crash. Default 'replicated'. */
  durability?: JetStreamDurability;
  /** For a server that requires credentials; default: from the environment (runtime/bus/natsAuth.ts), else none. */
  auth?: NatsAuth;
  /** Stream name prefix (default `NUTHATCH_WAL_`). */
  streamPrefix?: string;
  /** Subject prefix (default `nuthatch.wal`). */
  subjectPrefix?: string;
  /** Unacknowledged publishes per writer (default 64); appends beyond it are merged into groups. */
  maxInFlight?: number;
  /**
   * Appends merged into one message up to this size (default 1 MiB, capped by the
   * server's max payload): fewer, larger messages cost client and server less CPU
   * per byte, more than the copy into the group costs (measured with 64 KB appends).
   */
  maxGroupBytes?: number;
  /** Publish ack timeout (default 10 s). */
  publishTimeoutMs?: number;
  /**
   * How long a writer keeps publishing again what failed for no reason of the
   * stream's (a timeout, a server restart) before it fails with 'WalUnavailable'
   * (default 60 s, a server restart's worth with room).
   */
  retryForMs?: number;
}

/** Room kept under the server's max_payload for the NATS headers of a publish. */
const HEADER_ROOM = 1024;

export class JetStreamWalBackend implements WalBackend {
  readonly kind = 'jetstream' as const;
  private readonly ensured = new Map<string, Promise<StreamIndex>>();
  private readonly durability: JetStreamDurability;
  private readonly limits: WriterLimits;

  /**
   * Publishes in flight when the connection drops fail at once as transient, so
   * writers publish them again once reconnected instead of waiting out
   * publishTimeoutMs (a nats-server restart stalled appends for that long).
   */
  private readonly drops: ConnectionDrops;

  private constructor(private readonly nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, private readonly config: JetStreamWalConfig) {
    this.drops = new ConnectionDrops(nc, () => new ConnectionError('the connection to nats-server dropped with the publish in flight'));
    this.durability = config.durability ?? JetStreamDurability.Replicated;
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    this.limits = {
      maxInFlight: config.maxInFlight ?? 64,
      maxDataBytes: maxPayload - HEADER_ROOM,
      maxGroupBytes: Math.min(config.maxGroupBytes ?? 1024 * 1024, maxPayload - HEADER_ROOM),
      publishTimeoutMs: config.publishTimeoutMs ?? 10_000,
      retryForMs: config.retryForMs ?? 60_000,
    };
  }

  /** Connects to NATS and checks that the server can give the chosen durability. */
  static async connect(config: JetStreamWalConfig): Promise<JetStreamWalBackend> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: config.servers, maxReconnectAttempts: -1, name: 'nuthatch-wal-jetstream', ...natsAuth(config.auth) });
    } catch (e) {
      throw unavailable(`connect to ${String(config.servers)}`, e);
    }
    const durability = config.durability ?? JetStreamDurability.Replicated;
    const min = minimumServerVersion(durability);
    const version = nc.info?.version ?? '0.0.0';
    if (min && !versionAtLeast(version, min)) {
      await nc.close();
      throw new NuthatchError('WalUnavailable', `jetstream WAL durability '${durability}' needs nats-server >= ${min} with sync_interval: always; the server is ${version}`, { durability, version });
    }
    try {
      return new JetStreamWalBackend(nc, jetstream(nc), await jetstreamManager(nc), config);
    } catch (e) {
      // A connection that reconnects forever must not outlive a failed open (it would keep the process alive).
      await nc.close().catch(() => {});
      throw unavailable(`JetStream at ${String(config.servers)}`, e);
    }
  }

  /** The stream of a pchannel, created on first use. */
  private stream(pchannel: string): Promise<StreamIndex> {
    let p = this.ensured.get(pchannel);
    if (!p) {
      p = this.create(pchannel);
      this.ensured.set(pchannel, p);
      p.catch(() => this.ensured.delete(pchannel));
    }
    return p;
  }

  private async create(pchannel: string): Promise<StreamIndex> {
    const layout = streamLayout(this.config.streamPrefix ?? 'NUTHATCH_WAL_', this.config.subjectPrefix ?? 'nuthatch.wal', pchannel);
    const want = streamConfig(layout, this.durability);
    try {
      const info = await this.jsm.streams.info(layout.stream).catch((e) => {
        if (jsCode(e) === JsCode.StreamNotFound) return undefined;
        throw e;
      });
      if (!info) await this.jsm.streams.add(want);
      else if (info.config.num_replicas < want.num_replicas) {
        throw new NuthatchError('StorageMismatch', `stream ${layout.stream} has ${info.config.num_replicas} replica(s); durability '${this.durability}' needs ${want.num_replicas}`);
      }
    } catch (e) {
      if (jsCode(e) === JsCode.ReplicasNotSupported) {
        throw new NuthatchError('WalUnavailable', `jetstream WAL durability 'replicated' needs a JetStream cluster of 3 servers; use 'sync-always' (nats-server >= 2.10) or, for development only, 'unsynced'`, { durability: this.durability }, e);
      }
      throw unavailable(`create stream ${layout.stream}`, e);
    }
    return new StreamIndex(this.jsm, layout);
  }

  /**
   * Fences the stream for `term`: reads the last sequence L, then the last fence;
   * a higher term there means we are stale. Otherwise publishes our fence expecting
   * L, so it lands only if nothing moved in between (else retry), and every
   * conditional publish of an older writer fails afterwards.
   */
  async openWriter(pchannel: string, term: number): Promise<WalWriter> {
    const index = await this.stream(pchannel);
    for (let attempt = 0; ; attempt++) {
      const { lastSeq } = await index.bounds();
      const fence = await index.lastFence();
      if (fence && fence.term > term) {
        throw new NuthatchError('Fenced', `jetstream WAL ${pchannel} is owned by term ${fence.term}; ${term} is stale`, { term, by: fence.term });
      }
      const next = await index.nextPosition(lastSeq);
      const nonce = writerNonce();
      try {
        const fence = encodeFence(term, next);
        const ack = await this.js.publish(index.layout.fence, fence.data, { headers: frameHeaders(fence), msgID: messageId(nonce, lastSeq + 1), expect: { lastSequence: lastSeq }, timeout: this.limits.publishTimeoutMs });
        if (ack.duplicate || ack.seq !== lastSeq + 1) throw new NuthatchError('Internal', `jetstream stored the fence of ${pchannel} at ${ack.seq}${ack.duplicate ? ' (as a duplicate)' : ''}, expected ${lastSeq + 1}`);
        return new JetStreamWalWriter(pchannel, term, this.js, this.drops, index, ack.seq, nonce, next, ack.seq, this.limits);
      } catch (e) {
        if (!isWrongLast(e) || attempt >= 100) throw unavailable(`fence ${pchannel} for term ${term}`, e);
        // Someone appended or fenced since we looked: look again.
        await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2)));
      }
    }
  }

  async *read(pchannel: string, from: WalPosition, to?: WalPosition): AsyncIterable<WalRecord[]> {
    yield* readRecords(this.js, await this.stream(pchannel), from, to);
  }

  tail(pchannel: string, from: WalPosition): Observable<WalRecord> {
    return tailRecords(this.js, () => this.stream(pchannel), from);
  }

  async lastPosition(pchannel: string): Promise<WalPosition> {
    const index = await this.stream(pchannel);
    return (await index.nextPosition((await index.bounds()).lastSeq)) - 1;
  }

  /** Purges data messages before the group holding `before`; never the last message. */
  async truncate(pchannel: string, before: WalPosition): Promise<void> {
    const index = await this.stream(pchannel);
    const b = await index.bounds();
    if (b.lastSeq === 0) return;
    const seq = Math.min(await index.startSeq(before, b), b.lastSeq);
    if (seq <= b.firstSeq) return;
    try {
      await this.jsm.streams.purge(index.layout.stream, { filter: index.layout.data, seq });
    } catch (e) {
      throw unavailable(`purge ${pchannel} before ${before}`, e);
    }
  }

  async firstPosition(pchannel: string): Promise<WalPosition> {
    const index = await this.stream(pchannel);
    return index.firstPosition(await index.bounds());
  }

  /** Drains the connection (bounded: a server that is gone must not hang a close). */
  async close(): Promise<void> {
    const bounded = new Promise((r) => setTimeout(r, 5_000).unref());
    await Promise.race([this.nc.drain().catch(() => undefined), bounded]);
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}

/** Factory for child processes and tests: `createJetStreamWalBackend(config)`. */
export function createJetStreamWalBackend(config: JetStreamWalConfig): Promise<JetStreamWalBackend> {
  return JetStreamWalBackend.connect(config);
}
