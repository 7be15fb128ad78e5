import type { NuthatchError } from '../../messages/errors.js';
import { isSchemaMismatch } from '../../messages/schemaVersion.js';
import type { Tso } from '../../messages/types.js';

/**
 * What one sending of a write did: its highest TSO, and the rows (indices in
 * the batch) of the appends a shard refused because they were shaped against
 * an older schema (messages/schemaVersion.ts), with that refusal. Those rows
 * wrote nothing; every other append landed.
 */
export interface Sent { tso: Tso; stale?: { rows: number[]; error: NuthatchError } }

/** Gathers the outcome of a write's appends into a `Sent`: a stale-schema refusal is kept, any other failure thrown. */
export class SentRows {
  private tso = 0n;
  private readonly rows: number[] = [];
  private error: NuthatchError | undefined;

  /** Awaits one append of the rows `idx`. */
  async track(idx: readonly number[], append: Promise<{ tso: Tso }>): Promise<void> {
    try {
      const res = await append;
      if (res.tso > this.tso) this.tso = res.tso;
    } catch (e) {
      if (!isSchemaMismatch(e)) throw e;
      this.rows.push(...idx);
      this.error ??= e;
    }
  }

  result(): Sent {
    return this.error ? { tso: this.tso, stale: { rows: [...this.rows].sort((a, b) => a - b), error: this.error } } : { tso: this.tso };
  }
}
