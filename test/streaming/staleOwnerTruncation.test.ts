/**
 * An owner replaced without knowing it (fenced in storage, its lease still
 * fine as far as it can tell) cuts nothing from the log: a truncation waits
 * until an append stamped after the checkpoint that allows it succeeds, and a
 * fenced owner's appends do not. One process, no servers: the in-process bus,
 * embedded meta, local object store and local WAL.
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
import { until } from '../support/until.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a fenced owner that has not noticed skips the truncation its retention asks for', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-stale-cut-'));
  const bus = new MemoryBus();
  const meta = await EmbeddedMeta.open(join(dir, 'meta'));
  const objects = new LocalObjectStore(join(dir, 'objects'));
  const wal = new LocalWalBackend(join(dir, 'wal'), { segmentBytes: 4096 });
  const coordinator = new Coordinator({ bus, meta, pchannels: ['dml_0'], nodeId: 'coordinator-1' });
  const lines: string[] = [];
  const node = new StreamingNode({
    nodeId: 'sn-a', bus, meta, objects, wal, sessionTtlMs: 5000, log: (...a) => lines.push(a.map(String).join(' ')),
    config: { checkpointMs: 50, walRetention: { keepMs: 300, sampleMs: 0 } },
  });
  const other = new LocalWalBackend(join(dir, 'wal'));
  try {
    await coordinator.start();
    await node.start();
    const api = new NuthatchClient(bus);
    const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 2 }] };
    await api.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 1 });
    // Deletes hold no segment, so every checkpoint may cut up to itself once its mark is 300 ms old.
    let next = 0;
    const deleteSome = () => api.delete('c', { ids: Array.from({ length: 200 }, () => next++) });
    const cuts = () => lines.filter((l) => /\[dml_0#\d+\] truncated the WAL/.test(l)).length;
    const started = Date.now();
    while (cuts() === 0 && Date.now() - started < 20_000) { await deleteSome(); await sleep(20); }
    assert.ok(cuts() > 0, 'a live owner cuts its log');

    // Writes stop; the persisted tick that follows them is written, then a newer
    // owner opens the pchannel elsewhere. sn-a does not hear of it.
    await sleep(400);
    const newer = await other.openWriter('dml_0', 99);
    const first = await other.firstPosition('dml_0');
    const cutsBefore = cuts();
    // Its marks age past the retention, and a hand-off makes it checkpoint: a cut is due.
    await sleep(400);
    (node as unknown as { wals: Map<string, { markDirty(): void }> }).wals.get('dml_0')!.markDirty();
    await sleep(200);
    // Its next append is refused by storage: no proof, no cut. (Sent once: the client would retry for minutes.)
    const d = await api.describeCollection('c');
    const del = newMessage('Delete', d.vchannels[0]!, { collectionId: d.collectionId, partitionId: -1, pks: [next++] });
    const refused = await client<StreamingProtocol>(bus, streamingSubject('dml_0'), 10_000)('append', { message: encodeMessage(del) }).then(() => 'appended', (e: Error) => e.message);
    assert.match(refused, /fenced/i);
    await until(() => lines.some((l) => /\[dml_0#\d+\] WAL failed: .*fenced/i.test(l)), 'the stale owner to learn of the fence');
    await sleep(200);
    assert.is(cuts(), cutsBefore, 'nothing more was cut');
    assert.is(await other.firstPosition('dml_0'), first, 'the log starts where it did');
    await newer.close();
  } finally {
    await node.stop().catch(() => {});
    await coordinator.stop().catch(() => {});
    await other.close();
    await wal.close();
    await meta.close();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
