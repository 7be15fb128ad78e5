import { asNuthatchError, NuthatchError } from '../../../messages/errors.js';
import { isAllowed, type Access } from '../../../actors/coordinator/core/privileges.js';
import type { RbacApi } from '../../client/rbacApi.js';
import { requirementOf } from '../routePrivileges.js';
import { AccessCache } from './accessCache.js';
import { credentialsOf, NOT_AUTHENTICATED } from './credentials.js';

/**
 * Authentication and authorization at the gateway, the public edge (Milvus's
 * proxy): a request's credentials are verified by the coordinator (cached
 * briefly), then the privilege its endpoint needs is checked against the
 * user's grants here, before the request runs.
 */
export class GatewayAuth {
  private readonly cache: AccessCache;

  constructor(private readonly rbac: RbacApi, opts: { ttlMs?: number; now?: () => number } = {}) {
    this.cache = new AccessCache(opts.ttlMs, opts.now);
  }

  /** The access of the `Authorization` header's user; Unauthenticated when missing or wrong. */
  async authenticate(header: string | undefined): Promise<Access> {
    const { user, password } = credentialsOf(header);
    const cached = this.cache.get(user, password);
    if (cached) return cached;
    let access: Access;
    try {
      access = await this.rbac.authenticate(user, password);
    } catch (e) {
      const err = asNuthatchError(e);
      // One answer for an unknown user and a wrong password.
      throw err.code === 'Unauthenticated' ? new NuthatchError('Unauthenticated', `${NOT_AUTHENTICATED}: wrong user name or password`) : err;
    }
    this.cache.set(user, password, access);
    return access;
  }

  /**
   * The PermissionDenied error when `access` may not make this request, naming
   * the privilege it lacks. A collection named through an alias is checked as
   * the collection too (`aliasTarget`), as grants name collections.
   */
  async denial(access: Access, path: string, body: unknown, aliasTarget: (name: string) => Promise<string | undefined>): Promise<NuthatchError | undefined> {
    const r = requirementOf(path, body);
    if (r === null || isAllowed(access, r)) return undefined;
    if (r.objectType === 'Collection' && r.objectName !== '') {
      const target = await aliasTarget(r.objectName);
      if (target !== undefined && isAllowed(access, { ...r, objectName: target })) return undefined;
    }
    const on = r.objectName === '*' ? r.objectType : `${r.objectType} '${r.objectName}'`;
    return new NuthatchError('PermissionDenied', `permission denied: user '${access.user}' lacks privilege ${r.privilege} on ${on} in database '${r.dbName}'`, { ...r, user: access.user });
  }

  /** Users and roles changed through this gateway: cached access is asked for again. */
  forget(): void { this.cache.forget(); }
}
