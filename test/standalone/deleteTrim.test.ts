import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage } from '../../messages/codec.js';
import { NuthatchError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { newMessage } from '../../messages/types.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A shard's delete log does not grow forever: once it is long, compaction
 * examines the segments that hold it back (here one sealed segment, 5% deleted:
 * rewritten although below the ratio), and the owner trims the deletes that no
 * segment needs any more. Deletes a growing segment still needs stay. Reads give
 * the same answers before, after, and after a restart (where the query node
 * catches up on a log whose head is gone).
 */
const DIM = 4, N = 1000;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const opts = { coordinator: { compaction: { intervalMs: 150, graceMs: 0, trimAfterEntries: 500, trimExaminations: 4 } }, streaming: { checkpointMs: 100 } };

test('a long delete log is trimmed below what every segment needs; reads agree before, after and across a restart', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const vecs = vectors(N, DIM, 11);
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', indexParams, shardsNum: 1, load: true });
    await s.client.insert('c', vecs.map((vec, id) => ({ id, vec })));
    await s.client.flush('c');
    const { vchannels } = await s.client.describeCollection('c') as unknown as { vchannels: string[] };
    const vchannel = vchannels[0]!;
    const pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    const logOf = () => client<StreamingProtocol>(s.bus, streamingSubject(pchannel))('deletes', { vchannel, fromSeq: Number.MAX_SAFE_INTEGER });

    // 50 real deletes (5% of the sealed segment) and 2,000 of ids that never existed.
    await s.client.delete('c', { ids: [...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 2000 }, (_, i) => 10_000 + i)] });
    // A growing segment written after them, half deleted: these deletes must stay.
    await s.client.insert('c', Array.from({ length: 10 }, (_, i) => ({ id: 5000 + i, vec: vecs[i]! })));
    await s.client.delete('c', { ids: [5000, 5001, 5002, 5003, 5004] });
    const count = async () => Number((await s.client.query('c', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);
    const expected = N - 50 + 5;
    assert.is(await count(), expected);

    await until(async () => (await logOf()).base > 0, 'the delete log trimmed', 60_000);
    const log = await logOf();
    assert.equal([log.base, log.seq], [2050, 2055], 'every delete before the growing segment went; its own five stay');
    const [sealed] = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: (await s.client.describeCollection('c')).collectionId });
    assert.is(sealed!.rows, N - 50, 'the sealed segment was rewritten without its 50 deleted rows, though below the ratio');
    assert.ok(sealed!.deletesAppliedTso !== undefined && sealed!.deletesAppliedTso >= log.floorTso, 'its cover reaches the floor');
    assert.is(await count(), expected);
    assert.equal((await s.client.get('c', [0, 49, 50, 5003, 5005])).map((r) => r.id), [50, 5005]);
    const hits = await s.client.search('c', { data: [vecs[77]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(Number(hits[0]![0]!.id), 77);

    // A client cannot append a trim of its own.
    const forged = newMessage('TrimDeletes', vchannel, { collectionId: 1, floorTso: 1n });
    const refused = await client<StreamingProtocol>(s.bus, streamingSubject(pchannel))('append', { message: encodeMessage(forged) }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof NuthatchError && refused.code === 'InvalidArgument', `refused: ${String(refused)}`);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    assert.equal([(await logOf()).base, (await logOf()).seq], [2050, 2055], 'the checkpoint keeps the trim');
    assert.is(await count(), expected, 'the query node caught up on the trimmed log');
    assert.equal((await s.client.get('c', [0, 49, 50, 5003, 5005])).map((r) => r.id), [50, 5005]);

    // Replaying the log offline folds the same trim.
    await s.stop();
    const cli = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'replay', '--data-dir', dataDir, '--pchannel', pchannel, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.is(r.status, 0, r.stderr);
    const [replayed] = (JSON.parse(r.stdout) as { pchannels: Array<{ summary: { vchannels: Array<{ view: { vchannel: string }; deletes: number; deletesTrimmed?: number }> } }> }).pchannels;
    const v = replayed!.summary.vchannels.find((x) => x.view.vchannel === vchannel)!;
    assert.equal([v.deletes, v.deletesTrimmed], [5, 2050]);
  } finally { await s.cleanup(); }
});

test.run();
