import { parseEmpty, parseUpdatePassword, parseUserName, parseUserPassword, parseUserRole } from '../parseRbac.js';
import { ok } from '../responses.js';
import { V2, type RbacRoute } from './route.js';

/** /v2/vectordb/users/* (Milvus's user management). A change makes the gateway forget cached access. */
export const userRoutes: Record<string, RbacRoute> = {
  [`${V2}/users/create`]: async (body, { rbac }) => {
    const u = parseUserPassword(body);
    await rbac.createUser(u.userName, u.password);
    return ok({});
  },
  [`${V2}/users/drop`]: async (body, { rbac, accessChanged }) => {
    await rbac.dropUser(parseUserName(body));
    accessChanged();
    return ok({});
  },
  [`${V2}/users/list`]: async (body, { rbac }) => { parseEmpty(body); return ok(await rbac.listUsers()); },
  // Milvus answers with the user's roles.
  [`${V2}/users/describe`]: async (body, { rbac }) => ok((await rbac.describeUser(parseUserName(body))).roles),
  [`${V2}/users/update_password`]: async (body, { rbac, accessChanged }) => {
    const u = parseUpdatePassword(body);
    await rbac.updatePassword(u.userName, u.password, u.newPassword);
    accessChanged();
    return ok({});
  },
  [`${V2}/users/grant_role`]: async (body, { rbac, accessChanged }) => {
    const u = parseUserRole(body);
    await rbac.grantRole(u.userName, u.roleName);
    accessChanged();
    return ok({});
  },
  [`${V2}/users/revoke_role`]: async (body, { rbac, accessChanged }) => {
    const u = parseUserRole(body);
    await rbac.revokeRole(u.userName, u.roleName);
    accessChanged();
    return ok({});
  },
};
