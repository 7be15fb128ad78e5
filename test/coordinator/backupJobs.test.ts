import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backupFailed, backupMeta, backupProgress, backupRows, checkBackupName, described, holdsLoad, loadedForBackup, metaWritten, newBackupJob, nextBackupStep, pageExported,
  releasedAfterBackup, type BackupJob,
} from '../../actors/coordinator/core/backupJobs.js';
import {
  autoIdClosed, collectionCreated, importDone, importStarted, newRestoreJob, nextRestoreStep, restoreFailed, restoreLoaded, restoreProgress,
} from '../../actors/coordinator/core/restoreJobs.js';
import { importKeys, newImportJob } from '../../actors/coordinator/core/importJobs.js';
import type { BackupCollectionMeta } from '../../messages/rpc/backup.js';
import { ValidationError } from '../../messages/errors.js';

/** Backup and restore jobs (pure): the steps each takes, where a resumed one goes on, what meta.json says. */
const collection: BackupCollectionMeta = {
  dbName: 'default', collectionName: 'c', schema: { fields: [] }, metricType: 'L2', shardsNum: 2, consistencyLevel: 'Bounded',
  numPartitions: 2, partitionKey: false, properties: {}, indexes: [], loaded: true,
};
const fresh = (): BackupJob => newBackupJob({ jobId: 9, backupName: 'b', collectionId: 3, collectionName: 'c', dbName: 'default', tso: 123n, holdId: 4, nowMs: 1000, loaded: true });

test('a backup describes, exports each partition page by page to numbered files, then writes meta.json', () => {
  let job = fresh();
  assert.equal(nextBackupStep(job), { kind: 'describe' });
  assert.is(backupProgress(job), 0);
  job = described(job, collection, ['_default', 'p1'], 250);
  assert.equal(nextBackupStep(job), { kind: 'export', partition: 0, key: 'backups/b/_default/part-00000.json' });
  job = pageExported(job, 0, 100, 99, 100);
  assert.equal(nextBackupStep(job), { kind: 'export', partition: 0, key: 'backups/b/_default/part-00001.json', after: 99 }, 'a full page: the partition goes on after its last key');
  job = pageExported(job, 0, 50, 180, 100);
  assert.equal(nextBackupStep(job), { kind: 'export', partition: 1, key: 'backups/b/p1/part-00000.json' }, 'a short page ends the partition');
  job = pageExported(job, 1, 100, 'x', 100);
  job = pageExported(job, 1, 0, undefined, 100);
  assert.equal(job.partitions.map((p) => [p.rows, p.files, p.done]), [[150, 2, true], [100, 1, true]], 'an empty last page writes no file');
  assert.equal(nextBackupStep(job), { kind: 'meta' });
  assert.is(backupRows(job), 250);
  assert.ok(backupProgress(job) >= 90 && backupProgress(job) <= 99);
  const meta = backupMeta(job);
  assert.equal([meta.tso, meta.createTime, meta.collection], ['123', new Date(1000).toISOString(), collection]);
  assert.equal(meta.partitions, [
    { partitionName: '_default', rows: 150, files: ['backups/b/_default/part-00000.json', 'backups/b/_default/part-00001.json'], lastKey: 180 },
    { partitionName: 'p1', rows: 100, files: ['backups/b/p1/part-00000.json'], lastKey: 'x' },
  ]);
  job = metaWritten(job, 2000);
  assert.equal([job.state, backupProgress(job), nextBackupStep(job).kind, job.completedMs], ['Completed', 100, 'none', 2000]);
});

test('a backup replayed from its record resumes at the page it was at; a failed one takes no step', () => {
  const mid = pageExported(described(fresh(), collection, ['_default'], 0), 0, 100, 99, 100);
  const resumed = JSON.parse(JSON.stringify({ ...mid, tso: undefined })) as BackupJob;
  assert.equal(nextBackupStep({ ...resumed, tso: 123n }), nextBackupStep(mid));
  assert.equal(nextBackupStep(backupFailed(mid, 'gone', 5)), { kind: 'none' });
  assert.is(backupFailed(mid, 'gone', 5).reason, 'gone');
  const empty = described(fresh(), collection, [], 0);
  assert.equal(nextBackupStep(empty), { kind: 'meta' }, 'nothing to export: meta.json at once');
});

test('a backup of an unloaded collection loads it first, releases it last, and says it was not loaded', () => {
  let job = newBackupJob({ jobId: 9, backupName: 'b', collectionId: 3, collectionName: 'c', dbName: 'default', tso: 123n, holdId: 4, nowMs: 1000, loaded: false });
  assert.equal(nextBackupStep(job), { kind: 'load' });
  assert.is(holdsLoad(job), false, 'nothing to release before the load');
  job = loadedForBackup(job);
  assert.is(holdsLoad(job), true);
  assert.equal(nextBackupStep(job), { kind: 'describe' });
  job = described(job, collection, ['_default'], 10);
  assert.is(job.collection!.loaded, false, 'meta.json: restore leaves it unloaded, as it was');
  job = metaWritten(pageExported(job, 0, 10, 10, 100), 2000);
  assert.equal([nextBackupStep(job), job.state], [{ kind: 'release' }, 'Exporting'], 'not Completed until released');
  job = releasedAfterBackup(job, 3000);
  assert.equal([nextBackupStep(job).kind, job.state, job.completedMs, holdsLoad(job)], ['none', 'Completed', 3000, false]);
  assert.is(described(fresh(), collection, [], 0).collection!.loaded, true, 'a loaded collection is restored loaded');
});

test('a restore of an autoID collection closes allow_insert_auto_id after the import, before the load', () => {
  const files = [{ key: 'backups/b/_default/part-00000.json', partitionName: '_default' }];
  let job = collectionCreated(newRestoreJob(5, 'b', 'default', 'copy', 3, 0), files, true, { through: 500, close: true });
  job = importDone(importStarted(job, 7), 10);
  assert.equal([nextRestoreStep(job), job.state], [{ kind: 'closeAutoId' }, 'Loading']);
  job = autoIdClosed(job, 11);
  assert.equal(nextRestoreStep(job), { kind: 'load' });
  const unloaded = autoIdClosed(importDone(importStarted(collectionCreated(newRestoreJob(6, 'b', 'default', 'c2', 3, 0), files, false, { through: 9, close: true }), 8), 20), 21);
  assert.equal([nextRestoreStep(unloaded).kind, unloaded.state, unloaded.completedMs], ['none', 'Completed', 21]);
  const kept = importDone(importStarted(collectionCreated(newRestoreJob(7, 'b', 'default', 'c3', 3, 0), files, false, { through: 9, close: false }), 9), 30);
  assert.equal([nextRestoreStep(kept).kind, kept.state], ['none', 'Completed'], 'the original allowed given keys: the property stays');
});

test('backup names are plain: letters, digits, _ and -', () => {
  for (const ok of ['b1', 'nightly-2026_11_26', '_x']) assert.is(checkBackupName(ok), ok);
  for (const bad of ['', '1b', '-b', 'a/b', 'a b', '..', 'x'.repeat(256), 7, null]) assert.throws(() => checkBackupName(bad), (e: unknown) => e instanceof ValidationError, String(bad));
});

test('a restore creates, imports, then loads if the original was loaded', () => {
  let job = newRestoreJob(5, 'b', 'db2', 'copy', 250, 1000);
  assert.equal(nextRestoreStep(job), { kind: 'create' });
  const files = [{ key: 'backups/b/p1/part-00000.json', partitionName: 'p1' }];
  job = collectionCreated(job, files, true);
  assert.equal([nextRestoreStep(job), job.state], [{ kind: 'startImport', files }, 'Importing']);
  assert.is(restoreProgress(job, 0), 5);
  job = importStarted(job, 77);
  assert.equal(nextRestoreStep(job), { kind: 'awaitImport', importJobId: 77 }, 'a resumed restore waits on the import it made, not a new one');
  assert.is(restoreProgress(job, 50), 50);
  job = importDone(job, 2000);
  assert.equal([nextRestoreStep(job), job.state], [{ kind: 'load' }, 'Loading']);
  job = restoreLoaded(job, 3000);
  assert.equal([nextRestoreStep(job), job.state, restoreProgress(job, 0)], [{ kind: 'none' }, 'Completed', 100]);
  const unloaded = importDone(importStarted(collectionCreated(newRestoreJob(6, 'b', 'default', 'c2', 0, 0), files, false), 78), 9);
  assert.equal([nextRestoreStep(unloaded), unloaded.state], [{ kind: 'none' }, 'Completed'], 'not loaded when the original was not');
  assert.equal(nextRestoreStep(restoreFailed(job, 'x', 1)), { kind: 'none' });
});

test('an import job carries each file\'s partition', () => {
  const job = newImportJob(1, 2, 'c', [{ key: 'a.json', partitionName: 'p1' }, 'b.json'], 0, 'p0');
  assert.equal(job.files.map((f) => [f.key, f.partitionName]), [['a.json', 'p1'], ['b.json', undefined]]);
  assert.equal(importKeys([['a.json']]), ['a.json']);
});

test.run();
