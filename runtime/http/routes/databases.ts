import { parseDatabaseName, parseDatabaseProperties, parseDropDatabaseProperties, parseListDatabases } from '../parseDatabases.js';
import { ok } from '../responses.js';
import { V2, type Route } from './route.js';

/** /v2/vectordb/databases/*: here `dbName` names the database acted on. */
export const databaseRoutes: Record<string, Route> = {
  [`${V2}/databases/create`]: async (body, { api }) => {
    const { dbName, properties } = parseDatabaseProperties(body, false);
    await api.createDatabase(dbName, properties);
    return ok({});
  },
  [`${V2}/databases/drop`]: async (body, { api }) => { await api.dropDatabase(parseDatabaseName(body)); return ok({}); },
  [`${V2}/databases/list`]: async (body, { api }) => { parseListDatabases(body); return ok(await api.listDatabases()); },
  [`${V2}/databases/describe`]: async (body, { api }) => {
    const d = await api.describeDatabase(parseDatabaseName(body));
    return ok({ dbName: d.dbName, dbID: d.dbId, createdTimestamp: d.createdTimestamp, properties: d.properties });
  },
  [`${V2}/databases/alter`]: async (body, { api }) => {
    const { dbName, properties } = parseDatabaseProperties(body, true);
    await api.alterDatabaseProperties(dbName, properties);
    return ok({});
  },
  [`${V2}/databases/drop_properties`]: async (body, { api }) => {
    const { dbName, keys } = parseDropDatabaseProperties(body);
    await api.dropDatabaseProperties(dbName, keys);
    return ok({});
  },
};
