/**
 * Idempotent appends, in one process (no servers): a message carrying an append
 * id is appended at most once. A retry is answered with the first append's TSO
 * and position, while it is in flight and after; and a new owner of the WAL
 * recognises it too, from the checkpoint and, with the checkpoint gone, from the
 * log alone (the ids are folded state, like everything else).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Coordinator } from '../../actors/coordinator/shell/coordinator.js';
import { StreamingNode } from '../../actors/streaming-node/shell/streamingNode.js';
import { encodeMessage } from '../../messages/codec.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { newMessage } from '../../messages/types.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { toColumns } from '../../runtime/client/rows.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { client, withRetry } from '../../runtime/rpc/typedBus.js';
import { ObjectWalBackend } from '../../runtime/wal/object/ObjectWalBackend.js';
import { rows } from './support/data.js';

const DIM = 4;
let dir = '';
let bus: MemoryBus, meta: EmbeddedMeta, objects: LocalObjectStore, wal: ObjectWalBackend;
let coordinator: Coordinator, node: StreamingNode, api: NuthatchClient;
let vchannel = '', collectionId = 0, partitionId = 0;

const sn: ReturnType<typeof client<StreamingProtocol>> = (op, req, t) => client<StreamingProtocol>(bus, streamingSubject('dml_0'))(op, req, t);
const append = (bytes: Uint8Array) => withRetry(() => sn('append', { message: bytes }), { deadlineMs: 30_000 });
const count = async () => Number((await api.query('c', { outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);

function insert(from: number, to: number, appendId: string): Uint8Array {
  const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vector', dataType: 'FloatVector' as const, dim: DIM }] };
  const m = newMessage('Insert', vchannel, { collectionId, partitionId, segmentId: -1, rows: toColumns(schema, rows(1, from, to, DIM), null) });
  m.header.appendId = appendId;
  return encodeMessage(m);
}

async function startNode(id: string): Promise<void> {
  node = new StreamingNode({ nodeId: id, bus, meta, objects, wal, sessionTtlMs: 1000 });
  await node.start();
}

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nuthatch-idem-'));
  bus = new MemoryBus();
  meta = await EmbeddedMeta.open(join(dir, 'meta'));
  objects = new LocalObjectStore(join(dir, 'objects'));
  wal = new ObjectWalBackend(objects, meta);
  coordinator = new Coordinator({ bus, meta, pchannels: ['dml_0'], nodeId: 'coordinator-1' });
  await coordinator.start();
  await startNode('sn-a');
  api = new NuthatchClient(bus);
  await api.createCollection({ collectionName: 'c', schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vector', dataType: 'FloatVector', dim: DIM }] }, metricType: 'L2', shardsNum: 1, load: true });
  const d = await api.describeCollection('c');
  [vchannel, collectionId, partitionId] = [d.vchannels[0]!, d.collectionId, d.partitions[0]!.id];
});

test.after(async () => {
  await node?.stop();
  await coordinator?.stop();
  await wal?.close();
  await meta?.close();
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a retry, concurrent or later, gets the first result and appends nothing', async () => {
  const bytes = insert(0, 10, 'w1');
  const [a, b] = await Promise.all([append(bytes), append(bytes)]);
  assert.equal(a, b);
  assert.equal(await append(bytes), a);
  assert.is(await count(), 10);
  const other = await append(insert(10, 20, 'w2'));
  assert.ok(other.position > a.position && other.tso > a.tso);
  assert.is(await count(), 20);
});

test('a new owner recognises a retry from the checkpoint', async () => {
  const first = await append(insert(0, 10, 'w1'));
  await node.stop(); // writes a checkpoint
  await startNode('sn-b');
  assert.equal(await append(insert(0, 10, 'w1')), first);
  assert.is(await count(), 20);
});

test('a new owner recognises a retry from the log alone (no checkpoint)', async () => {
  const w3 = await append(insert(20, 25, 'w3'));
  await node.stop();
  const checkpoints = await objects.list('checkpoints/dml_0/');
  assert.ok(checkpoints.length >= 1, 'the stop wrote a checkpoint');
  for (const o of checkpoints) await objects.delete(o.key);
  await startNode('sn-c');
  assert.equal(await append(insert(20, 25, 'w3')), w3);
  const w1 = await append(insert(0, 10, 'w1'));
  assert.ok(w1.position < w3.position);
  assert.is(await count(), 25);
});

test('a retried transaction (upsert) with an append id commits once', async () => {
  const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vector', dataType: 'FloatVector' as const, dim: DIM }] };
  const body = toColumns(schema, rows(2, 100, 103, DIM), null);
  const messages = [
    encodeMessage(newMessage('Delete', vchannel, { collectionId, partitionId: -1, pks: body.pks })),
    encodeMessage(newMessage('Insert', vchannel, { collectionId, partitionId, segmentId: -1, rows: body })),
  ];
  const req = { vchannel, messages, appendId: 't1' };
  const first = await withRetry(() => sn('appendTxn', req));
  assert.equal(await withRetry(() => sn('appendTxn', req)), first);
  assert.is(await count(), 28);
});

test.run();
