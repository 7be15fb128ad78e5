/**
 * The NATS bus adapter (core NATS, @nats-io/transport-node v3). The client
 * reconnects forever: a node keeps its subscriptions across a server restart and
 * nothing crashes while it is away. Core NATS is at-most-once, so a request in
 * flight when the connection drops, or sent while it is down (the client would
 * buffer it and send it before the responders are back), may never be answered:
 * it fails at once with a retryable 'Unavailable' (reason 'disconnected')
 * instead of waiting out its timeout, and callers that retry (withRetry;
 * appends carry append ids) go again once reconnected. A responder that
 * throws answers with a `Nuthatch-Error` header holding the wire error, so the
 * requester sees the same typed error as with the in-process bus.
 */
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { NuthatchError, asNuthatchError, errorFromWire, type WireError } from '../../messages/errors.js';
import type { Bus, BusSubscription, MessageHandler, RequestHandler, RequestOptions, SubscribeOptions } from '../ports/bus.js';
import { assertSubject, isThenable } from './subjects.js';
import { ConnectionDrops } from './connectionDrops.js';
import { mapNatsError } from './natsErrors.js';
import { natsAuth, type NatsAuth } from './natsAuth.js';

const ERROR_HEADER = 'Nuthatch-Error';
const DEFAULT_TIMEOUT_MS = 10_000;
const EMPTY = new Uint8Array(0);

export interface NatsBusOptions {
  /** One or more server URLs, e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** Wait for the first connection instead of failing when no server answers. Default false. */
  waitOnFirstConnect?: boolean;
  /** Called when a subscriber's handler throws; default logs to stderr. */
  onHandlerError?: (error: unknown, subject: string) => void;
  /** For a server that requires credentials; default: from the environment (see natsAuth.ts), else none. */
  auth?: NatsAuth;
}

/** A Bus over a NATS connection. Create with `NatsBus.connect`. */
export class NatsBus implements Bus {
  /** Requests in flight, failed at once should the connection drop. */
  private readonly drops: ConnectionDrops;

  private constructor(
    /** The underlying connection, for layers that need NATS itself (JetStream). */
    readonly nc: NatsConnection,
    private readonly onHandlerError: (error: unknown, subject: string) => void,
  ) {
    this.drops = new ConnectionDrops(nc, () => new NuthatchError('Unavailable', 'the bus connection dropped with the request in flight', { reason: 'disconnected' }));
  }

  /** Connects (reconnecting forever afterwards); fails with 'Unavailable' if no server answers. */
  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    try {
      const nc = await connect({
        servers: opts.servers,
        name: opts.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
        ...natsAuth(opts.auth),
      });
      return new NatsBus(nc, opts.onHandlerError ?? ((e, s) => console.error(`natsBus: handler for '${s}' threw:`, e)));
    } catch (e) {
      throw new NuthatchError('Unavailable', `cannot connect to NATS at ${String(opts.servers)}: ${(e as Error).message}`, {}, e);
    }
  }

  publish(subject: string, data: Uint8Array): void {
    assertSubject(subject, false);
    try { this.nc.publish(subject, data); } catch (e) { throw mapNatsError(e, subject); }
  }

  subscribe(subject: string, handler: MessageHandler, opts: SubscribeOptions = {}): BusSubscription {
    return this.add(subject, opts.queue, (msg) => handler(owned(msg.data), msg.subject) as void | Promise<void>);
  }

  serve(subject: string, handler: RequestHandler, opts: SubscribeOptions = {}): BusSubscription {
    return this.add(subject, opts.queue, async (msg) => {
      let out: Uint8Array;
      try {
        out = await handler(owned(msg.data), msg.subject);
      } catch (e) {
        const h = headers();
        h.set(ERROR_HEADER, JSON.stringify(asNuthatchError(e).toWire()));
        msg.respond(EMPTY, { headers: h });
        return;
      }
      msg.respond(out);
    });
  }

  request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    assertSubject(subject, false);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!this.drops.connected) return Promise.reject(new NuthatchError('Unavailable', `the bus is reconnecting; request on '${subject}' not sent`, { subject, reason: 'disconnected' }));
    // One promise of our own that a disconnect can fail early; the client's answer,
    // should it come later, is dropped. (This and the status watcher cost 7-10% of
    // the rate of bare 256 B echo requests, 64 in flight: against a lost request
    // waiting out a 120 s timeout, worth it.)
    return new Promise<Uint8Array>((resolve, reject) => {
      const settle = this.drops.hold(reject);
      let sent: Promise<Msg>;
      try { sent = this.nc.request(subject, data, { timeout: timeoutMs }); } catch (e) { settle(); reject(mapNatsError(e, subject, timeoutMs)); return; }
      sent.then((reply) => {
        if (!settle()) return;
        try {
          const err = reply.headers?.get(ERROR_HEADER);
          if (err) reject(errorFromWire(JSON.parse(err) as WireError));
          else resolve(owned(reply.data));
        } catch (e) { reject(asNuthatchError(e)); }
      }, (e: unknown) => { if (settle()) reject(mapNatsError(e, subject, timeoutMs)); });
    });
  }

  async flush(): Promise<void> {
    try { await this.nc.flush(); } catch (e) { throw mapNatsError(e, ''); }
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    // Drain lets handlers already queued finish and flushes what was published.
    await this.nc.drain().catch(() => this.nc.close());
  }

  private add(subject: string, queue: string | undefined, deliver: (msg: Msg) => void | Promise<void>): BusSubscription {
    assertSubject(subject, true);
    if (queue !== undefined && (queue.length === 0 || /[\s]/.test(queue))) throw new NuthatchError('InvalidArgument', `invalid queue group '${queue}'`);
    let sub;
    try {
      sub = this.nc.subscribe(subject, {
        queue,
        callback: (err, msg) => {
          if (err) { this.onHandlerError(err, subject); return; }
          try {
            const r = deliver(msg);
            if (isThenable(r)) r.then(undefined, (e) => this.onHandlerError(e, msg.subject));
          } catch (e) {
            this.onHandlerError(e, msg.subject);
          }
        },
      });
    } catch (e) {
      throw mapNatsError(e, subject);
    }
    return { unsubscribe: () => { if (!sub.isClosed()) sub.unsubscribe(); } };
  }
}

/**
 * The client hands out views into its socket read buffer; a handler that keeps a
 * small message would pin the whole chunk (and share it with other messages), so
 * each message gets bytes of its own.
 */
function owned(data: Uint8Array): Uint8Array {
  // new Uint8Array(view) copies; Buffer#slice would not.
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
}
