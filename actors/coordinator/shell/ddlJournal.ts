import { dbOf } from '../../../messages/database.js';
import { Invariant, InvariantError } from '../../../messages/errors.js';
import type { DdlStep, PendingDdl } from '../../../messages/pendingDdl.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { SchemaDdl, Tso } from '../../../messages/types.js';
import { droppedWhileRunning, isLive, stillLive } from '../core/databases.js';
import { alreadyDoneBy, applyStep, broadcasts, changesSchema } from '../core/journaledDdl.js';
import { broadcast } from './broadcast.js';
import { inDdlOrder } from './ddlOrder.js';
import { unfenced } from './fencedSteps.js';
import type { CoordinatorContext } from './context.js';
import { save, saveSchema } from './ddl.js';
import { announceCatalogChange } from './renameCollection.js';
import { discardDroppedPartitions, discardTruncated } from './segmentDiscard.js';
import { forgetIndexFiles } from './droppedIndex.js';
import { buildMissingIndexes } from './segmentFlow.js';

/**
 * A collection DDL as a journaled step (core/journaledDdl.ts): `decide` is
 * run on arrival (a refusal throws at once) and again after the
 * collection's earlier DDL (and any step a previous coordinator left
 * pending), `decide` checks the request against the record as it is then
 * and gives the step, or null when it changes nothing (a refusal throws and
 * writes nothing). The step goes into the record, then to every shard, then
 * the record is saved with it applied, then what follows it (afterStep). Each
 * shard's TSO of it, or null.
 */
export function runJournaled(ctx: CoordinatorContext, rec: CollectionRecord, decide: () => DdlStep | null): Promise<Tso[] | null> {
  // Checked on arrival too, so a refusal answers at once rather than behind the collection's queued DDL.
  decide();
  return inDdlOrder(ctx, rec.collectionId, async () => {
    stillLive(ctx.catalog, rec);
    if (rec.pendingDdl) { const left = rec.pendingDdl; await unfenced(() => finishLeftover(ctx, rec, left)); }
    const step = decide();
    if (!step) return null;
    if (!broadcasts(step)) {
      // The record's alone: one write, nothing to journal.
      await ctx.lock(async () => { applyStep(stillLive(ctx.catalog, rec), step, []); await save(ctx, rec); });
      await afterStep(ctx, rec, step);
      return [];
    }
    // The version comes before the broadcast, in the collection's DDL order, so each is above the last.
    if (changesSchema(step)) (step.body as SchemaDdl).schemaVersion = await ctx.tso(1);
    const pending: PendingDdl = { broadcastId: await ctx.allocIds(1), step };
    await ctx.lock(async () => {
      stillLive(ctx.catalog, rec);
      rec.pendingDdl = pending;
      // Not stored (etcd away, a fence passed): the step is not taken, in memory either.
      try { await save(ctx, rec); } catch (e) { if (rec.pendingDdl === pending) delete rec.pendingDdl; throw e; }
    });
    const tsos = await finishPending(ctx, rec, pending);
    await afterStep(ctx, rec, step);
    return tsos;
  });
}

/** Finishes a step a previous coordinator journaled and did not save (at start), with what follows it. */
export function resumeJournaled(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  return inDdlOrder(ctx, rec.collectionId, async () => { if (rec.pendingDdl) await finishLeftover(ctx, rec, rec.pendingDdl); });
}

/** A step left pending (by a crash, or a shard out of reach), finished with what follows it; a refused one is dropped. */
async function finishLeftover(ctx: CoordinatorContext, rec: CollectionRecord, pending: PendingDdl): Promise<void> {
  ctx.log(`finishing ${pending.step.type} of ${rec.name}, left pending`);
  try {
    await finishPending(ctx, rec, pending);
  } catch (e) {
    if (!(e instanceof InvariantError)) throw e;
    ctx.log(`${pending.step.type} of ${rec.name} was refused by its shards and dropped:`, e.message);
    return;
  }
  await afterStep(ctx, rec, pending.step);
}

/**
 * The broadcast (again, under its id) and the record saved with the step
 * applied and no longer pending. A shard refusing the step by an invariant
 * other than the one saying it is done refuses it on every shard (they hold
 * the same DDL history): the step is dropped from the record and the refusal
 * thrown. Any other failure (a shard unreachable past the deadline) leaves
 * it pending, for the next DDL of the collection or the next coordinator.
 */
async function finishPending(ctx: CoordinatorContext, rec: CollectionRecord, pending: PendingDdl): Promise<Tso[]> {
  const { step } = pending;
  let tsos: Tso[];
  try {
    tsos = await broadcast(ctx, step.type, rec.vchannels, () => ({ collectionId: rec.collectionId, ...step.body }) as never, alreadyDoneBy(step), pending.broadcastId);
  } catch (e) {
    if (!(e instanceof InvariantError)) throw e;
    await ctx.lock(async () => { if (rec.pendingDdl === pending && isLive(ctx.catalog, rec)) { delete rec.pendingDdl; await save(ctx, rec); } });
    // The shards took the collection's drop first: to the client, the collection is gone.
    throw e.invariant === Invariant.NothingAfterDrop ? droppedWhileRunning(rec) : e;
  }
  await ctx.lock(async () => {
    applyStep(stillLive(ctx.catalog, rec), step, tsos);
    if (rec.pendingDdl === pending) delete rec.pendingDdl;
    await (changesSchema(step) ? saveSchema(ctx, rec, (step.body as SchemaDdl).schemaVersion) : save(ctx, rec));
  });
  return tsos;
}

/** What follows a step once saved: clients told to read the record again; a dropped partition's or truncated rows' segments discarded, an index built or its files forgotten. */
async function afterStep(ctx: CoordinatorContext, rec: CollectionRecord, step: DdlStep): Promise<void> {
  // Clients drop their cached records first: a partition's id under its name, an index, a schema changed.
  announceCatalogChange(ctx, dbOf(rec), [rec.name]);
  switch (step.type) {
    case 'DropPartition': await discardDroppedPartitions(ctx, rec); break;
    case 'CreateIndex': void buildMissingIndexes(ctx, rec); break;
    case 'DropIndex': await forgetIndexFiles(ctx, rec.collectionId, step.body.indexName); break;
    case 'TruncateCollection': await discardTruncated(ctx, rec); break;
    default: break;
  }
}
