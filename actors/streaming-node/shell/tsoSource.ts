import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import { withRetry, type Caller } from '../../../runtime/rpc/typedBus.js';

/**
 * TSOs for a streaming node, taken from the coordinator in batches so an append
 * rarely waits on a round trip. `next()` is strictly increasing; `above(t)` drops
 * the rest of the batch when it lies below `t` (a search's guarantee TSO), so the
 * next TSO is fresh from the oracle and higher than t.
 *
 * A batch also expires after `maxAgeMs` of wall time: its physical part must stay
 * close to now, or a message stamped from an old batch would look older than it
 * is (a transaction's keep-alive, measured in TSO, would expire too early).
 */
export class TsoSource {
  private next_ = 0n;
  private end = 0n;
  private filledAt = 0;
  private refill: Promise<void> | null = null;
  private closed: Error | null = null;
  /** Waits for a refill, failed at once by close(). */
  private readonly waiting = new Set<(e: Error) => void>();
  constructor(private readonly coord: Caller<CoordinatorProtocol>, private readonly batch = 1000, private readonly maxAgeMs = 500) {}

  /** A TSO now if the batch has one and is fresh (no await), else undefined. */
  tryNext(): bigint | undefined {
    if (this.next_ < this.end && Date.now() - this.filledAt <= this.maxAgeMs) return this.next_++;
    return undefined;
  }

  async next(): Promise<bigint> {
    for (;;) {
      const t = this.tryNext();
      if (t !== undefined) return t;
      await this.fill();
    }
  }

  /** Makes sure every later TSO is greater than `t`. */
  async above(t: bigint): Promise<void> {
    if (this.next_ > t && this.next_ < this.end) return;
    this.end = 0n;
    await this.fill();
  }

  /**
   * Fails every wait for a TSO, now and later: a closing WAL must not wait a
   * minute for a coordinator that is away (its jobs fail, callers retry elsewhere).
   */
  close(reason: Error): void {
    this.closed = reason;
    for (const reject of [...this.waiting]) reject(reason);
  }

  private fill(): Promise<void> {
    if (this.closed) return Promise.reject(this.closed);
    // Short attempts, retried: a request caught by a coordinator crash goes to the standby.
    const refill = this.refill ??= withRetry(() => this.coord('tsoBatch', { count: this.batch }, 5_000), { deadlineMs: 60_000 }).then((r) => {
      // Never step back: a fresh batch always starts above what was handed out.
      if (r.first >= this.next_) this.next_ = r.first;
      this.end = r.first + BigInt(r.count);
      this.filledAt = Date.now();
    }).finally(() => { this.refill = null; });
    return new Promise<void>((resolve, reject) => {
      this.waiting.add(reject);
      refill.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}
