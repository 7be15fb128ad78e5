/**
 * Fencing tokens. A writer that holds a lead (a replicator leading a target)
 * bumps a term key in the receiving cluster's meta store when it wins, and puts
 * `{ key, revision }` (that key and the revision its bump got) on each of its
 * requests. A receiver serves such a request only while the key still has that
 * revision, so a writer that lost its lead while paused (SIGSTOP, a long GC)
 * and woke up unaware has every later request refused (StaleFence): the new
 * leader bumped the key before it read the checkpoint or wrote anything.
 */
import { DecodeError, NuthatchError } from './errors.js';

/** A fencing token: valid while the meta store key `key` was last modified at `revision`. */
export interface Fence { key: string; revision: number }

/** The shape check of a request's `fence` field. */
export function checkFence(v: unknown): asserts v is Fence {
  const o = v as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || typeof o.key !== 'string' || o.key.length === 0 || !Number.isInteger(o.revision) || (o.revision as number) <= 0) {
    throw new DecodeError(`'fence' must be {key: string, revision: positive integer}`);
  }
}

/** The refusal of a request whose fence has passed. */
export function staleFence(f: Fence, now: number | undefined): NuthatchError {
  return new NuthatchError('StaleFence', `fenced out: ${f.key} is at revision ${now ?? '(absent)'}, this writer's lead was at ${f.revision} (another took over)`, { key: f.key, revision: f.revision });
}
