import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NuthatchError } from '../../messages/index.js';
import type { NuthatchApi } from '../client/api.js';
import type { RbacApi } from '../client/rbacApi.js';
import { GatewayAuth } from './auth/gatewayAuth.js';
import { METRICS_PATH, respondWithMetrics } from '../metrics/metricsServer.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readBody } from './body.js';
import { GatewayMetrics, OTHER_ENDPOINT } from './gatewayMetrics.js';
import { errorBody, type OkBody } from './responses.js';
import type { Access } from '../../messages/rpc/rbac.js';
import { aliasRoutes } from './routes/aliases.js';
import { databaseRoutes } from './routes/databases.js';
import { requestDatabase } from './common.js';
import { collectionRoutes } from './routes/collections.js';
import { entityRoutes } from './routes/entities.js';
import { indexRoutes } from './routes/indexes.js';
import { partitionRoutes } from './routes/partitions.js';
import { jobRoutes } from './routes/jobs.js';
import { backupRoutes } from './routes/backups.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { privilegeGroupRoutes } from './routes/privilegeGroups.js';
import { roleRoutes } from './routes/roles.js';
import { resourceGroupRoutes } from './routes/resourceGroups.js';
import type { RbacContext, RbacRoute, Route, RouteContext } from './routes/route.js';
import { userRoutes } from './routes/users.js';
import { SchemaCache } from './SchemaCache.js';
import { closeServer, listen } from './serverLifecycle.js';

export interface HttpGatewayOptions {
  /** 0 picks a free port; `url` then tells which. */
  port: number;
  /** Default 127.0.0.1; give 0.0.0.0 to serve other machines. */
  host?: string;
  /** GET /healthz answers 200 while this returns true, 503 otherwise. Default: always ready. */
  isReady?: () => boolean;
  /** Where unexpected (Internal) errors are reported. Default: console.error. */
  log?: (...a: unknown[]) => void;
  /** Largest request body in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /** The process's metrics: GET /metrics serves them, and the gateway's own are added. Default: a private registry, not served. */
  metrics?: MetricsRegistry;
  /** Users, roles and privilege groups: serves /v2/vectordb/users/*, roles/* and privilege_groups/* over it. Needed by `auth`. */
  rbac?: RbacApi;
  /**
   * Authentication and privilege checks (Milvus's common.security.authorizationEnabled):
   * every API request must carry `Authorization: Bearer <user>:<password>` (401 otherwise)
   * and hold the privilege its endpoint needs (403 otherwise). Off by default.
   * `ttlMs`: how long verified credentials and access are cached (default 10 s).
   */
  auth?: { enabled: boolean; ttlMs?: number };
}

export interface HttpGateway { server: Server; url: string; close(): Promise<void> }

const ROUTES: ReadonlyMap<string, Route> = new Map(Object.entries({ ...collectionRoutes, ...partitionRoutes, ...indexRoutes, ...entityRoutes, ...aliasRoutes, ...jobRoutes, ...backupRoutes, ...snapshotRoutes, ...databaseRoutes, ...resourceGroupRoutes }));
/** Served when the gateway is given an RbacApi. */
const RBAC_ROUTES: ReadonlyMap<string, RbacRoute> = new Map(Object.entries({ ...userRoutes, ...roleRoutes, ...privilegeGroupRoutes }));

/** Paths the gateway serves (given an RbacApi), for documentation and tests. */
export const ENDPOINTS: readonly string[] = [...ROUTES.keys(), ...RBAC_ROUTES.keys()];

/**
 * Serves `api` over HTTP in the shape of Milvus's RESTful v2 API: every endpoint
 * is POST with a JSON body and answers HTTP 200 with `{code: 0, data}` or
 * `{code, message}` (with auth on, 401 or 403 when the caller is unknown or
 * lacks the privilege, as Milvus). Resolves once the server listens.
 */
export async function createHttpGateway(api: NuthatchApi, opts: HttpGatewayOptions): Promise<HttpGateway> {
  const schemas = new SchemaCache();
  /** The route's context: the api in the request's database. */
  const contextOf = (body: unknown): RouteContext => {
    const db = requestDatabase(body);
    const bound = db === api.dbName ? api : api.database(db);
    return { api: bound, db, schemas: schemas.for(bound) };
  };
  if (opts.auth?.enabled && !opts.rbac) throw new NuthatchError('InvalidArgument', 'auth needs the gateway to be given an RbacApi (opts.rbac)');
  const auth = opts.auth?.enabled ? new GatewayAuth(opts.rbac!, { ttlMs: opts.auth.ttlMs }) : undefined;
  const rbacCtx: RbacContext | undefined = opts.rbac ? { rbac: opts.rbac, accessChanged: () => auth?.forget() } : undefined;
  /** The collection an alias names in the request's database; undefined for a name that is no alias. */
  const aliasTargetIn = (a: NuthatchApi) => (name: string) => a.describeAlias(name).then((d) => d.collectionName, (e) => {
    if (e instanceof NuthatchError && (e.code === 'AliasNotFound' || e.code === 'InvalidArgument' || e.code === 'DatabaseNotFound')) return undefined;
    throw e;
  });
  const routeOf = (path: string): ((body: unknown) => Promise<OkBody>) | undefined => {
    const r = ROUTES.get(path);
    if (r) return (body) => r(body, contextOf(body));
    const m = rbacCtx && RBAC_ROUTES.get(path);
    return m ? (body) => m(body, rbacCtx!) : undefined;
  };
  const isReady = opts.isReady ?? (() => true);
  const log = opts.log ?? ((...a: unknown[]) => console.error(...a));
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metrics = new GatewayMetrics(opts.metrics ?? new MetricsRegistry());
  const server = createServer((req, res) => {
    // Probes and scrapes are not API requests: they are not counted.
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    handle(path, req, res).then((code) => { if (code !== undefined && path !== '/healthz') metrics.observe(routeOf(path) ? path : OTHER_ENDPOINT, code, started); })
      .catch((e) => { log('nuthatch http: response failed', e); res.destroy(); });
  });

  /** Answers; resolves with the body's code (undefined for a scrape), which API requests are counted by. */
  async function handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<number | void> {
    if (path === METRICS_PATH && opts.metrics) return respondWithMetrics(req, res, opts.metrics);
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, new NuthatchError('MalformedRequest', '/healthz takes GET'), { Allow: 'GET, HEAD' });
      const ready = isReady();
      return send(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable' });
    }
    const route = routeOf(path);
    if (!route) return fail(res, 404, new NuthatchError('NotFound', `unknown endpoint ${path}; endpoints live under /v2/vectordb/`));
    if (req.method !== 'POST') return fail(res, 405, new NuthatchError('MalformedRequest', `${path} takes POST, not ${req.method}`), { Allow: 'POST' });
    // As Milvus: no or wrong credentials -> 401, before the body is read.
    let access: Access | undefined;
    if (auth) {
      try {
        access = await auth.authenticate(req.headers.authorization);
      } catch (e) {
        const { body, error } = errorBody(e);
        if (error.code === 'Internal') log(`nuthatch http: authenticating for ${path} failed`, e);
        return send(res, error.code === 'Unauthenticated' ? 401 : 200, body);
      }
    }
    try {
      const body = parseJsonBody(await readBody(req, limit), req.headers['content-type']);
      // As Milvus: a privilege the user lacks -> 403, before the request runs.
      // The alias lookup binds the request's database only when asked: a users/roles body's dbName may be '*' (every database).
      const denied = auth && await auth.denial(access!, path, body, (name) => aliasTargetIn(contextOf(body).api)(name));
      if (denied) return fail(res, 403, denied);
      return send(res, 200, await route(body));
    } catch (e) {
      const { body, error } = errorBody(e);
      if (error.code === 'Internal') log(`nuthatch http: ${path} failed`, e);
      // The unread rest of an oversized body is not worth reading: answer and close.
      if (error.code === 'PayloadTooLarge') return send(res, 413, body, { Connection: 'close' });
      return send(res, 200, body);
    }
  }

  const url = await listen(server, opts.port, opts.host ?? '127.0.0.1');
  // Another gateway's (or a client's) change reaches this one's cache too.
  const unwatch = auth && opts.rbac!.onAccessChange?.(() => auth.forget());
  return { server, url, close: () => { unwatch?.(); return closeServer(server); } };
}

function fail(res: ServerResponse, status: number, e: NuthatchError, headers: Record<string, string> = {}): number {
  return send(res, status, { code: e.wireCode, message: e.message }, headers);
}

/** Sends `body` as JSON; returns its `code` (what the request metrics count). */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  if (res.headersSent || res.destroyed) return codeOf(body);
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    status = 200;
    body = errorBody(new NuthatchError('Internal', `response could not be encoded: ${(e as Error).message}`)).body;
    text = JSON.stringify(body);
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return codeOf(body);
}

const codeOf = (body: unknown): number => { const c = (body as { code?: unknown } | null)?.code; return typeof c === 'number' ? c : 0; };
