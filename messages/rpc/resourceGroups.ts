import { need, needAll, type Checks } from './protocol.js';

/** The group every query node starts in (Milvus's name). */
export const DEFAULT_RESOURCE_GROUP = '__default_resource_group';

/** A resource group's config, in Milvus's shape (pymilvus ResourceGroupConfig); a field left out keeps its value. */
export interface ResourceGroupConfig {
  requests?: { node_num: number };
  limits?: { node_num: number };
  transfer_from?: Array<{ resource_group: string }>;
  transfer_to?: Array<{ resource_group: string }>;
}

/** What describe_resource_group reports (Milvus's ResourceGroupInfo). */
export interface ResourceGroupInfo {
  name: string;
  /** requests.node_num, as Milvus reports it. */
  capacity: number;
  num_available_node: number;
  /** Loaded replicas in the group, by collection name. */
  num_loaded_replica: Record<string, number>;
  /** Nodes lent to, or borrowed from, other groups' replicas: nuthatch's replicas use their own group's nodes only, so always {}. */
  num_outgoing_node: Record<string, number>;
  num_incoming_node: Record<string, number>;
  config: Required<ResourceGroupConfig>;
  nodes: Array<{ node_id: string; address: string; hostname: string }>;
}

type Db = string | null;

/** Resource groups of query nodes, kept by the coordinator (coordinator/core/resourceGroups.ts). */
export type ResourceGroupProtocol = {
  createResourceGroup: { req: { name: string; config?: ResourceGroupConfig | null }; res: null };
  /** Refused for the default group, a group that holds replicas, and a group whose limits.node_num is not 0 (Milvus's rule). */
  dropResourceGroup: { req: { name: string }; res: null };
  listResourceGroups: { req: Record<string, never>; res: string[] };
  describeResourceGroup: { req: { name: string }; res: ResourceGroupInfo };
  /** Sets the configs of several groups at once (one placement run after). */
  updateResourceGroups: { req: { configs: Record<string, ResourceGroupConfig> }; res: null };
  /** Moves `numReplicas` replicas of a loaded collection from one group to another. */
  transferReplica: { req: { dbName?: Db; sourceGroup: string; targetGroup: string; collection: string; numReplicas: number }; res: null };
};

export const resourceGroupChecks: Checks<ResourceGroupProtocol> = {
  createResourceGroup: (o) => { needAll(o, { name: 'string' }); if (o.config !== undefined && o.config !== null) need(o, 'config', 'object'); },
  dropResourceGroup: (o) => needAll(o, { name: 'string' }),
  listResourceGroups: () => {},
  describeResourceGroup: (o) => needAll(o, { name: 'string' }),
  updateResourceGroups: (o) => needAll(o, { configs: 'object' }),
  transferReplica: (o) => {
    needAll(o, { sourceGroup: 'string', targetGroup: 'string', collection: 'string', numReplicas: 'number' });
    if (o.dbName !== undefined && o.dbName !== null) need(o, 'dbName', 'string');
  },
};
