import type { ResourceGroupConfig } from '../../messages/rpc/resourceGroups.js';
import { DB_NAME, readCollectionName } from './common.js';
import { JsonReader } from './JsonReader.js';

/** Parsers of /v2/vectordb/resource_groups/{create,drop,describe,list,alter,transfer_replica} (Milvus's request shapes). */

const MAX_NODES = 1_000_000;

/** `{node_num}` */
function readLimit(r: JsonReader, key: string): { node_num: number } | undefined {
  const o = r.optObj(key, ['node_num']);
  return o && { node_num: o.int('node_num', 0, MAX_NODES) };
}

/** `[{resource_group}]` */
function readTransfers(r: JsonReader, key: string): Array<{ resource_group: string }> | undefined {
  if (!r.has(key)) return undefined;
  const list = r.raw(key);
  if (!Array.isArray(list)) throw r.wrong(key, 'a list of {resource_group}', list);
  return list.map((t, i) => ({ resource_group: JsonReader.object(t, `${r.at(key)}[${i}]`, ['resource_group']).str('resource_group') }));
}

/** A ResourceGroupConfig: `{requests: {node_num}, limits: {node_num}, transfer_from: [...], transfer_to: [...]}`. */
export function readConfig(v: unknown, path: string): ResourceGroupConfig {
  const r = JsonReader.object(v, path, ['requests', 'limits', 'transfer_from', 'transfer_to'], ['node_filter']);
  const requests = readLimit(r, 'requests'), limits = readLimit(r, 'limits');
  const from = readTransfers(r, 'transfer_from'), to = readTransfers(r, 'transfer_to');
  return { ...(requests && { requests }), ...(limits && { limits }), ...(from && { transfer_from: from }), ...(to && { transfer_to: to }) };
}

/** create: `{name, config?}`. */
export function parseCreateResourceGroup(body: unknown): { name: string; config?: ResourceGroupConfig } {
  const r = JsonReader.object(body, '', [DB_NAME, 'name', 'config']);
  const name = r.str('name');
  return r.has('config') ? { name, config: readConfig(r.raw('config'), r.at('config')) } : { name };
}

/** drop, describe: `{name}`. */
export function parseResourceGroupName(body: unknown): string {
  return JsonReader.object(body, '', [DB_NAME, 'name']).str('name');
}

/** list: `{}`. */
export function parseListResourceGroups(body: unknown): void {
  JsonReader.object(body, '', [DB_NAME]);
}

/** alter: `{resource_groups: {name: config}}`. */
export function parseAlterResourceGroups(body: unknown): Record<string, ResourceGroupConfig> {
  const r = JsonReader.object(body, '', [DB_NAME, 'resource_groups']);
  r.required('resource_groups');
  return Object.fromEntries(Object.entries(r.map('resource_groups')).map(([name, c]) => [name, readConfig(c, `${r.at('resource_groups')}.${name}`)]));
}

/** transfer_replica: `{sourceRgName, targetRgName, collectionName, replicaNum}`. */
export function parseTransferReplica(body: unknown): { source: string; target: string; collectionName: string; replicaNum: number } {
  const r = JsonReader.object(body, '', [DB_NAME, 'sourceRgName', 'targetRgName', 'collectionName', 'replicaNum']);
  return { source: r.str('sourceRgName'), target: r.str('targetRgName'), collectionName: readCollectionName(r), replicaNum: r.int('replicaNum', 1, 16) };
}
