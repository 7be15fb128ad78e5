import { parseListPartitions, parsePartitionNames, parsePartitionRef } from '../parsePartitions.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/partitions/* */
export const partitionRoutes: Record<string, Route> = {
  [`${V2}/partitions/create`]: async (body, { api }) => {
    const p = parsePartitionRef(body);
    await api.createPartition(p.collectionName, p.partitionName);
    return ok({});
  },
  [`${V2}/partitions/list`]: async (body, { api }) => ok(await api.listPartitions(parseListPartitions(body))),
  [`${V2}/partitions/has`]: async (body, { api }) => {
    const p = parsePartitionRef(body);
    return ok({ has: await api.hasPartition(p.collectionName, p.partitionName) });
  },
  [`${V2}/partitions/get_stats`]: async (body, { api }) => {
    const p = parsePartitionRef(body);
    return ok(await api.getPartitionStats(p.collectionName, p.partitionName));
  },
  [`${V2}/partitions/load`]: async (body, { api }) => {
    const p = parsePartitionNames(body);
    await api.loadPartitions(p.collectionName, p.partitionNames);
    return ok({});
  },
  [`${V2}/partitions/release`]: async (body, { api }) => {
    const p = parsePartitionNames(body);
    await api.releasePartitions(p.collectionName, p.partitionNames);
    return ok({});
  },
  [`${V2}/partitions/drop`]: async (body, { api }) => {
    const p = parsePartitionRef(body);
    await api.dropPartition(p.collectionName, p.partitionName);
    return ok({});
  },
};
