import { parseAlterResourceGroups, parseCreateResourceGroup, parseListResourceGroups, parseResourceGroupName, parseTransferReplica } from '../parseResourceGroups.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/resource_groups/*: groups are cluster-wide; transfer_replica names a collection in `dbName`. */
export const resourceGroupRoutes: Record<string, Route> = {
  [`${V2}/resource_groups/create`]: async (body, { api }) => {
    const { name, config } = parseCreateResourceGroup(body);
    await api.createResourceGroup(name, config ? { config } : {});
    return ok({});
  },
  [`${V2}/resource_groups/drop`]: async (body, { api }) => { await api.dropResourceGroup(parseResourceGroupName(body)); return ok({}); },
  [`${V2}/resource_groups/list`]: async (body, { api }) => { parseListResourceGroups(body); return ok(await api.listResourceGroups()); },
  [`${V2}/resource_groups/describe`]: async (body, { api }) => ok({ resource_group: await api.describeResourceGroup(parseResourceGroupName(body)) }),
  [`${V2}/resource_groups/alter`]: async (body, { api }) => { await api.updateResourceGroups(parseAlterResourceGroups(body)); return ok({}); },
  [`${V2}/resource_groups/transfer_replica`]: async (body, { api }) => {
    const { source, target, collectionName, replicaNum } = parseTransferReplica(body);
    await api.transferReplica(source, target, collectionName, replicaNum);
    return ok({});
  },
};
