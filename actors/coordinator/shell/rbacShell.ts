import { NuthatchError } from '../../../messages/errors.js';
import type { RbacProtocol } from '../../../messages/rpc/rbac.js';
import type { MetaStore } from '../../../runtime/ports/metaStore.js';
import type { Handlers } from '../../../runtime/rpc/typedBus.js';
import { USER_ROOT } from '../core/privileges.js';
import * as groups from '../core/privilegeGroups.js';
import type { PrivilegeGroupRecord } from '../core/privilegeGroups.js';
import * as rbac from '../core/rbac.js';
import type { RbacState, RoleRecord, UserRecord } from '../core/rbac.js';
import { makeLock } from './context.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';
import { DECOY_CREDENTIAL, hashPassword, verifyPassword } from './passwordHash.js';

/** Milvus's default root password (common.security.defaultRootPassword). */
export const DEFAULT_ROOT_PASSWORD = 'Milvus';

/**
 * The coordinator's users, roles and custom privilege groups: decided by core/rbac.ts under one lock,
 * written to the meta store, then applied in memory, so a restart reads back
 * what was acknowledged. The first start makes root (with the configured
 * password) and the built-in roles admin and public.
 */
export class RbacShell {
  private readonly lock = makeLock();
  private constructor(private readonly meta: MetaStore, private readonly s: RbacState, private readonly announce: () => void) {}

  /** `announce` tells the gateways that users or roles changed (after the change is stored). */
  static async open(meta: MetaStore, announce: () => void, rootPassword = DEFAULT_ROOT_PASSWORD): Promise<RbacShell> {
    const s = rbac.emptyRbac();
    for (const u of await listRecords<UserRecord>(meta, Keys.users)) s.users.set(u.name, u);
    for (const r of await listRecords<RoleRecord>(meta, Keys.roles)) s.roles.set(r.name, r);
    for (const g of await listRecords<PrivilegeGroupRecord>(meta, Keys.privilegeGroups)) s.groups.set(g.name, g);
    const shell = new RbacShell(meta, s, announce);
    for (const r of rbac.BUILT_IN_ROLES) if (!s.roles.has(r.name)) await shell.putRole(r);
    if (!(await getRecord<UserRecord>(meta, Keys.user(USER_ROOT)))) {
      rbac.checkPassword(rootPassword, 'root password');
      await shell.putUser({ name: USER_ROOT, credential: await hashPassword(rootPassword), roles: [] });
    }
    return shell;
  }

  private async putUser(u: UserRecord): Promise<void> { await putRecord(this.meta, Keys.user(u.name), u); this.s.users.set(u.name, u); }
  private async putRole(r: RoleRecord): Promise<void> { await putRecord(this.meta, Keys.role(r.name), r); this.s.roles.set(r.name, r); }
  private async putGroup(g: PrivilegeGroupRecord): Promise<void> { await putRecord(this.meta, Keys.privilegeGroup(g.name), g); this.s.groups.set(g.name, g); }

  /** Runs a change under the lock and announces it; answers null (the protocol's "done"). */
  private change(fn: () => Promise<void>): Promise<null> { return this.lock(fn).then(() => { this.announce(); return null; }); }

  /** Whether `password` is the user's; a wrong one and an unknown user take the same time and get the same answer. */
  private async verify(user: string, password: string): Promise<boolean> {
    const u = this.s.users.get(user);
    const ok = await verifyPassword(password, u?.credential ?? DECOY_CREDENTIAL);
    return ok && u !== undefined;
  }

  handlers(): Handlers<RbacProtocol> {
    const s = this.s;
    return {
      createUser: ({ user, password }) => this.change(async () => {
        rbac.decideCreateUser(s, user, password);
        await this.putUser({ name: user, credential: await hashPassword(password), roles: [] });
      }),
      dropUser: ({ user }) => this.change(async () => {
        rbac.decideDropUser(s, user);
        await this.meta.delete(Keys.user(user));
        s.users.delete(user);
      }),
      listUsers: () => [...s.users.keys()].sort(),
      describeUser: ({ user }) => ({ userName: user, roles: [...rbac.userOf(s, user).roles] }),
      updatePassword: ({ user, oldPassword, newPassword }) => this.change(async () => {
        const u = rbac.decideUpdatePassword(s, user, newPassword);
        if (!(await this.verify(user, oldPassword))) throw new NuthatchError('Unauthenticated', `old password not correct for user '${user}'`, { user });
        await this.putUser({ ...u, credential: await hashPassword(newPassword) });
      }),
      createRole: ({ role }) => this.change(() => this.putRole(rbac.decideCreateRole(s, role))),
      dropRole: ({ role, force }) => this.change(async () => {
        for (const u of rbac.decideDropRole(s, role, force === true)) await this.putUser(u);
        await this.meta.delete(Keys.role(role));
        s.roles.delete(role);
      }),
      listRoles: () => [...s.roles.keys()].sort(),
      describeRole: ({ role }) => rbac.roleOf(s, role).grants,
      grantRole: ({ user, role }) => this.change(() => this.putUser(rbac.decideGrantRole(s, user, role))),
      revokeRole: ({ user, role }) => this.change(() => this.putUser(rbac.decideRevokeRole(s, user, role))),
      grantPrivilege: ({ role, grant }) => this.change(() => this.putRole(rbac.decideGrantPrivilege(s, role, grant))),
      revokePrivilege: ({ role, grant }) => this.change(() => this.putRole(rbac.decideRevokePrivilege(s, role, grant))),
      grantPrivilegeV2: ({ role, grant }) => this.change(() => this.putRole(rbac.decideGrantPrivilegeV2(s, role, grant))),
      revokePrivilegeV2: ({ role, grant }) => this.change(() => this.putRole(rbac.decideRevokePrivilegeV2(s, role, grant))),
      createPrivilegeGroup: ({ group }) => this.change(() => this.putGroup(groups.decideCreateGroup(s.groups, group))),
      dropPrivilegeGroup: ({ group }) => this.change(async () => {
        groups.decideDropGroup(s.groups, s.roles.values(), group);
        await this.meta.delete(Keys.privilegeGroup(group));
        s.groups.delete(group);
      }),
      listPrivilegeGroups: () => groups.listGroups(s.groups),
      addPrivilegesToGroup: ({ group, privileges }) => this.change(() => this.putGroup(groups.decideAddPrivileges(s.groups, group, privileges))),
      removePrivilegesFromGroup: ({ group, privileges }) => this.change(() => this.putGroup(groups.decideRemovePrivileges(s.groups, group, privileges))),
      authenticate: async ({ user, password }) => {
        if (!(await this.verify(user, password))) throw new NuthatchError('Unauthenticated', 'user hasn\'t authenticated: wrong user name or password');
        return rbac.accessOf(s, user);
      },
    };
  }
}
