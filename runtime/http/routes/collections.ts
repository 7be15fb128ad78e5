import { parseAlterProperties, parseCollectionName, parseCompact, parseCompactionId, parseDropProperties, parseListCollections, parseLoad, parseLoadState, parseRename, parseAddField, parseAlterField, parseDropField } from '../parseCollections.js';
import { parseCreateCollection } from '../parseCreateCollection.js';
import { parseAddFunction, parseAlterFunction, parseDropFunction } from '../parseFunctions.js';
import { describeCollectionBody, ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/collections/* */
export const collectionRoutes: Record<string, Route> = {
  [`${V2}/collections/create`]: async (body, { api, schemas }) => {
    const req = parseCreateCollection(body);
    schemas.forget(req.collectionName);
    await api.createCollection(req);
    return ok({});
  },
  [`${V2}/collections/describe`]: async (body, { api }) => ok(describeCollectionBody(await api.describeCollection(parseCollectionName(body)))),
  [`${V2}/collections/list`]: async (body, { api }) => { parseListCollections(body); return ok(await api.listCollections()); },
  [`${V2}/collections/has`]: async (body, { api }) => ok({ has: await api.hasCollection(parseCollectionName(body)) }),
  [`${V2}/collections/drop`]: async (body, { api, schemas }) => {
    const name = parseCollectionName(body);
    schemas.forget(name);
    await api.dropCollection(name);
    return ok({});
  },
  [`${V2}/collections/truncate`]: async (body, { api }) => { await api.truncateCollection(parseCollectionName(body)); return ok({}); },
  [`${V2}/collections/get_stats`]: async (body, { api }) => {
    const { rowCount } = await api.getCollectionStats(parseCollectionName(body));
    return ok({ rowCount });
  },
  [`${V2}/collections/load`]: async (body, { api }) => {
    const { collectionName, ...placement } = parseLoad(body);
    await api.loadCollection(collectionName, placement);
    return ok({});
  },
  [`${V2}/collections/release`]: async (body, { api }) => { await api.releaseCollection(parseCollectionName(body)); return ok({}); },
  [`${V2}/collections/refresh_load`]: async (body, { api }) => { await api.refreshLoad(parseCollectionName(body)); return ok({}); },
  [`${V2}/collections/get_load_state`]: async (body, { api }) => {
    const { collectionName, partitionNames } = parseLoadState(body);
    const { loadState, loadProgress, loadFields, skipLoadDynamicField } = await api.getLoadState(collectionName, partitionNames);
    return ok({ loadState, loadProgress, ...(loadFields ? { loadFields, skipLoadDynamicField } : {}) });
  },
  [`${V2}/collections/flush`]: async (body, { api }) => { await api.flush(parseCollectionName(body)); return ok({}); },
  [`${V2}/collections/rename`]: async (body, { api, schemas }) => {
    const { collectionName, newName, newDbName } = parseRename(body);
    schemas.forget(collectionName);
    await api.renameCollection(collectionName, newName, newDbName);
    return ok({});
  },
  [`${V2}/collections/fields/add`]: async (body, { api, schemas }) => {
    const { collectionName, field } = parseAddField(body);
    await api.addCollectionField(collectionName, field);
    schemas.forget(collectionName);
    return ok({});
  },
  [`${V2}/collections/fields/alter_properties`]: async (body, { api, schemas }) => {
    const req = parseAlterField(body);
    await api.alterCollectionField(req);
    schemas.forget(req.collectionName);
    return ok({});
  },
  [`${V2}/collections/fields/drop`]: async (body, { api, schemas }) => {
    const req = parseDropField(body);
    await api.dropCollectionField(req);
    schemas.forget(req.collectionName);
    return ok({});
  },
  [`${V2}/collections/functions/add`]: async (body, { api, schemas }) => {
    const req = parseAddFunction(body);
    await api.addCollectionFunction(req);
    schemas.forget(req.collectionName);
    return ok({});
  },
  [`${V2}/collections/functions/alter`]: async (body, { api, schemas }) => {
    const req = parseAlterFunction(body);
    await api.alterCollectionFunction(req);
    schemas.forget(req.collectionName);
    return ok({});
  },
  [`${V2}/collections/functions/drop`]: async (body, { api, schemas }) => {
    const req = parseDropFunction(body);
    await api.dropCollectionFunction(req);
    schemas.forget(req.collectionName);
    return ok({});
  },
  [`${V2}/collections/alter_properties`]: async (body, { api }) => {
    const { collectionName, properties } = parseAlterProperties(body);
    await api.alterCollectionProperties(collectionName, properties);
    return ok({});
  },
  [`${V2}/collections/drop_properties`]: async (body, { api }) => {
    const { collectionName, keys } = parseDropProperties(body);
    await api.dropCollectionProperties(collectionName, keys);
    return ok({});
  },
  [`${V2}/collections/compact`]: async (body, { api }) => ok(await api.compact(parseCompact(body))),
  [`${V2}/collections/get_compaction_state`]: async (body, { api }) => {
    const compactionID = parseCompactionId(body);
    return ok({ compactionID, ...(await api.getCompactionState(compactionID)) });
  },
};
