import * as assert from 'uvu/assert';
import { until } from '../until.js';
import { check } from './check.js';
import type { Model, RunState } from './rows.js';

/**
 * Point-in-time copies in a model run: a snapshot (files kept, nothing copied)
 * or a backup (rows written out as import files) is taken with a copy of the
 * model; later, while the collection has moved on, it is restored under a new
 * name and read against that copy, then dropped.
 */
export interface Taken { kind: 'snapshot' | 'backup'; name: string; model: Model; extraAdded: boolean }

export async function take(s: RunState, kind: Taken['kind']): Promise<Taken> {
  const name = `model_${kind}`;
  if (kind === 'snapshot') await s.client.createSnapshot({ collectionName: s.name, snapshotName: name });
  else {
    await s.client.createBackup(s.name, name);
    await until(async () => ['Completed', 'Failed'].includes((await s.client.describeBackup(name)).state), `${s.where}: backup`, 120_000);
    const b = await s.client.describeBackup(name);
    assert.is(b.state, 'Completed', `${s.where}: backup ${b.state}: ${b.reason}`);
  }
  return { kind, name, model: new Map(s.model), extraAdded: s.extraAdded };
}

/** Restores `t` as a new collection, reads it against the model as it was when `t` was taken, and drops both. */
export async function restoreAndCheck(s: RunState, t: Taken): Promise<void> {
  const target = `${t.name}_restored`;
  const where = `${s.where}: ${t.kind} restored`;
  if (t.kind === 'snapshot') {
    const { jobId } = await s.client.restoreSnapshot({ snapshotName: t.name, targetCollectionName: target });
    await until(async () => ['Completed', 'Failed'].includes((await s.client.getRestoreSnapshotState(jobId)).state), where, 120_000);
    const j = await s.client.getRestoreSnapshotState(jobId);
    assert.is(j.state, 'Completed', `${where}: ${j.reason}`);
  } else {
    const { jobId } = await s.client.restoreBackup(t.name, target);
    await until(async () => ['Completed', 'Failed'].includes((await s.client.getRestoreProgress(jobId)).state), where, 120_000);
    const j = await s.client.getRestoreProgress(jobId);
    assert.is(j.state, 'Completed', `${where}: ${j.reason}`);
  }
  await s.client.loadCollection(target);
  await until(async () => (await s.client.getLoadState(target)).loadProgress === 100, `${where}: loaded`, 120_000);
  await check(s.client, target, t.model, s.r, where, t.extraAdded);
  await s.client.dropCollection(target);
  if (t.kind === 'snapshot') await s.client.dropSnapshot(t.name);
  else await s.client.dropBackup(t.name);
  s.stats.restores++;
}
