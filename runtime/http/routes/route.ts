import type { NuthatchApi } from '../../client/api.js';
import type { RbacApi } from '../../client/rbacApi.js';
import type { OkBody } from '../responses.js';
import type { Schemas } from '../SchemaCache.js';

/**
 * What a route handler may use: the api it serves, bound to the request's
 * database (`db`, from its `dbName`), and the gateway's schema cache in that database.
 */
export interface RouteContext { api: NuthatchApi; db: string; schemas: Schemas }

/** A POST endpoint: the parsed JSON body in, a success body out; failures are thrown. */
export type Route = (body: unknown, ctx: RouteContext) => Promise<OkBody>;

/** What a user or role endpoint uses: the users-and-roles api, and a hook to call once access changed. */
export interface RbacContext { rbac: RbacApi; accessChanged: () => void }
export type RbacRoute = (body: unknown, ctx: RbacContext) => Promise<OkBody>;

/** Every endpoint of the v2 API starts with this. */
export const V2 = '/v2/vectordb';
