import { ValidationError } from '../../../messages/errors.js';
import type { ImportJobView } from '../../client/api.js';
import { JsonReader } from '../JsonReader.js';
import { DB_NAME, readCollectionName, readDbName, readName } from '../common.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/**
 * /v2/vectordb/jobs/import/*: bulk import of JSON row files in object storage
 * (Milvus's names and shapes; job ids travel as strings, as Milvus sends them).
 */
export const jobRoutes: Record<string, Route> = {
  [`${V2}/jobs/import/create`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'partitionName', 'files', 'options']);
    const collectionName = readCollectionName(r);
    const files = r.required('files');
    if (r.has('options')) {
      const o = r.map('options');
      const unknown = Object.keys(o).filter((k) => k !== 'timeout');
      if (unknown.length) throw new ValidationError(`import options ${unknown.join(', ')} are not supported (row-based JSON files only)`, { field: 'options' });
    }
    const { jobId } = await api.createImportJob({ collectionName, files: files as string[][], ...(r.has('partitionName') ? { partitionName: readName(r, 'partitionName', 'partition') } : {}) });
    return ok({ jobId: String(jobId) });
  },
  [`${V2}/jobs/import/list`]: async (body, { api }) => {
    const r = JsonReader.object(body, '', [DB_NAME, 'collectionName']);
    const jobs = await api.listImportJobs(r.has('collectionName') ? readCollectionName(r) : (readDbName(r), undefined));
    return ok({ records: jobs.map((j) => ({ collectionName: j.collectionName, jobId: String(j.jobId), progress: j.progress, state: j.state })) });
  },
  [`${V2}/jobs/import/get_progress`]: (body, ctx) => describe(body, ctx.api),
  [`${V2}/jobs/import/describe`]: (body, ctx) => describe(body, ctx.api),
};

async function describe(body: unknown, api: { getImportJobProgress(id: number): Promise<ImportJobView> }) {
  const r = JsonReader.object(body, '', [DB_NAME, 'jobId']);
  readDbName(r);
  const raw = r.required('jobId');
  const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw r.wrong('jobId', 'a job id (a string of digits)', raw);
  const v = await api.getImportJobProgress(id);
  return ok({ ...v, jobId: String(v.jobId), ...(v.reason === undefined ? { reason: '' } : {}), ...(v.completeTime === undefined ? { completeTime: '' } : {}) });
}
