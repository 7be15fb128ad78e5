import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/errors.js';
import { V2Client } from '../http/support/v2Client.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Resource groups over the REST API (Milvus's /v2/vectordb/resource_groups/*)
 * on a standalone system, whose one query node is qn-1: a group that asks for
 * a node takes it from the default group, a load goes to the group named and
 * searches answer from it, refusals are typed, and groups outlive a restart.
 */
const DEF = '__default_resource_group';
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const one = { requests: { node_num: 1 }, limits: { node_num: 1 }, transfer_from: [{ resource_group: DEF }], transfer_to: [{ resource_group: DEF }] };

test('create, describe, load into a group, typed refusals, and the groups after a restart', async () => {
  const s = await tempStandalone({ port: 0 });
  let again: Awaited<ReturnType<typeof tempStandalone>> | undefined;
  try {
    const http = new V2Client(s.http!.url);
    const describe = async (name: string) => (await http.ok('/resource_groups/describe', { name })).resource_group;
    assert.equal(await http.ok('/resource_groups/list', {}), [DEF]);
    assert.equal((await describe(DEF)).nodes.map((n: { node_id: string }) => n.node_id), ['qn-1']);

    await http.ok('/resource_groups/create', { name: 'rg1', config: one });
    assert.equal(await http.ok('/resource_groups/list', {}), [DEF, 'rg1']);
    const rg1 = await describe('rg1');
    assert.equal({ capacity: rg1.capacity, available: rg1.num_available_node, nodes: rg1.nodes.map((n: { node_id: string }) => n.node_id), config: rg1.config },
      { capacity: 1, available: 1, nodes: ['qn-1'], config: one }, 'rg1 asked for a node: it took the default group\'s');
    assert.is((await describe(DEF)).num_available_node, 0);

    await http.fails('/resource_groups/create', { name: 'rg1' }, /already exists/, [ErrorCode.ResourceGroupExists]);
    await http.fails('/resource_groups/describe', { name: 'nope' }, /resource group 'nope' does not exist/, [ErrorCode.ResourceGroupNotFound]);
    await http.fails('/resource_groups/create', { name: 'rg2', config: { requests: { node_num: 2 }, limits: { node_num: 1 } } }, /must not exceed limits/, [ErrorCode.InvalidArgument]);
    await http.fails('/resource_groups/create', { name: 'rg2', config: { transfer_from: [{ resource_group: 'nope' }] } }, /'nope'.*does not exist/, [ErrorCode.ResourceGroupNotFound]);
    await http.fails('/resource_groups/drop', { name: DEF }, /default resource group .* cannot be dropped/, [ErrorCode.InvalidArgument]);

    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2' });
    const vs = vectors(50, DIM, 7);
    await s.client.insert('c', vs.map((vec, id) => ({ id, vec })));
    await s.client.flush('c');
    await http.fails('/collections/load', { collectionName: 'c', resourceGroups: [DEF] }, /'__default_resource_group' has 0 query node\(s\) for 1 replica/, [ErrorCode.ResourceGroupNodeNotEnough]);
    await http.fails('/collections/load', { collectionName: 'c', replicaNumber: 2, resourceGroups: ['rg1'] }, /'rg1' has 1 query node\(s\) for 2 replica/, [ErrorCode.ResourceGroupNodeNotEnough]);
    await http.fails('/collections/load', { collectionName: 'c', resourceGroups: ['nope'] }, /resource group 'nope' does not exist/, [ErrorCode.ResourceGroupNotFound]);
    await http.ok('/collections/load', { collectionName: 'c', replicaNumber: 1, resourceGroups: ['rg1'] });
    const hits = await http.ok('/entities/search', { collectionName: 'c', data: [vs[9]], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0].id, 9);
    assert.equal((await describe('rg1')).num_loaded_replica, { c: 1 });
    assert.equal((await describe(DEF)).num_loaded_replica, {});
    await http.fails('/resource_groups/drop', { name: 'rg1' }, /holds replicas of 'c'/, [ErrorCode.ResourceGroupNotEmpty]);
    // A database's database.resource_groups places the loads that name no group.
    await http.ok('/databases/create', { dbName: 'd2', properties: { 'database.resource_groups': 'rg1' } });
    const d2 = s.client.database('d2');
    await d2.createCollection({ collectionName: 'e', schema, metricType: 'L2' });
    await d2.insert('e', vs.slice(0, 5).map((vec, id) => ({ id, vec })));
    await d2.loadCollection('e');
    assert.equal((await describe('rg1')).num_loaded_replica, { c: 1, e: 1 });
    assert.is((await d2.search('e', { data: [vs[2]!], limit: 1, consistencyLevel: 'Strong' }))[0]![0]!.id, 2);
    await d2.releaseCollection('e');
    await http.fails('/resource_groups/transfer_replica', { sourceRgName: 'rg1', targetRgName: DEF, collectionName: 'c', replicaNum: 1 }, /has 0 query node/, [ErrorCode.ResourceGroupNodeNotEnough]);
    await http.fails('/resource_groups/transfer_replica', { sourceRgName: DEF, targetRgName: 'rg1', collectionName: 'c', replicaNum: 1 }, /0 replica\(s\) in resource group '__default_resource_group'/, [ErrorCode.InvalidArgument]);

    // A restart keeps the groups, their configs, and where the replica runs.
    await s.stop();
    again = await tempStandalone({ port: 0, dataDir: s.dataDir });
    const http2 = new V2Client(again.http!.url);
    const after = (await http2.ok('/resource_groups/describe', { name: 'rg1' })).resource_group;
    assert.equal({ config: after.config, loaded: after.num_loaded_replica }, { config: one, loaded: { c: 1 } });
    await eventually(async () => (await http2.ok('/resource_groups/describe', { name: 'rg1' })).resource_group.num_available_node === 1);
    assert.is((await http2.ok('/entities/search', { collectionName: 'c', data: [vs[3]], limit: 1, consistencyLevel: 'Strong' }))[0].id, 3);

    // Released, emptied and dropped: the node goes back to the default group.
    await http2.ok('/collections/release', { collectionName: 'c' });
    await http2.fails('/resource_groups/drop', { name: 'rg1' }, /limits.node_num 1/, [ErrorCode.ResourceGroupNotEmpty]);
    await http2.ok('/resource_groups/alter', { resource_groups: { rg1: { requests: { node_num: 0 }, limits: { node_num: 0 } } } });
    await http2.ok('/resource_groups/drop', { name: 'rg1' });
    assert.equal(await http2.ok('/resource_groups/list', {}), [DEF]);
    assert.equal((await http2.ok('/resource_groups/describe', { name: DEF })).resource_group.nodes.map((n: { node_id: string }) => n.node_id), ['qn-1']);
    await http2.ok('/collections/load', { collectionName: 'c' });
    assert.is((await http2.ok('/entities/search', { collectionName: 'c', data: [vs[5]], limit: 1, consistencyLevel: 'Strong' }))[0].id, 5);
  } finally {
    if (again) await again.cleanup(); else await s.cleanup();
  }
});

test('malformed requests are refused with the field named', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.fails('/resource_groups/create', {}, /name/, [ErrorCode.InvalidArgument]);
    await http.fails('/resource_groups/create', { name: '1bad' }, /resource group name '1bad'/, [ErrorCode.InvalidArgument]);
    await http.fails('/resource_groups/create', { name: 'rg', config: { requests: { node_num: -1 } } }, /node_num/, [ErrorCode.InvalidArgument]);
    await http.fails('/resource_groups/alter', { resource_groups: { nope: { limits: { node_num: 1 } } } }, /resource group 'nope' does not exist/, [ErrorCode.ResourceGroupNotFound]);
    await http.fails('/resource_groups/transfer_replica', { sourceRgName: DEF, targetRgName: DEF, collectionName: 'c' }, /replicaNum/, [ErrorCode.InvalidArgument]);
    assert.equal(await http.ok('/resource_groups/list', {}), [DEF], 'nothing was made');
  } finally { await s.cleanup(); }
});

async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('gave up waiting');
}

test.run();
