/**
 * An open of a pchannel that fails (fenced by a newer term before it
 * recovered anything) is closed without a checkpoint. It used to checkpoint
 * on close: an empty state under its own term, newer than the real
 * checkpoint, replaying from 0. Once the log had been truncated, every later
 * owner refused to open the pchannel (StorageMismatch: the WAL starts at N,
 * but its newest checkpoint replays from 0) and its shard took no write or
 * Strong read again. Found by the cluster model check (seed 37 at 60 steps: a
 * coordinator restart reassigned a pchannel twice in a row, so the first new
 * owner was fenced while it opened). No servers: local WAL and object store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCheckpoint, saveCheckpoint } from '../../actors/streaming-node/shell/checkpoint.js';
import { DEFAULT_STREAMING_CONFIG, type NodeContext } from '../../actors/streaming-node/shell/nodeContext.js';
import { PchannelWal } from '../../actors/streaming-node/shell/pchannelWal.js';
import { StreamingMetrics } from '../../actors/streaming-node/shell/streamingMetrics.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { rejection } from '../support/until.js';

test('an open fenced by a newer term writes no checkpoint when it is closed: the newest stays the last owner\'s', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-failed-open-'));
  const objects = new LocalObjectStore(join(dir, 'objects'));
  const backend = new LocalWalBackend(join(dir, 'wal'));
  try {
    // The last owner's checkpoint (term 3), and a newer owner (term 5) that has opened the log already.
    await saveCheckpoint(objects, 'dml_0', { term: 3, applied: 4, replayFrom: 2, vchannels: {}, shards: {} });
    const newer = await backend.openWriter('dml_0', 5);
    const fail = () => { throw new Error('not used by a failed open'); };
    const node: NodeContext = {
      nodeId: 'sn-a', log: () => {}, config: DEFAULT_STREAMING_CONFIG, coordinator: fail as never, objects,
      allocId: fail, dispatchFlush: fail, flushApplied: fail, walFailed: () => {}, metrics: new StreamingMetrics('sn-a'),
    };
    const wal = new PchannelWal('dml_0', 4, node, backend);
    const e = await rejection(wal.open());
    assert.is(e.code, 'Fenced', 'term 4 is fenced by term 5');
    await wal.close();
    const newest = await loadCheckpoint(objects, 'dml_0');
    assert.equal({ term: newest?.term, applied: newest?.applied, replayFrom: newest?.replayFrom }, { term: 3, applied: 4, replayFrom: 2 });
    await newer.close();
  } finally {
    await backend.close();
    await objects.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
