/**
 * Delegator replicas: a collection loaded with 2 replicas runs a delegator of each
 * shard on both streaming nodes (the pchannel's owner, and a read-only follower
 * that folds the log). Reads spread over both and the follower answers what the
 * owner answers, Strong reads included (it first folds up to the WAL position
 * the owner names for a tick at the read's TSO). When the owner is SIGKILLed,
 * searches keep answering from the follower while the pchannel moves, and every
 * acknowledged insert is found exactly once (the log it recovers from was
 * truncated first); the node comes back as owner and follower.
 */
import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import { client } from '../../runtime/rpc/typedBus.js';
import type { ShardSearch } from '../../messages/rpc/records.js';
import {
  streamingNodeSubject, streamingOwnerSubject, streamingReadSubject,
  type StreamingNodeProtocol, type StreamingNodeStatus, type StreamingProtocol,
} from '../../messages/rpc/streamingNode.js';
import type { ConsistencyLevel } from '../../runtime/client/api.js';
import { collectionSpec, insertAll, vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { assertExactlyOnce, startWriters } from './support/writers.js';

const DIM = 8, SEED = 23, NAME = 'twodelegators', SHARDS = 4, FIRST = 3000, DELETED = 50;
const pchannelOf = (v: string) => v.slice(0, v.lastIndexOf('_'));

if (haveServices('cluster: delegator replicas')) {
  let cluster: TestCluster | undefined;
  let bus: NatsBus | undefined;
  let vchannels: string[] = [];

  const status = (nodeId: string): Promise<StreamingNodeStatus> =>
    client<StreamingNodeProtocol>(bus!, streamingNodeSubject(nodeId), 10_000)('nodeStatus', {});
  const totalReads = (s: StreamingNodeStatus) => Object.values(s.reads).reduce((n, x) => n + x, 0);
  const queries = Array.from({ length: 5 }, (_, i) => vectorOf(SEED + 1, i, DIM));
  const search = async (level: ConsistencyLevel) =>
    (await cluster!.client.search(NAME, { data: queries, limit: 5, consistencyLevel: level })).map((q) => q.map((h) => h.id));

  test.before(async () => {
    cluster = await startTestCluster({ roleArgs: { 'streaming-node': ['--segment-rows', '1000'] } });
    bus = await NatsBus.connect({ servers: cluster.services.nats, name: 'delegator-replicas-test' });
  });
  test.after(async () => { await bus?.close().catch(() => {}); await cluster?.stop(); });

  test('loaded with 2 replicas: every pchannel of the collection gets the other streaming node as follower', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, SHARDS));
    await c.client.loadCollection(NAME, { replicas: 2 });
    vchannels = (await c.client.describeCollection(NAME)).vchannels;
    const pchannels = new Set(vchannels.map(pchannelOf));
    const list = await eventually('followers on every pchannel of the collection', async () => {
      const l = await c.assignments();
      return [...pchannels].every((p) => { const a = l.find((x) => x.pchannel === p); return a && a.followers?.length === 1 && a.followers[0] !== a.nodeId; }) && l;
    });
    const sn = c.byRole('streaming-node').map((n) => n.id);
    for (const p of pchannels) {
      const a = list.find((x) => x.pchannel === p)!;
      assert.equal([a.nodeId, ...a.followers!].sort(), [...sn].sort(), `${p}: owner and follower are both streaming nodes`);
    }
    await eventually('each node follows what the other owns', async () => {
      const all = await Promise.all(sn.map(status));
      return [...pchannels].every((p) => all.some((s) => s.owns.includes(p)) && all.some((s) => s.follows.includes(p)));
    });
    await insertAll(c.http, NAME, SEED, FIRST, DIM, 250, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('flushed segments loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
  });

  test('both nodes serve reads, and a follower answers what the owner answers', async () => {
    const c = cluster!;
    const sn = c.byRole('streaming-node').map((n) => n.id);
    const before = await Promise.all(sn.map(status));
    const baseline = await search('Strong');
    assert.is(baseline.flat().length, queries.length * 5);
    for (let i = 0; i < 20; i++) assert.equal(await search('Strong'), baseline, `Strong search ${i}`);
    for (let i = 0; i < 10; i++) assert.equal(await search('Eventually'), baseline, `Eventually search ${i}`);
    const after = await Promise.all(sn.map(status));
    const served = sn.map((_, i) => totalReads(after[i]!) - totalReads(before[i]!));
    console.log(`  shard reads served per streaming node over 30 searches x ${SHARDS} shards: ${sn.map((n, i) => `${n} ${served[i]}`).join(', ')}`);
    for (const [i, n] of sn.entries()) assert.ok(served[i]! > 0, `${n} served reads`);
    // Each shard asked directly: the owner (its term subject), then the read subject many times (owner or follower).
    const assignments = await c.assignments();
    const coll = await c.client.describeCollection(NAME);
    for (const v of vchannels) {
      const a = assignments.find((x) => x.pchannel === pchannelOf(v))!;
      const { first } = await c.coordinator('tsoBatch', { count: 1 });
      const req: ShardSearch = { vchannel: v, collectionId: coll.collectionId, queries: new Float32Array(queries.flat()), nq: queries.length, k: 5, filter: null, partitionIds: null, outputFields: [], guaranteeTso: first };
      const owner = await client<StreamingProtocol>(bus!, streamingOwnerSubject(a.pchannel, a.term), 30_000)('search', req);
      const followerNode = a.followers![0]!;
      const f0 = (await status(followerNode)).reads[a.pchannel] ?? 0;
      for (let i = 0; i < 16; i++) {
        const any = await client<StreamingProtocol>(bus!, streamingReadSubject(a.pchannel), 30_000)('search', req);
        assert.equal(any.hits, owner.hits, `${v}: read ${i} equals the owner's answer`);
      }
      const f1 = (await status(followerNode)).reads[a.pchannel] ?? 0;
      assert.ok(f1 > f0, `${v}: the follower on ${followerNode} answered some of the reads (${f1 - f0} of 16)`);
    }
  });

  test('deletes are applied by every delegator (sealed rows on query nodes too)', async () => {
    const c = cluster!;
    const sn = c.byRole('streaming-node').map((n) => n.id);
    await c.client.delete(NAME, { ids: Array.from({ length: DELETED }, (_, i) => i) });
    const before = await Promise.all(sn.map(status));
    for (let i = 0; i < 10; i++) {
      const ids = (await c.client.query(NAME, { filter: `id < ${2 * DELETED}`, outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
      assert.equal(ids, Array.from({ length: DELETED }, (_, k) => DELETED + k), `query ${i}`);
    }
    const after = await Promise.all(sn.map(status));
    for (const [i, n] of sn.entries()) assert.ok(totalReads(after[i]!) > totalReads(before[i]!), `${n} served queries`);
  });

  test('SIGKILL the owner: searches keep answering from the follower, then every acknowledged insert is there once', async () => {
    const c = cluster!;
    const victim = c.nodes.get('streaming-node-1')!;
    const before = await c.assignments();
    const moved = before.filter((a) => a.nodeId === victim.id && vchannels.some((v) => pchannelOf(v) === a.pchannel));
    assert.ok(moved.length >= 1, 'the victim owns pchannels of the collection');
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 100, dim: DIM, seed: SEED, firstId: FIRST });
    await w.progress(5);
    // The flushed rows are served by query nodes, so (keeping no history) the victim cuts its
    // logs once writes prove it still owns them: the new owner and the followers recover from a truncated WAL.
    await eventually('the victim to truncate the WAL of its pchannels', async () => {
      const text = await readFile(victim.logFile, 'utf8');
      return moved.every((m) => text.includes(`[${m.pchannel}#${m.term}] truncated the WAL before`));
    });
    let stop = false, moving = false;
    const failures: string[] = [];
    const stats = (['Eventually', 'Strong'] as const).map((level) => ({ level, answered: 0, duringMove: 0, maxMs: 0 }));
    const loops = stats.map(async (s) => {
      const level = s.level;
      while (!stop) {
        const t = Date.now();
        try {
          const hits = await search(level);
          if (hits.flat().length !== queries.length * 5) failures.push(`${level}: ${hits.flat().length} hits`);
          s.answered++;
          if (moving) s.duringMove++;
        } catch (e) { failures.push(`${level}: ${(e as Error).message}`); }
        s.maxMs = Math.max(s.maxMs, Date.now() - t);
      }
    });
    await eventually('a few searches of each level', async () => stats.every((s) => s.answered >= 3));
    const killedAt = Date.now();
    moving = true;
    await victim.kill();
    await eventually('the victim\'s pchannels to move', async () => {
      const now = await c.assignments();
      return moved.every((m) => { const a = now.find((x) => x.pchannel === m.pchannel)!; return a.nodeId !== victim.id && a.term > m.term; });
    });
    moving = false;
    const movedMs = Date.now() - killedAt;
    await w.progress(5);
    const log = await w.stop();
    stop = true;
    await Promise.all(loops);
    console.log(`  pchannels moved within ${movedMs} ms; ${log.acked.length} rows acknowledged, longest batch ${log.maxBatchMs} ms`);
    for (const s of stats) console.log(`  ${s.level}: ${s.answered} searches answered, ${s.duringMove} while the pchannels moved; slowest ${s.maxMs} ms`);
    assert.equal(failures, []);
    assert.equal(log.failures, [], 'writers saw errors');
    assert.ok(stats[0]!.duringMove > 0, 'Eventually searches answered while the pchannels moved');
    await assertExactlyOnce(c.client, NAME, [...Array.from({ length: FIRST - DELETED }, (_, i) => DELETED + i), ...log.acked]);
  });

  test('the killed node restarts: it gets pchannels back and follows the others again, and reads agree', async () => {
    const c = cluster!;
    const node = c.nodes.get('streaming-node-1')!;
    node.launch();
    await node.ready;
    const pchannels = [...new Set(vchannels.map(pchannelOf))];
    await eventually('owners and followers on both nodes again', async () => {
      const l = await c.assignments();
      const mine = l.filter((a) => pchannels.includes(a.pchannel));
      return mine.some((a) => a.nodeId === node.id) && mine.every((a) => a.followers?.length === 1 && a.followers[0] !== a.nodeId);
    });
    const sn = c.byRole('streaming-node').map((n) => n.id);
    await eventually('each node follows what the other owns', async () => {
      const all = await Promise.all(sn.map(status));
      return pchannels.every((p) => all.some((s) => s.owns.includes(p)) && all.some((s) => s.follows.includes(p)));
    });
    const before = await Promise.all(sn.map(status));
    const baseline = await search('Strong');
    for (let i = 0; i < 10; i++) assert.equal(await search('Strong'), baseline, `Strong search ${i}`);
    const after = await Promise.all(sn.map(status));
    for (const [i, n] of sn.entries()) assert.ok(totalReads(after[i]!) > totalReads(before[i]!), `${n} served reads`);
  });
}

test.run();
