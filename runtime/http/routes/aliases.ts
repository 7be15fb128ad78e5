import { parseAliasName, parseAliasRef, parseListAliases } from '../parseAliases.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/aliases/* */
export const aliasRoutes: Record<string, Route> = {
  [`${V2}/aliases/create`]: async (body, { api }) => {
    const a = parseAliasRef(body);
    await api.createAlias(a.collectionName, a.aliasName);
    return ok({});
  },
  [`${V2}/aliases/alter`]: async (body, { api, schemas }) => {
    const a = parseAliasRef(body);
    await api.alterAlias(a.collectionName, a.aliasName);
    schemas.forget(a.aliasName);
    return ok({});
  },
  [`${V2}/aliases/drop`]: async (body, { api, schemas }) => {
    const alias = parseAliasName(body);
    await api.dropAlias(alias);
    schemas.forget(alias);
    return ok({});
  },
  [`${V2}/aliases/describe`]: async (body, { api, db }) => {
    const d = await api.describeAlias(parseAliasName(body));
    return ok({ dbName: db, aliasName: d.alias, collectionName: d.collectionName });
  },
  [`${V2}/aliases/list`]: async (body, { api }) => ok(await api.listAliases(parseListAliases(body))),
};
