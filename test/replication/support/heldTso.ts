/**
 * A Bus that holds a streaming node's TSO requests while armed: the pchannel's
 * serial append step waits on its next TSO batch, so whatever is queued behind
 * stays queued until the test releases it. Everything else passes through.
 */
import { COORDINATOR_SUBJECT } from '../../../messages/rpc/coordinator.js';
import { decodeValue } from '../../../messages/valueCodec.js';
import type { Bus, BusSubscription, MessageHandler, RequestHandler, RequestOptions, SubscribeOptions } from '../../../runtime/ports/bus.js';

export class HeldTsoBus implements Bus {
  private gate: { open: Promise<void>; release: () => void; held: Promise<void>; heldOne: () => void } | null = null;

  constructor(private readonly inner: Bus) {}

  /** From now on TSO requests wait; `held` resolves when the first one does, `release` lets them all go. */
  arm(): { held: Promise<void>; release: () => void } {
    let release!: () => void, heldOne!: () => void;
    const open = new Promise<void>((r) => { release = r; });
    const held = new Promise<void>((r) => { heldOne = r; });
    this.gate = { open, release: () => { this.gate = null; release(); }, held, heldOne };
    return { held, release: this.gate.release };
  }

  async request(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<Uint8Array> {
    const g = this.gate;
    if (g && subject === COORDINATOR_SUBJECT && (decodeValue(data) as { op?: string }).op === 'tsoBatch') {
      g.heldOne();
      await g.open;
    }
    return this.inner.request(subject, data, opts);
  }

  publish(subject: string, data: Uint8Array): void { this.inner.publish(subject, data); }
  subscribe(subject: string, handler: MessageHandler, opts?: SubscribeOptions): BusSubscription { return this.inner.subscribe(subject, handler, opts); }
  serve(subject: string, handler: RequestHandler, opts?: SubscribeOptions): BusSubscription { return this.inner.serve(subject, handler, opts); }
  flush(): Promise<void> { return this.inner.flush(); }
  close(): Promise<void> { return Promise.resolve(); }
}
