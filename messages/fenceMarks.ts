/**
 * A receiver's high-water marks of fencing tokens (messages/fence.ts): per
 * fence key, the highest revision it has verified that key to hold. Term keys
 * only ever move up (each new leader's bump is a newer etcd revision), so a
 * token below the mark belongs to a lead that has passed: it is refused here,
 * synchronously, with no meta store read. A token at or above the mark still
 * needs the read (the bump may have been made, and only seen by another
 * receiver); the read's answer then raises the mark.
 *
 * Only revisions read from the meta store raise a mark, never a request's own
 * token: a forged or corrupt high revision must not lock the real leader out.
 */
import { staleFence, type Fence } from './fence.js';
import type { NuthatchError } from './errors.js';

export class FenceMarks {
  private readonly marks = new Map<string, number>();

  /** The highest revision verified for `key` (0: none yet). */
  mark(key: string): number { return this.marks.get(key) ?? 0; }

  /** Raises `key`'s mark to `revision`; a lower revision changes nothing (marks never go down). */
  raise(key: string, revision: number): void {
    if (revision > this.mark(key)) this.marks.set(key, revision);
  }

  /** The refusal of a token below its key's mark, or null when only a read can tell. */
  refusal(f: Fence): NuthatchError | null {
    const mark = this.mark(f.key);
    return f.revision < mark ? staleFence(f, mark) : null;
  }
}
