import { parseEmpty, parsePrivilegeGroupChange, parsePrivilegeGroupName } from '../parseRbac.js';
import { ok } from '../responses.js';
import { V2, type RbacRoute } from './route.js';

/**
 * /v2/vectordb/privilege_groups/* (Milvus 2.5's custom privilege groups). A
 * change makes the gateway forget cached access: roles granted the group hold
 * its new privileges at once.
 */
export const privilegeGroupRoutes: Record<string, RbacRoute> = {
  [`${V2}/privilege_groups/create`]: async (body, { rbac }) => { await rbac.createPrivilegeGroup(parsePrivilegeGroupName(body)); return ok({}); },
  [`${V2}/privilege_groups/drop`]: async (body, { rbac, accessChanged }) => {
    await rbac.dropPrivilegeGroup(parsePrivilegeGroupName(body));
    accessChanged();
    return ok({});
  },
  // Milvus's shape: each group's privileges joined by commas.
  [`${V2}/privilege_groups/list`]: async (body, { rbac }) => {
    parseEmpty(body);
    const groups = await rbac.listPrivilegeGroups();
    return ok({ privilegeGroups: groups.map((g) => ({ privilegeGroupName: g.groupName, privileges: g.privileges.join(',') })) });
  },
  [`${V2}/privilege_groups/add_privileges_to_group`]: async (body, { rbac, accessChanged }) => {
    const r = parsePrivilegeGroupChange(body);
    await rbac.addPrivilegesToGroup(r.privilegeGroupName, r.privileges);
    accessChanged();
    return ok({});
  },
  [`${V2}/privilege_groups/remove_privileges_from_group`]: async (body, { rbac, accessChanged }) => {
    const r = parsePrivilegeGroupChange(body);
    await rbac.removePrivilegesFromGroup(r.privilegeGroupName, r.privileges);
    accessChanged();
    return ok({});
  },
};
