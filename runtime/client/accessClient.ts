import type { Access, Grant, PrivilegeGroupInfo, PrivilegeV2Request } from './rbacApi.js';
import type { ResourceGroupConfig, ResourceGroupInfo } from './resourceGroupApi.js';
import { RBAC_CHANGED_SUBJECT } from '../../messages/rpc/rbac.js';
import { CatalogClient } from './catalogClient.js';

/** Resource groups, users, roles, privileges and privilege groups (RbacApi, ResourceGroupApi), kept by the coordinator. */
export abstract class AccessClient extends CatalogClient {
  // Resource groups (ResourceGroupApi): kept by the coordinator.
  async createResourceGroup(name: string, opts: { config?: ResourceGroupConfig } = {}): Promise<void> { await this.call('createResourceGroup', { name, ...(opts.config ? { config: opts.config } : {}) }); }

  async dropResourceGroup(name: string): Promise<void> { await this.call('dropResourceGroup', { name }); }

  listResourceGroups(): Promise<string[]> { return this.call('listResourceGroups', {}); }

  describeResourceGroup(name: string): Promise<ResourceGroupInfo> { return this.call('describeResourceGroup', { name }); }

  async updateResourceGroups(configs: Record<string, ResourceGroupConfig>): Promise<void> { await this.call('updateResourceGroups', { configs }); }

  async transferReplica(sourceGroup: string, targetGroup: string, collectionName: string, numReplicas: number): Promise<void> {
    await this.call('transferReplica', { dbName: this.dbName, sourceGroup, targetGroup, collection: collectionName, numReplicas });
  }

  // Users and roles (RbacApi): kept by the coordinator.
  async createUser(user: string, password: string): Promise<void> { await this.call('createUser', { user, password }); }

  async dropUser(user: string): Promise<void> { await this.call('dropUser', { user }); }

  listUsers(): Promise<string[]> { return this.call('listUsers', {}); }

  describeUser(user: string): Promise<{ userName: string; roles: string[] }> { return this.call('describeUser', { user }); }

  async updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void> { await this.call('updatePassword', { user, oldPassword, newPassword }); }

  async createRole(role: string): Promise<void> { await this.call('createRole', { role }); }

  async dropRole(role: string, opts: { forceDrop?: boolean } = {}): Promise<void> { await this.call('dropRole', { role, force: opts.forceDrop === true }); }

  listRoles(): Promise<string[]> { return this.call('listRoles', {}); }

  describeRole(role: string): Promise<Grant[]> { return this.call('describeRole', { role }); }

  async grantRole(user: string, role: string): Promise<void> { await this.call('grantRole', { user, role }); }

  async revokeRole(user: string, role: string): Promise<void> { await this.call('revokeRole', { user, role }); }

  async grantPrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void> {
    await this.call('grantPrivilege', { role, grant: { objectType, privilege, objectName, ...(dbName === undefined ? {} : { dbName }) } });
  }

  async revokePrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void> {
    await this.call('revokePrivilege', { role, grant: { objectType, privilege, objectName, ...(dbName === undefined ? {} : { dbName }) } });
  }

  async createPrivilegeGroup(group: string): Promise<void> { await this.call('createPrivilegeGroup', { group }); }

  async dropPrivilegeGroup(group: string): Promise<void> { await this.call('dropPrivilegeGroup', { group }); }

  listPrivilegeGroups(): Promise<PrivilegeGroupInfo[]> { return this.call('listPrivilegeGroups', {}); }

  async addPrivilegesToGroup(group: string, privileges: string[]): Promise<void> { await this.call('addPrivilegesToGroup', { group, privileges }); }

  async removePrivilegesFromGroup(group: string, privileges: string[]): Promise<void> { await this.call('removePrivilegesFromGroup', { group, privileges }); }

  async grantPrivilegeV2(r: PrivilegeV2Request): Promise<void> {
    await this.call('grantPrivilegeV2', { role: r.role, grant: { privilege: r.privilege, collectionName: r.collectionName, ...(r.dbName === undefined ? {} : { dbName: r.dbName }) } });
  }

  async revokePrivilegeV2(r: PrivilegeV2Request): Promise<void> {
    await this.call('revokePrivilegeV2', { role: r.role, grant: { privilege: r.privilege, collectionName: r.collectionName, ...(r.dbName === undefined ? {} : { dbName: r.dbName }) } });
  }

  authenticate(user: string, password: string): Promise<Access> { return this.call('authenticate', { user, password }); }

  onAccessChange(listener: () => void): () => void {
    const sub = this.bus.subscribe(RBAC_CHANGED_SUBJECT, () => listener());
    return () => sub.unsubscribe();
  }
}
