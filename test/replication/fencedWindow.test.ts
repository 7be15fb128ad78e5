/**
 * A replicator's stale request caught in the fencing window (messages/fence.ts):
 * it arrived while its lead was current, waited (queued behind a slow DDL at the
 * coordinator, or behind a held step on its pchannel), and meanwhile a new
 * leader bumped the term key. It must be refused as StaleFence where the write
 * is made, and leave no trace: no collection, no catalogue record, nothing in
 * the WAL. A coordinator and a streaming node in this process on a real etcd
 * and NATS (private servers), the pchannel's steps held through the bus port
 * (support/heldTso.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../../actors/coordinator/shell/coordinator.js';
import { StreamingNode } from '../../actors/streaming-node/shell/streamingNode.js';
import { decodeMessage, encodeMessage } from '../../messages/codec.js';
import type { Fence } from '../../messages/fence.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { bodyOf, newMessage, type AnyMessage } from '../../messages/types.js';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { toColumns } from '../../runtime/client/rows.js';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import { EtcdMeta } from '../../runtime/meta/etcdMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import type { MetaStore } from '../../runtime/ports/metaStore.js';
import type { WalBackend } from '../../runtime/ports/walBackend.js';
import { leadReplication, termKey } from '../../runtime/replication/replicationLead.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { openWalBackend } from '../../runtime/wal/openWalBackend.js';
import { requireService } from '../support/requireService.js';
import { startEtcd, startNats } from '../support/services.js';
import { rows, schema } from '../standalone/replicationFixture.js';
import { HeldTsoBus } from './support/heldTso.js';

const PCHANNEL = 'dml_0';
const TERM = termKey('default');

/** Counts a receiver's answered reads of the term key (its fence checks); can hold the next answer back. */
class TermReads {
  count = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private hold: { answered: () => void; released: Promise<void> } | null = null;
  constructor(private readonly meta: MetaStore) {}
  /** Resolves once `n` reads have been answered. */
  atLeast(n: number): Promise<void> {
    return this.count >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
  /** The next read is answered by the store, then held until `release`: what it read may be stale by then. */
  holdNext(): { answered: Promise<void>; release: () => void } {
    let answered!: () => void, release!: () => void;
    const a = new Promise<void>((r) => { answered = r; });
    this.hold = { answered, released: new Promise<void>((r) => { release = r; }) };
    return { answered: a, release };
  }
  /** The meta store with its reads counted. */
  counted(): MetaStore {
    const get = async (key: string) => {
      const r = await this.meta.get(key);
      if (key !== TERM) return r;
      const h = this.hold;
      if (h) { this.hold = null; h.answered(); await h.released; }
      this.count++;
      this.waiters = this.waiters.filter((w) => (w.n <= this.count ? (w.resolve(), false) : true));
      return r;
    };
    return new Proxy(this.meta, { get: (target, prop, receiver) => (prop === 'get' ? get : Reflect.get(target, prop, receiver)) });
  }
}

if (requireService('NUTHATCH_TEST_ETCD', 'fenced window (etcd)') && requireService('NUTHATCH_TEST_NATS', 'fenced window (nats-server)')) {
  let servers: { nats: ServerHandle; etcd: ServerHandle } | undefined;
  let dir = '', meta: EtcdMeta, bus: NatsBus, snBus: HeldTsoBus, wal: WalBackend, reads: TermReads, coordReads: TermReads;
  let coordinator: Coordinator | undefined, streaming: StreamingNode | undefined;

  test.before(async () => {
    const [nats, etcd] = await Promise.all([startNats(), startEtcd()]);
    servers = { nats, etcd };
    dir = await mkdtemp(join(tmpdir(), 'nuthatch-fence-'));
    meta = await EtcdMeta.connect({ hosts: etcd.url });
    bus = await NatsBus.connect({ servers: nats.url });
    snBus = new HeldTsoBus(bus);
    reads = new TermReads(meta);
    coordReads = new TermReads(meta);
    const objects = new LocalObjectStore(join(dir, 'objects'));
    wal = await openWalBackend({ kind: 'local', dir: join(dir, 'wal') }, { meta, objects });
    coordinator = new Coordinator({ bus, meta: coordReads.counted(), pchannels: [PCHANNEL], nodeId: 'coordinator-1', log: () => {} });
    await coordinator.start();
    streaming = new StreamingNode({ nodeId: 'sn-1', bus: snBus, meta: reads.counted(), objects, wal, log: () => {} });
    await streaming.start();
  });
  test.after(async () => {
    await streaming?.stop().catch(() => {});
    await coordinator?.stop().catch(() => {});
    await wal?.close().catch(() => {});
    await bus?.close().catch(() => {});
    await meta?.close().catch(() => {});
    await Promise.allSettled([servers?.nats.stop(), servers?.etcd.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const coord = () => busClient<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT, 60_000);
  const shard = () => busClient<StreamingProtocol>(bus, streamingSubject(PCHANNEL), 60_000);
  const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string; message?: string }) => e.code ?? String(e.message));

  /** Every message of the pchannel's WAL, decoded. */
  async function walMessages(): Promise<AnyMessage[]> {
    const out: AnyMessage[] = [];
    for await (const batch of wal.read(PCHANNEL, await wal.firstPosition(PCHANNEL))) for (const r of batch) out.push(decodeMessage(r.payload, r.position));
    return out;
  }

  /** Holds the pchannel's serial step: a sync waits in it for a TSO batch the bus holds. */
  async function holdPchannel(): Promise<() => void> {
    const h = snBus.arm();
    const { first } = await coord()('tsoBatch', { count: 1 });
    void shard()('sync', { vchannel: `${PCHANNEL}_0`, tso: first }).catch(() => {});
    await h.held;
    return h.release;
  }

  /** Leads taken in a test, resigned after it (a failed test must not leave the next one waiting for the lead). */
  const leads: Array<{ resign(): Promise<void> }> = [];
  const lead = async (who: string): Promise<{ fence: Fence; resign(): Promise<void> }> => {
    const l = await leadReplication(meta, { db: 'default' }, who, 2000);
    leads.push(l);
    return l;
  };
  test.after.each(async () => { for (const l of leads.splice(0)) await l.resign().catch(() => {}); });

  test("a stale DDL queued behind the old leader's slow DDL, the term bumped meanwhile: refused, with no trace", async () => {
    const old = await lead('old');
    const oldClient = new NuthatchClient(bus, { fence: old.fence });
    await oldClient.createCollection({ collectionName: 'held', schema, metricType: 'L2', shardsNum: 1 });

    const release = await holdPchannel();
    // The old leader's DDL reaches the shard and waits there; its next one waits behind it at the coordinator.
    const slow = outcome(oldClient.createPartition('held', 'p0'));
    const stale = outcome(coord()('createCollection', { dbName: 'default', spec: { collectionName: 'ghost', schema, metricType: 'L2', shardsNum: 1 } as never, fence: old.fence } as never));
    await coord()('tsoBatch', { count: 1 }); // the coordinator has taken both (one connection: in order)
    // The old leader "pauses"; a new one takes over and bumps the term.
    await old.resign();
    const next = await lead('next');
    assert.ok(next.fence.revision > old.fence.revision);
    release();

    assert.is(await stale, 'StaleFence', 'the stale DDL is refused');
    // The slow DDL passed its check before the bump: it completes, before anything of the new leader.
    assert.is(await slow, 'ok');
    assert.not.ok(await new NuthatchClient(bus).hasCollection('ghost'), 'no collection');
    assert.is(await meta.get('catalog/ghost'), undefined, 'no catalogue record');
    const ddl = (await walMessages()).filter((m) => m.header.type === 'CreateCollection' && bodyOf(m, 'CreateCollection').name === 'ghost');
    assert.is(ddl.length, 0, 'nothing in the WAL');
    // The new leader's DDL goes through.
    await new NuthatchClient(bus, { fence: next.fence }).createPartition('held', 'p1');
  });

  test("a stale append queued behind a held step on its pchannel, a new leader's write arriving meanwhile: refused, with nothing in the WAL", async () => {
    const d = await new NuthatchClient(bus).describeCollection('held');
    const vchannel = d.vchannels[0]!;
    const insert = (from: number, appendId: string) => {
      const m = newMessage('Insert', vchannel, { collectionId: d.collectionId, partitionId: d.partitions[0]!.id, segmentId: -1, rows: toColumns(d.schema, rows(from, 2, 'f'), null) });
      m.header.appendId = appendId;
      return encodeMessage(m);
    };
    const old = await lead('old-2');
    const release = await holdPchannel();
    // The old leader's appends pass their arrival check and queue behind the held step
    // (queued in the same turn their read is answered: before the bump below, which waits on I/O).
    const c0 = reads.count;
    const stale = outcome(shard()('append', { message: insert(0, 'stale/1'), fence: old.fence }));
    // One with the append id the new leader will replay.
    const staleShared = outcome(shard()('append', { message: insert(10, 'shared/1'), fence: old.fence }));
    await reads.atLeast(c0 + 2);
    await old.resign();
    const next = await lead('next-2');
    // The new leader's writes arrive (their arrival read raises the node's mark) and queue too.
    const fresh = outcome(shard()('append', { message: insert(20, 'next/1'), fence: next.fence }));
    const replayed = outcome(shard()('append', { message: insert(10, 'shared/1'), fence: next.fence }));
    await reads.atLeast(c0 + 4);
    await coord()('tsoBatch', { count: 1 });
    release();

    assert.is(await stale, 'StaleFence', 'the stale append is refused in the append step');
    assert.is(await staleShared, 'StaleFence');
    assert.is(await fresh, 'ok', "the new leader's append lands");
    assert.is(await replayed, 'ok', "the new leader's replay of an append id the old one had in flight is its own, not the old one's refusal");
    const ids = (await walMessages()).map((m) => m.header.appendId).filter((id) => id !== undefined);
    assert.not.ok(ids.includes('stale/1'), 'nothing of the stale append in the WAL');
    assert.is(ids.filter((id) => id === 'shared/1').length, 1, 'the replayed append once');
    assert.ok(ids.includes('next/1'));
  });

  test('a term bumped between the check and the record save: the save is refused in the same etcd transaction, and nothing is made', async () => {
    const old = await lead('old-3');
    // The coordinator's check reads the term while it is current; the answer is held while the term is bumped.
    const h = coordReads.holdNext();
    const stale = outcome(coord()('createCollection', { dbName: 'default', spec: { collectionName: 'ghost2', schema, metricType: 'L2', shardsNum: 1 } as never, fence: old.fence } as never));
    await h.answered;
    await old.resign();
    await lead('next-3');
    h.release();
    assert.is(await stale, 'StaleFence');
    assert.is(await meta.get('catalog/ghost2'), undefined, 'no catalogue record');
    assert.not.ok(await new NuthatchClient(bus).hasCollection('ghost2'), 'no collection, in memory either');
    assert.is((await walMessages()).filter((m) => m.header.type === 'CreateCollection' && bodyOf(m, 'CreateCollection').name === 'ghost2').length, 0, 'nothing in the WAL');
  });

  test('a term bumped between the check and a DDL\'s broadcast: refused by the read just before it, nothing broadcast or saved', async () => {
    const old = await lead('old-4');
    const h = coordReads.holdNext();
    const stale = outcome(coord()('createPartition', { dbName: 'default', collection: 'held', partition: 'p9', fence: old.fence } as never));
    await h.answered;
    await old.resign();
    await lead('next-4');
    h.release();
    assert.is(await stale, 'StaleFence');
    assert.not.ok(await new NuthatchClient(bus).hasPartition('held', 'p9'), 'no partition');
    assert.is((await walMessages()).filter((m) => m.header.type === 'CreatePartition' && bodyOf(m, 'CreatePartition').partition.name === 'p9').length, 0, 'nothing in the WAL');
  });

  test.run();
} else {
  test.run();
}
