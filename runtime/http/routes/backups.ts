import type { BackupView, RestoreJobView } from '../../client/api.js';
import { JsonReader } from '../JsonReader.js';
import { DB_NAME, readCollectionName, readDbName } from '../common.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/**
 * /v2/vectordb/backups/*: backup and restore of collections. nuthatch's own
 * API (Milvus has none; milvus-backup is a separate tool): TSOs and job ids
 * travel as strings, as import job ids do.
 */
export const backupRoutes: Record<string, Route> = {
  [`${V2}/backups/create`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'backupName']);
    const collectionName = readCollectionName(r);
    const b = await api.createBackup(collectionName, r.str('backupName'));
    return ok({ backupName: b.backupName, tso: String(b.tso) });
  },
  [`${V2}/backups/describe`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'backupName']);
    readDbName(r);
    return ok(backupOf(await api.describeBackup(r.str('backupName'))));
  },
  [`${V2}/backups/list`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName']);
    const backups = await api.listBackups(r.has('collectionName') ? readCollectionName(r) : (readDbName(r), undefined));
    return ok({ backups: backups.map(backupOf) });
  },
  [`${V2}/backups/drop`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'backupName']);
    readDbName(r);
    await api.dropBackup(r.str('backupName'));
    return ok({});
  },
  /** Into `dbName` (the request's database) as `collectionName`. */
  [`${V2}/backups/restore`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'backupName', 'collectionName']);
    const collectionName = readCollectionName(r);
    const { jobId } = await api.restoreBackup(r.str('backupName'), collectionName);
    return ok({ jobId: String(jobId) });
  },
  /** A backup's progress (by `backupName`) or a restore job's (by `jobId`). */
  [`${V2}/backups/get_progress`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'backupName', 'jobId']);
    readDbName(r);
    if (r.has('backupName') === r.has('jobId')) throw r.wrong('backupName', 'either backupName (a backup\'s progress) or jobId (a restore job\'s)', body);
    if (r.has('backupName')) {
      const b = await api.describeBackup(r.str('backupName'));
      return ok({ backupName: b.backupName, state: b.state, progress: b.progress, rows: b.rows, reason: b.reason ?? '' });
    }
    const raw = r.required('jobId');
    const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw r.wrong('jobId', 'a job id (a string of digits)', raw);
    return ok(restoreOf(await api.getRestoreProgress(id)));
  },
};

function backupOf(b: BackupView) {
  return { ...b, tso: String(b.tso), reason: b.reason ?? '', completeTime: b.completeTime ?? '' };
}

function restoreOf(j: RestoreJobView) {
  return { ...j, jobId: String(j.jobId), reason: j.reason ?? '', completeTime: j.completeTime ?? '' };
}
