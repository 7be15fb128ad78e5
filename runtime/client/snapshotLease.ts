/**
 * A reader's hold on its snapshot TSO (coordinator/core/snapshotHolds.ts):
 * taken before the first read, renewed as reads go on (every third of its
 * time to live), given back when the reader is done. While it is held,
 * compaction removes no row the snapshot still sees, however long the walk.
 * A reader that stops without finishing leaves the hold to lapse.
 */
export interface HoldCalls {
  hold(holdId: number | undefined): Promise<{ holdId: number; ttlMs: number }>;
  release(holdId: number): Promise<unknown>;
}

export class SnapshotLease {
  private renewedAt = -Infinity;
  private ttlMs = 0;
  private ended = false;

  /** `holdId`: a hold another reader took for this snapshot (a resumed REST cursor) to renew rather than take anew. */
  constructor(private readonly calls: HoldCalls, private id?: number) {}

  get holdId(): number | undefined { return this.id; }

  /** Takes the hold, or renews it once a third of its time to live has passed. */
  async renew(): Promise<void> {
    if (this.ended || Date.now() - this.renewedAt < this.ttlMs / 3) return;
    const r = await this.calls.hold(this.id);
    this.id = r.holdId;
    this.ttlMs = r.ttlMs;
    this.renewedAt = Date.now();
  }

  /** Gives the hold back (once); a failed release leaves it to lapse. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.id !== undefined) void this.calls.release(this.id).catch(() => {});
  }
}
