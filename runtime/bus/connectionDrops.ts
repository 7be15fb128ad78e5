/**
 * Waits on one NATS connection that its drop must end at once. Core NATS is
 * at-most-once: a request in flight when the connection drops may never be
 * answered, and its caller would wait out its whole timeout. Whoever holds such
 * a wait registers how to fail it; a 'disconnect' status fails every one held
 * with the error `lost()` makes. The bus (natsBus.ts) and the jetstream WAL's
 * publishes share it.
 */
import type { NatsConnection } from '@nats-io/transport-node';

export class ConnectionDrops {
  /** False from a disconnect until the client has reconnected (and resubscribed). */
  connected = true;
  private readonly held = new Set<(e: unknown) => void>();

  constructor(nc: NatsConnection, private readonly lost: () => unknown) {
    void this.watch(nc).catch(() => undefined);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'reconnect') this.connected = true;
      if (s.type !== 'disconnect') continue;
      this.connected = false;
      const e = this.lost();
      for (const fail of this.held) fail(e);
      this.held.clear();
    }
  }

  /** Holds `fail` until the returned release is called; release says whether it was still held (not failed yet). */
  hold(fail: (e: unknown) => void): () => boolean {
    this.held.add(fail);
    return () => this.held.delete(fail);
  }

  /**
   * Sends a request through `send` and answers as it does, or fails with the
   * drop's error if the connection drops first (the request's own answer is
   * then dropped). While the connection is down it fails at once without
   * sending: the client would buffer the request, and one buffered across a
   * reconnect was measured never to be answered.
   */
  run<T>(send: () => Promise<T>): Promise<T> {
    if (!this.connected) return Promise.reject(this.lost());
    return new Promise<T>((resolve, reject) => {
      const release = this.hold(reject);
      send().then((v) => { if (release()) resolve(v); }, (e: unknown) => { if (release()) reject(e); });
    });
  }
}
