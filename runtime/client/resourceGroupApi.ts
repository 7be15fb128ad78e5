import type { ResourceGroupConfig, ResourceGroupInfo } from '../../messages/rpc/resourceGroups.js';

export { DEFAULT_RESOURCE_GROUP, type ResourceGroupConfig, type ResourceGroupInfo } from '../../messages/rpc/resourceGroups.js';

/**
 * Resource groups of query nodes, by Milvus's operations (pymilvus
 * create_resource_group, update_resource_groups, transfer_replica, ...). Every
 * query node is in one group (`__default_resource_group` unless another asks
 * for it); a loaded replica uses nodes of its group only. Errors:
 * ResourceGroupNotFound, ResourceGroupExists, ResourceGroupNotEmpty (drop of a
 * group with replicas or limits.node_num > 0), ResourceGroupNodeNotEnough (fewer
 * nodes than replicas), InvalidArgument (names, counts, the default group's drop).
 */
export interface ResourceGroupApi {
  /** A new group; without a config it asks for no node (requests and limits 0). */
  createResourceGroup(name: string, opts?: { config?: ResourceGroupConfig }): Promise<void>;
  dropResourceGroup(name: string): Promise<void>;
  listResourceGroups(): Promise<string[]>;
  /** capacity, num_available_node, num_loaded_replica (by collection), config, nodes: as Milvus reports them. */
  describeResourceGroup(name: string): Promise<ResourceGroupInfo>;
  /** New configs by group name; a field a config leaves out keeps its value. */
  updateResourceGroups(configs: Record<string, ResourceGroupConfig>): Promise<void>;
  /** Moves `numReplicas` replicas of a loaded collection (in this database) from one group to another. */
  transferReplica(sourceGroup: string, targetGroup: string, collectionName: string, numReplicas: number): Promise<void>;
}

/** How a load places the collection (Milvus's load_collection replica_number and _resource_groups). */
export interface LoadOptions {
  /** How many replicas serve it (default: the collection's, else the database's database.replica.number, else the cluster's). */
  replicaNumber?: number;
  /** Older name of replicaNumber. */
  replicas?: number;
  /** One group: every replica there; several: one replica in each. Default: the default group. */
  resourceGroups?: string[];
  /**
   * Milvus's load_fields: only these fields are loaded (the primary key, the partition key and a vector
   * field at least); a search or query naming another is refused with FieldNotLoaded. Default: every field.
   */
  loadFields?: string[];
  /** Milvus's skip_load_dynamic_field: the dynamic fields ($meta) stay out of memory. */
  skipLoadDynamicField?: boolean;
}
