import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A load in flight when its collection (or some of its partitions) is
 * released: the release takes out of the distribution, and off the query
 * node, only the segments listed then, so the loads answered after it listed
 * their segments again, held on the node, in a collection no longer loaded
 * (or a partition no longer loaded) until the next load. Each segment load
 * now takes a ticket as it starts (actors/coordinator/core/loadGenerations.ts);
 * a release makes it stale, and a stale load's answer serves nothing and
 * releases the copy it loaded.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = (from: number, n: number) => vectors(n, DIM, from + 1).map((vec, i) => ({ id: from + i, vec }));
const FLAT = [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2' as const, params: {} }];

type S = Awaited<ReturnType<typeof tempStandalone>>;

/** Holds the query node's segment loads of a collection until `open` is called; `held` counts those asked. */
function gateLoads(s: S, collectionId: number): { held: () => number; open: () => void; restore: () => void } {
  let held = 0, opened = false;
  const request = s.bus.request.bind(s.bus);
  s.bus.request = async (subject, data, opts) => {
    const req = decodeValue(data) as { op?: string; segment?: { collectionId?: number } };
    if (subject === queryNodeSubject('qn-1') && req.op === 'load' && req.segment?.collectionId === collectionId) {
      held++;
      await until(() => opened, 'the gate opened', 60_000);
    }
    return request(subject, data, opts);
  };
  return { held: () => held, open: () => { opened = true; }, restore: () => { s.bus.request = request; } };
}

/** What the distributions list and what the query node holds of a collection's segments, by segment id. */
async function placement(s: S, collection: string): Promise<{ segments: Array<{ segmentId: number; partitionId: number }>; listed: number[]; held: number[] }> {
  const { collectionId, vchannels } = await s.client.describeCollection(collection);
  const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT), qn = client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'));
  const segments = await coord('segments', { collectionId });
  const ids = new Set(segments.map((x) => x.segmentId));
  const listed: number[] = [];
  for (const vchannel of vchannels) for (const e of (await coord('distribution', { vchannel })).segments) if (ids.has(e.segmentId)) listed.push(e.segmentId);
  const held = (await qn('status', {})).files.map((f) => f.segmentId).filter((id) => ids.has(id));
  return { segments, listed: listed.sort((a, b) => a - b), held: held.sort((a, b) => a - b) };
}

const allIds = async (s: S, c: string): Promise<number[]> =>
  (await s.client.query(c, { filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong', limit: 1000 })).map((r) => r.id as number).sort((a, b) => a - b);

test('a collection released while its segment loads are in flight: nothing of it is left listed or held, and the next load serves every segment once', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'lr', schema, metricType: 'L2', shardsNum: 1, indexParams: FLAT });
    for (const from of [0, 100, 200]) { await s.client.insert('lr', rows(from, 10)); await s.client.flush('lr'); }
    const { collectionId } = await s.client.describeCollection('lr');
    const before = await placement(s, 'lr');
    assert.ok(before.segments.length >= 2, `several sealed segments (${before.segments.length})`);

    const gate = gateLoads(s, collectionId);
    const loading = s.client.loadCollection('lr');
    await until(() => gate.held() === before.segments.length, 'every segment load asked of the query node', 30_000);
    await s.client.releaseCollection('lr');
    gate.open();
    await loading; // its segment loads answered after the release
    gate.restore();

    const after = await placement(s, 'lr');
    assert.equal(after.listed, [], 'no segment of the released collection listed in the distribution');
    assert.equal(after.held, [], 'no segment of the released collection held on the query node');
    assert.is((await s.client.getLoadState('lr')).loadState, 'LoadStateNotLoad');

    await s.client.loadCollection('lr');
    await until(async () => (await s.client.getLoadState('lr')).loadProgress === 100, 'loaded again', 30_000);
    const again = await placement(s, 'lr');
    const every = before.segments.map((x) => x.segmentId).sort((a, b) => a - b);
    assert.equal(again.listed, every, 'every segment listed once');
    assert.equal(again.held, every, 'every segment held once');
    const expected = [...rows(0, 10), ...rows(100, 10), ...rows(200, 10)].map((r) => r.id);
    assert.equal(await allIds(s, 'lr'), expected, 'each row read once');
    const [hits] = await s.client.search('lr', { data: [rows(100, 1)[0]!.vec], limit: 100, consistencyLevel: 'Strong' });
    assert.equal(hits!.map((h) => h.id as number).sort((a, b) => a - b), expected, 'a search finds each row once');
  } finally { await s.cleanup(); }
});

test('a partition released while the partitions\' loads are in flight: its segments are neither listed nor held, the others\' are served', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'pr', schema, metricType: 'L2', shardsNum: 1, indexParams: FLAT });
    await s.client.createPartition('pr', 'p1');
    await s.client.createPartition('pr', 'p2');
    await s.client.insert('pr', rows(100, 10), 'p1');
    await s.client.insert('pr', rows(200, 10), 'p2');
    await s.client.flush('pr');
    const { collectionId, partitions } = await s.client.describeCollection('pr');
    const p2 = partitions.find((p) => p.name === 'p2')!.id;
    const before = await placement(s, 'pr');
    assert.ok(before.segments.some((x) => x.partitionId === p2) && before.segments.some((x) => x.partitionId !== p2), 'sealed segments in both partitions');

    const gate = gateLoads(s, collectionId);
    const loading = s.client.loadPartitions('pr', ['p1', 'p2']);
    await until(() => gate.held() === before.segments.length, 'every segment load asked of the query node', 30_000);
    await s.client.releasePartitions('pr', ['p2']);
    gate.open();
    await loading;
    gate.restore();

    const p1Ids = before.segments.filter((x) => x.partitionId !== p2).map((x) => x.segmentId).sort((a, b) => a - b);
    const after = await placement(s, 'pr');
    assert.equal(after.listed, p1Ids, 'p1\'s segments listed, p2\'s not');
    assert.equal(after.held, p1Ids, 'p1\'s segments held, p2\'s not');
    assert.equal(await allIds(s, 'pr'), rows(100, 10).map((r) => r.id));

    await s.client.loadPartitions('pr', ['p2']);
    await until(async () => (await s.client.getLoadState('pr', ['p1', 'p2'])).loadProgress === 100, 'both loaded', 30_000);
    const every = before.segments.map((x) => x.segmentId).sort((a, b) => a - b);
    assert.equal((await placement(s, 'pr')).listed, every, 'every segment listed once');
    assert.equal(await allIds(s, 'pr'), [...rows(100, 10), ...rows(200, 10)].map((r) => r.id));
  } finally { await s.cleanup(); }
});

test.run();
