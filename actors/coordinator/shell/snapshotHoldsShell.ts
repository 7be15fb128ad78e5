import { NuthatchError } from '../../../messages/errors.js';
import type { Tso } from '../../../messages/types.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt } from '../core/databases.js';
import type { CompactionPolicy } from '../core/compactionPolicy.js';
import { compactionHorizon, holdTtl, pruneHolds, type SnapshotHold } from '../core/snapshotHolds.js';
import type { CoordinatorContext } from './context.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';

/**
 * Snapshot holds kept by the coordinator (core/snapshotHolds.ts). Each is
 * written to the meta store, so a coordinator that takes over keeps honouring
 * the holds of readers still walking.
 */
type Stored = SnapshotHold & { holdId: number };

export async function loadHolds(ctx: CoordinatorContext): Promise<void> {
  for (const h of await listRecords<Stored>(ctx.opts.meta, Keys.snapshots)) ctx.snapshots.set(h.holdId, { collectionId: h.collectionId, tso: h.tso, expiresAtMs: h.expiresAtMs });
  await dropLapsed(ctx);
}

/** Makes or renews a hold; a renewal of a lapsed (or unknown) hold makes it again under the same id. */
export async function holdSnapshot(ctx: CoordinatorContext, ref: CollectionRef, tso: Tso, holdId: number | undefined, ttlMs: number | undefined): Promise<{ holdId: number; ttlMs: number }> {
  const rec = collectionAt(ctx.catalog, ref);
  const ttl = holdTtl(ttlMs);
  if (tso <= 0n) throw new NuthatchError('InvalidArgument', 'a snapshot hold needs a TSO above 0');
  const id = holdId ?? await ctx.allocIds(1);
  const hold: SnapshotHold = { collectionId: rec.collectionId, tso, expiresAtMs: ctx.now() + ttl };
  await putRecord(ctx.opts.meta, Keys.snapshot(id), { ...hold, holdId: id } satisfies Stored);
  ctx.snapshots.set(id, hold);
  return { holdId: id, ttlMs: ttl };
}

export async function releaseSnapshot(ctx: CoordinatorContext, holdId: number): Promise<null> {
  ctx.snapshots.delete(holdId);
  await ctx.opts.meta.delete(Keys.snapshot(holdId));
  return null;
}

/** The TSO compaction of a collection may apply deletes and expiry up to, now. */
export function horizonOf(ctx: CoordinatorContext, collectionId: number, policy: Pick<CompactionPolicy, 'graceMs'>): Tso {
  return compactionHorizon(ctx.snapshots, collectionId, ctx.now(), policy.graceMs);
}

/** Forgets lapsed holds, here and in the meta store. */
export async function dropLapsed(ctx: CoordinatorContext): Promise<void> {
  for (const id of pruneHolds(ctx.snapshots, ctx.now())) await ctx.opts.meta.delete(Keys.snapshot(id));
}
