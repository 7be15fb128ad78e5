import { parseDropRole, parseEmpty, parsePrivilege, parsePrivilegeV2, parseRoleName } from '../parseRbac.js';
import { ok } from '../responses.js';
import { V2, type RbacRoute } from './route.js';

/** /v2/vectordb/roles/* (Milvus's role management). A change makes the gateway forget cached access. */
export const roleRoutes: Record<string, RbacRoute> = {
  [`${V2}/roles/create`]: async (body, { rbac }) => { await rbac.createRole(parseRoleName(body)); return ok({}); },
  [`${V2}/roles/drop`]: async (body, { rbac, accessChanged }) => {
    const r = parseDropRole(body);
    await rbac.dropRole(r.roleName, { forceDrop: r.forceDrop });
    accessChanged();
    return ok({});
  },
  [`${V2}/roles/list`]: async (body, { rbac }) => { parseEmpty(body); return ok(await rbac.listRoles()); },
  // The role's grants, each `{objectType, objectName, privilege, dbName}`.
  [`${V2}/roles/describe`]: async (body, { rbac }) => ok(await rbac.describeRole(parseRoleName(body))),
  [`${V2}/roles/grant_privilege`]: async (body, { rbac, accessChanged }) => {
    const p = parsePrivilege(body);
    await rbac.grantPrivilege(p.roleName, p.objectType, p.privilege, p.objectName, p.dbName);
    accessChanged();
    return ok({});
  },
  [`${V2}/roles/revoke_privilege`]: async (body, { rbac, accessChanged }) => {
    const p = parsePrivilege(body);
    await rbac.revokePrivilege(p.roleName, p.objectType, p.privilege, p.objectName, p.dbName);
    accessChanged();
    return ok({});
  },
  // Milvus 2.5: a privilege or group on dbName ('*') and collectionName ('*').
  [`${V2}/roles/grant_privilege_v2`]: async (body, { rbac, accessChanged }) => {
    await rbac.grantPrivilegeV2(parsePrivilegeV2(body));
    accessChanged();
    return ok({});
  },
  [`${V2}/roles/revoke_privilege_v2`]: async (body, { rbac, accessChanged }) => {
    await rbac.revokePrivilegeV2(parsePrivilegeV2(body));
    accessChanged();
    return ok({});
  },
};
