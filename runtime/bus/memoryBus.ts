/**
 * The in-process bus: NATS subject semantics without a server, for `nuthatch
 * standalone` and unit tests. It behaves like a transport on purpose: delivery is
 * asynchronous (a handler never runs inside `publish`), every subscriber gets its
 * own copy of the bytes (no memory shared between actors), and a failing responder
 * reaches the requester as a decoded wire error, as over NATS.
 */
import { NuthatchError, asNuthatchError, errorFromWire, type WireError } from '../../messages/errors.js';
import type { Bus, BusSubscription, MessageHandler, RequestHandler, RequestOptions, SubscribeOptions } from '../ports/bus.js';
import { assertSubject, isThenable, subjectMatches } from './subjects.js';

type Reply = (r: { data: Uint8Array } | { error: WireError }) => void;

interface Sub {
  readonly pattern: string;
  readonly queue: string | undefined;
  active: boolean;
  deliver(data: Uint8Array, subject: string, reply: Reply | undefined): void | Promise<void>;
}

export interface MemoryBusOptions {
  /** Called when a subscriber's handler throws; default logs to stderr. */
  onHandlerError?: (error: unknown, subject: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** An in-process Bus with NATS semantics. */
export class MemoryBus implements Bus {
  private subs: Sub[] = [];
  private readonly rr = new Map<string, number>();
  private readonly pending = new Set<(e: Error) => void>();
  private closed = false;
  private readonly onHandlerError: (error: unknown, subject: string) => void;

  constructor(opts: MemoryBusOptions = {}) {
    this.onHandlerError = opts.onHandlerError ?? ((e, s) => console.error(`memoryBus: handler for '${s}' threw:`, e));
  }

  publish(subject: string, data: Uint8Array): void {
    this.assertOpen();
    assertSubject(subject, false);
    this.dispatch(this.targets(subject), subject, data, undefined);
  }

  subscribe(subject: string, handler: MessageHandler, opts: SubscribeOptions = {}): BusSubscription {
    // An async handler's rejection is reported like a throw, not left unhandled.
    return this.add(subject, opts.queue, (data, s) => handler(data, s) as void | Promise<void>);
  }

  serve(subject: string, handler: RequestHandler, opts: SubscribeOptions = {}): BusSubscription {
    return this.add(subject, opts.queue, async (data, s, reply) => {
      let out: Uint8Array;
      try {
        out = await handler(data, s);
      } catch (e) {
        reply?.({ error: asNuthatchError(e).toWire() });
        return;
      }
      reply?.({ data: out });
    });
  }

  request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    try {
      this.assertOpen();
      assertSubject(subject, false);
    } catch (e) {
      return Promise.reject(e);
    }
    const targets = this.targets(subject);
    if (targets.length === 0) return Promise.reject(new NuthatchError('Unavailable', `no responders on '${subject}'`, { subject }));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<Uint8Array>((resolve, reject) => {
      let done = false;
      const finish = (): void => { done = true; clearTimeout(timer); this.pending.delete(abort); };
      const abort = (e: Error): void => { if (!done) { finish(); reject(e); } };
      const timer = setTimeout(() => abort(new NuthatchError('Timeout', `request on '${subject}' timed out after ${timeoutMs} ms`, { subject, timeoutMs })), timeoutMs);
      this.pending.add(abort);
      const reply: Reply = (r) => {
        if (done) return;
        finish();
        // Copy and re-decode so the requester shares nothing with the responder.
        if ('error' in r) reject(errorFromWire(structuredClone(r.error)));
        else resolve(new Uint8Array(r.data));
      };
      this.dispatch(targets, subject, data, reply);
    });
  }

  async flush(): Promise<void> {
    // Delivery is queued as microtasks; one macrotask turn lets queued handlers start.
    await new Promise<void>((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs) s.active = false;
    this.subs = [];
    for (const abort of [...this.pending]) abort(new NuthatchError('Unavailable', 'bus closed'));
  }

  private add(subject: string, queue: string | undefined, deliver: Sub['deliver']): BusSubscription {
    this.assertOpen();
    assertSubject(subject, true);
    if (queue !== undefined && (queue.length === 0 || /[\s]/.test(queue))) throw new NuthatchError('InvalidArgument', `invalid queue group '${queue}'`);
    const sub: Sub = { pattern: subject, queue, active: true, deliver };
    this.subs.push(sub);
    return { unsubscribe: () => { sub.active = false; this.subs = this.subs.filter((s) => s !== sub); } };
  }

  /** Every plain subscriber, plus one member (round robin) of each queue group. */
  private targets(subject: string): Sub[] {
    const out: Sub[] = [];
    const groups = new Map<string, Sub[]>();
    for (const s of this.subs) {
      if (!subjectMatches(s.pattern, subject)) continue;
      if (s.queue === undefined) { out.push(s); continue; }
      const key = `${s.pattern} ${s.queue}`;
      const g = groups.get(key);
      if (g) g.push(s); else groups.set(key, [s]);
    }
    for (const [key, members] of groups) {
      const n = this.rr.get(key) ?? 0;
      this.rr.set(key, n + 1);
      out.push(members[n % members.length]!);
    }
    return out;
  }

  private dispatch(targets: Sub[], subject: string, data: Uint8Array, reply: Reply | undefined): void {
    for (const sub of targets) {
      const copy = new Uint8Array(data); // a copy even when data is a Buffer (Buffer#slice is a view)
      queueMicrotask(() => {
        if (!sub.active) return;
        try {
          const r = sub.deliver(copy, subject, reply);
          if (isThenable(r)) r.then(undefined, (e) => this.onHandlerError(e, subject));
        } catch (e) {
          this.onHandlerError(e, subject);
        }
      });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new NuthatchError('Unavailable', 'bus closed');
  }
}
