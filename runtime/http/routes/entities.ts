import { DEFAULT_QUERY_PAGE, parseDelete, parseGet, parseHybridSearch, parseQuery, parseSearch, parseWrite } from '../parseEntities.js';
import { decodeQueryCursor, encodeQueryCursor } from '../queryCursor.js';
import { aggregationBody, insertBody, ok, rowsBody, searchBody, upsertBody } from '../responses.js';
import { checkIds, checkOutputFields, checkRows, checkSearch, checkSearchIds } from '../schemaChecks.js';
import { V2, type Route } from './route.js';

/**
 * /v2/vectordb/entities/*. Each request is parsed without the schema, then
 * checked against the collection's schema (from the cache), then sent.
 */
export const entityRoutes: Record<string, Route> = {
  [`${V2}/entities/insert`]: async (body, { api, schemas }) => {
    const w = parseWrite(body);
    const rows = await schemas.check(w.collectionName, (s, rules) => checkRows(s, w.rows, 'insert', rules));
    return ok(insertBody(await api.insert(w.collectionName, rows, w.partitionName)));
  },
  [`${V2}/entities/upsert`]: async (body, { api, schemas }) => {
    const w = parseWrite(body, 'upsert');
    const rows = await schemas.check(w.collectionName, (s, rules) => checkRows(s, w.rows, w.partialUpdate ? 'partial' : 'upsert', rules));
    return ok(upsertBody(await api.upsert(w.collectionName, rows, w.partitionName, w.partialUpdate ? { partialUpdate: true } : {})));
  },
  [`${V2}/entities/delete`]: async (body, { api }) => {
    const { collectionName, ...req } = parseDelete(body);
    await api.delete(collectionName, req);
    return ok({});
  },
  [`${V2}/entities/get`]: async (body, { api, schemas }) => {
    const g = parseGet(body);
    const [ids, outputFields] = await schemas.check(g.collectionName, (s) => [checkIds(s, g.ids), checkOutputFields(s, g.opts.outputFields)] as const);
    if (outputFields) g.opts.outputFields = outputFields;
    return ok(rowsBody(await api.get(g.collectionName, ids, g.opts)));
  },
  [`${V2}/entities/query`]: async (body, { api, schemas }) => {
    const { collectionName, request, cursor } = parseQuery(body);
    const outputFields = await schemas.check(collectionName, (s) => checkOutputFields(s, request.outputFields));
    if (outputFields) request.outputFields = outputFields;
    if (cursor === undefined) return ok(rowsBody(await api.query(collectionName, request)));
    // A page of a walk in key order (or orderByFields'): the iterator resumes where the cursor left it, at the cursor's snapshot.
    const { limit, offset: _, ...read } = request;
    const it = await api.queryIterator(collectionName, { ...read, batchSize: limit ?? DEFAULT_QUERY_PAGE, ...(cursor === '' ? {} : { resume: decodeQueryCursor(cursor) }) });
    const rows = await it.next();
    const next = it.position();
    return ok(rowsBody(rows), next ? { nextCursor: encodeQueryCursor(next) } : {});
  },
  [`${V2}/entities/search`]: async (body, { api, schemas }) => {
    const { collectionName, request } = parseSearch(body);
    const outputFields = await schemas.check(collectionName, (s) => {
      checkSearch(s, request);
      if (request.ids) request.ids = checkSearchIds(s, request.ids);
      return checkOutputFields(s, request.outputFields);
    });
    if (outputFields) request.outputFields = outputFields;
    if (request.aggregation !== undefined) return aggregationBody(await api.search(collectionName, { ...request, aggregation: request.aggregation }));
    return searchBody(await api.search(collectionName, request));
  },
  [`${V2}/entities/hybrid_search`]: async (body, { api, schemas }) => {
    const { collectionName, request } = parseHybridSearch(body);
    const outputFields = await schemas.check(collectionName, (s) => {
      request.searches.forEach((x, i) => checkSearch(s, x, `search[${i}].`));
      return checkOutputFields(s, request.outputFields);
    });
    if (outputFields) request.outputFields = outputFields;
    if (request.aggregation !== undefined) return aggregationBody(await api.hybridSearch(collectionName, { ...request, aggregation: request.aggregation }));
    return searchBody(await api.hybridSearch(collectionName, request));
  },
};
