import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplicationCore, type Decision } from '../../actors/replicator/core/replicationCore.js';
import { ReplicationGapError } from '../../messages/errors.js';
import { newMessage, tsoOf, type AnyMessage, type Bodies, type MessageType } from '../../messages/types.js';
import type { Rows } from '../../messages/schema.js';

const COLL = 10;
const V0 = 'dml_0_10v0', V1 = 'dml_1_10v1';

/** A fake source log: messages get positions per pchannel and increasing TSOs. */
function log() {
  const next = new Map<string, number>();
  let ms = 1000;
  return function msg<T extends MessageType>(type: T, v: string, body: Bodies[T], extra: { txn?: number; broadcast?: number; pchannel?: string } = {}): AnyMessage {
    const m = newMessage(type, v, body, extra.txn === undefined ? undefined : { id: extra.txn, keepaliveMs: 1000 }) as AnyMessage;
    const p = extra.pchannel ?? v.slice(0, v.lastIndexOf('_'));
    m.header.walPosition = next.get(p) ?? 0;
    next.set(p, m.header.walPosition + 1);
    m.header.tso = tsoOf(ms += 10);
    if (extra.broadcast !== undefined) m.header.broadcast = { id: extra.broadcast, vchannels: [V0, V1] };
    return m;
  };
}

const rows = (...pks: number[]): Rows => ({ count: pks.length, pks, vectors: new Float32Array(pks.length * 2), fields: {} });
const create = (msg: ReturnType<typeof log>, v: string) => msg('CreateCollection', v, {
  collectionId: COLL, name: 'c', schema: { fields: [] } as never, shardIndex: v === V0 ? 0 : 1, shards: 2,
  partitions: [{ id: 11, name: '_default' }], metricType: 'L2', consistencyLevel: 'Strong',
}, { broadcast: 1 });

/** Offers each message, advancing past every one that is not held at a barrier; returns the operations to apply. */
function run(core: ReplicationCore, ms: AnyMessage[]): Decision[] {
  const out: Decision[] = [];
  for (const m of ms) {
    const d = core.offer(m);
    out.push(d);
    if (d.do !== 'wait') core.advance(m);
  }
  return out;
}
const ops = (ds: Decision[]) => ds.flatMap((d) => (d.do === 'apply' ? [d.op] : []));

function started() {
  const msg = log();
  const core = new ReplicationCore(COLL, [V0, V1]);
  const ds = run(core, [create(msg, V0), create(msg, V1)]);
  return { msg, core, ds };
}

test('CreateCollection is a barrier: applied once, when both vchannels reached it', () => {
  const { ds } = started();
  assert.equal(ds.map((d) => d.do), ['wait', 'apply']);
  assert.is(ops(ds)[0]!.kind, 'createCollection');
});

test('Inserts and Deletes map to writes on the same shard, with append ids of source pchannel and position', () => {
  const { msg, core } = started();
  const r = ops(run(core, [msg('Insert', V1, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1, 2) }), msg('Delete', V0, { collectionId: COLL, partitionId: -1, pks: [3] })]));
  assert.equal(r.map((o) => [o.kind, 'shard' in o ? o.shard : -1, 'appendId' in o ? o.appendId : '']), [['insert', 1, 'cdc/10/dml_1/1'], ['delete', 0, 'cdc/10/dml_0/1']]);
  assert.is((r[0] as { partition: string }).partition, '_default');
  assert.is((r[1] as { partition: string | null }).partition, null);
});

test('a committed transaction applies as one txn at its commit; a rolled-back one never applies', () => {
  const { msg, core } = started();
  const ds = run(core, [
    msg('BeginTxn', V0, { keepaliveMs: 1000 }, { txn: 7 }),
    msg('Delete', V0, { collectionId: COLL, partitionId: -1, pks: [1] }, { txn: 7 }),
    msg('BeginTxn', V0, { keepaliveMs: 1000 }, { txn: 8 }),
    msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(9) }, { txn: 8 }),
    msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) }, { txn: 7 }),
    msg('RollbackTxn', V0, {}, { txn: 8 }),
    msg('CommitTxn', V0, {}, { txn: 7 }),
  ]);
  const r = ops(ds);
  assert.is(r.length, 1);
  const t = r[0] as Extract<typeof r[0], { kind: 'txn' }>;
  assert.is(t.kind, 'txn');
  assert.equal(t.writes.map((w) => w.kind), ['delete', 'insert']);
  assert.equal(t.writes.flatMap((w) => (w.kind === 'insert' ? w.rows.pks : w.pks)), [1, 1]);
  assert.is(t.appendId, 'cdc/10/dml_0/7');
  assert.is(core.openTxnCount, 0);
});

test('an uncommitted transaction holds the resume point at its BeginTxn; its keep-alive running out drops it', () => {
  const { msg, core } = started();
  const begin = msg('BeginTxn', V0, { keepaliveMs: 1000 }, { txn: 7 });
  run(core, [begin, msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) }, { txn: 7 }), msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(2) })]);
  assert.is(core.checkpoint().vchannels[V0]!.resume, begin.header.walPosition);
  assert.is(core.checkpoint().vchannels[V0]!.applied, begin.header.walPosition + 3);
  assert.is(core.scanFrom('dml_0'), begin.header.walPosition);
  core.tick('dml_0', begin.header.tso + tsoOf(5000));
  assert.is(core.openTxnCount, 0);
  assert.is(core.checkpoint().vchannels[V0]!.resume, begin.header.walPosition + 3);
});

test('a DDL on the vchannel aborts its open transactions (their commit would be refused)', () => {
  const { msg, core } = started();
  run(core, [msg('BeginTxn', V0, { keepaliveMs: 1000 }, { txn: 7 }), msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) }, { txn: 7 })]);
  run(core, [msg('CreatePartition', V0, { collectionId: COLL, partition: { id: 12, name: 'p' } }, { broadcast: 2 })]);
  assert.is(core.openTxnCount, 0);
});

test('positions advance only when the shell says a message was handled', () => {
  const { msg, core } = started();
  const ins = msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) });
  assert.is(core.offer(ins).do, 'apply');
  assert.is(core.checkpoint().vchannels[V0]!.applied, ins.header.walPosition);
  core.advance(ins);
  assert.is(core.checkpoint().vchannels[V0]!.applied, ins.header.walPosition + 1);
});

test('a barrier holds the first vchannel until the last arrives, then releases it; partitions map by name', () => {
  const { msg, core } = started();
  const a = msg('CreatePartition', V0, { collectionId: COLL, partition: { id: 12, name: 'p' } }, { broadcast: 2 });
  const b = msg('CreatePartition', V1, { collectionId: COLL, partition: { id: 12, name: 'p' } }, { broadcast: 2 });
  assert.is(core.offer(a).do, 'wait');
  assert.equal(core.checkpoint().vchannels[V0]!.applied, a.header.walPosition);
  const d = core.offer(b);
  assert.equal(d, { do: 'apply', op: { kind: 'createPartition', name: 'p' } });
  assert.equal(core.advance(b), [V0]);
  assert.is(core.checkpoint().vchannels[V0]!.applied, a.header.walPosition + 1);
  const ins = ops(run(core, [msg('Insert', V0, { collectionId: COLL, partitionId: 12, segmentId: 5, rows: rows(1) })]));
  assert.is((ins[0] as { partition: string }).partition, 'p');
});

test('after a restart, messages below the applied position make no operation but rebuild open transactions', () => {
  const { msg, core } = started();
  const all = [
    msg('BeginTxn', V0, { keepaliveMs: 1000 }, { txn: 7 }),
    msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) }, { txn: 7 }),
    msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(2) }),
  ];
  run(core, all);
  const again = new ReplicationCore(COLL, [V0, V1], JSON.parse(JSON.stringify(core.checkpoint())));
  assert.equal(ops(run(again, all)), []);
  const r = ops(run(again, [msg('CommitTxn', V0, {}, { txn: 7 })]));
  assert.equal(r.map((o) => o.kind), ['txn']);
});

test('DropCollection stops replication; TruncateCollection, AddCollectionField, AlterCollectionField, DropCollectionField and indexes map to target DDL', () => {
  const { msg, core } = started();
  const pair = <T extends MessageType>(type: T, body: Bodies[T], id: number) => ops(run(core, [msg(type, V0, body, { broadcast: id }), msg(type, V1, body, { broadcast: id })]));
  assert.equal(pair('TruncateCollection', { collectionId: COLL }, 3), [{ kind: 'truncate' }]);
  assert.equal(pair('AddCollectionField', { collectionId: COLL, field: { name: 'x', dataType: 'Int64', nullable: true } as never }, 4).map((o) => o.kind), ['addField']);
  assert.equal(pair('AlterCollectionField', { collectionId: COLL, fieldName: 'tag', params: { maxLength: 64 } }, 5), [{ kind: 'alterField', fieldName: 'tag', params: { maxLength: 64 } }]);
  assert.equal(pair('DropCollectionField', { collectionId: COLL, fieldName: 'tag' }, 6), [{ kind: 'dropField', fieldName: 'tag' }]);
  assert.equal(pair('AlterCollection', { collectionId: COLL, ttlSeconds: 0, ttlField: 'expire_at' }, 7), [{ kind: 'alterTtl', ttlSeconds: 0, ttlField: 'expire_at' }], 'entity-level TTL travels');
  assert.equal(pair('AlterCollection', { collectionId: COLL, ttlSeconds: 60 }, 8), [{ kind: 'alterTtl', ttlSeconds: 60 }]);
  assert.equal(pair('DropCollection', { collectionId: COLL }, 9), [{ kind: 'sourceDropped' }]);
});

test('AddCollectionFunction, AlterCollectionFunction and DropCollectionFunction map to target function DDL once every shard holds them', () => {
  const { msg, core } = started();
  const fn = { name: 'bm', type: 'BM25' as const, inputFieldNames: ['text'], outputFieldNames: ['sparse'] };
  assert.equal(ops(run(core, [msg('AddCollectionFunction', V0, { collectionId: COLL, function: fn }, { broadcast: 3 })])), [], 'not before every shard took it');
  assert.equal(ops(run(core, [msg('AddCollectionFunction', V1, { collectionId: COLL, function: fn }, { broadcast: 3 })])), [{ kind: 'addFunction', function: fn }]);
  const pair = <T extends MessageType>(type: T, body: Bodies[T], id: number) => ops(run(core, [msg(type, V0, body, { broadcast: id }), msg(type, V1, body, { broadcast: id })]));
  const altered = { ...fn, inputFieldNames: ['title'] };
  assert.equal(pair('AlterCollectionFunction', { collectionId: COLL, function: altered }, 4), [{ kind: 'alterFunction', function: altered }]);
  assert.equal(pair('DropCollectionFunction', { collectionId: COLL, functionName: 'bm' }, 5), [{ kind: 'dropFunction', functionName: 'bm' }]);
});

test('a vchannel whose first message is not its CreateCollection: a typed gap error', () => {
  const msg = log();
  const core = new ReplicationCore(COLL, [V0, V1]);
  try {
    core.offer(msg('Insert', V0, { collectionId: COLL, partitionId: 11, segmentId: 5, rows: rows(1) }));
    assert.unreachable('replicated a collection whose beginning the WAL no longer holds');
  } catch (e) {
    assert.instance(e, ReplicationGapError);
    assert.is((e as ReplicationGapError).code, 'ReplicationGap');
  }
});

test.run();
