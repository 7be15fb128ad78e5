import { parseCreateIndex, parseDescribeIndex, parseDropIndex, parseListIndexes } from '../parseIndexes.js';
import { describeIndexesBody, ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/indexes/* */
export const indexRoutes: Record<string, Route> = {
  // Milvus takes a list of indexes in one request; the api creates one at a time, in order.
  [`${V2}/indexes/create`]: async (body, { api }) => {
    const { collectionName, indexes } = parseCreateIndex(body);
    for (const index of indexes) await api.createIndex(collectionName, index);
    return ok({});
  },
  [`${V2}/indexes/describe`]: async (body, { api }) => {
    const { collectionName, indexName } = parseDescribeIndex(body);
    return ok(describeIndexesBody(await api.describeIndex(collectionName, indexName)));
  },
  [`${V2}/indexes/list`]: async (body, { api }) => ok(await api.listIndexes(parseListIndexes(body))),
  [`${V2}/indexes/drop`]: async (body, { api }) => {
    const { collectionName, indexName } = parseDropIndex(body);
    await api.dropIndex(collectionName, indexName);
    return ok({});
  },
};
