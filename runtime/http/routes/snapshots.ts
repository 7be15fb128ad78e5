import type { RestoreSnapshotJobView, SnapshotView } from '../../client/api.js';
import { JsonReader } from '../JsonReader.js';
import { DB_NAME, readCollectionName, readDbName, readName } from '../common.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/**
 * /v2/vectordb/snapshots/*: collection snapshots (Milvus 3.0's create_snapshot
 * and its kin; coordinator/core/collectionSnapshots.ts). TSOs and job ids
 * travel as strings, as import job ids do.
 */
export const snapshotRoutes: Record<string, Route> = {
  [`${V2}/snapshots/create`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'snapshotName', 'description']);
    const collectionName = readCollectionName(r);
    const s = await api.createSnapshot({ collectionName, snapshotName: r.str('snapshotName'), ...(r.has('description') ? { description: r.str('description') } : {}) });
    return ok(snapshotOf(s));
  },
  [`${V2}/snapshots/describe`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'snapshotName']);
    readDbName(r);
    return ok(snapshotOf(await api.describeSnapshot(r.str('snapshotName'))));
  },
  /** The snapshots of `collectionName` in the request's database, or every snapshot. */
  [`${V2}/snapshots/list`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName']);
    const snapshots = await api.listSnapshots(r.has('collectionName') ? { collectionName: readCollectionName(r) } : (readDbName(r), {}));
    return ok({ snapshots: snapshots.map(snapshotOf) });
  },
  [`${V2}/snapshots/drop`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'snapshotName']);
    readDbName(r);
    await api.dropSnapshot(r.str('snapshotName'));
    return ok({});
  },
  /** Into `targetDbName` (default: the request's database) as `targetCollectionName`. */
  [`${V2}/snapshots/restore`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'snapshotName', 'targetCollectionName', 'targetDbName']);
    readDbName(r);
    const { jobId } = await api.restoreSnapshot({
      snapshotName: r.str('snapshotName'), targetCollectionName: readName(r, 'targetCollectionName', 'collection'),
      ...(r.has('targetDbName') ? { targetDbName: readDbName(r, 'targetDbName') } : {}),
    });
    return ok({ jobId: String(jobId) });
  },
  [`${V2}/snapshots/get_restore_state`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'jobId']);
    readDbName(r);
    const raw = r.required('jobId');
    const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw r.wrong('jobId', 'a job id (a string of digits)', raw);
    return ok(restoreOf(await api.getRestoreSnapshotState(id)));
  },
};

function snapshotOf(s: SnapshotView) {
  return { ...s, createTs: String(s.createTs) };
}

function restoreOf(j: RestoreSnapshotJobView) {
  return { ...j, jobId: String(j.jobId), reason: j.reason ?? '', completeTime: j.completeTime ?? '' };
}
