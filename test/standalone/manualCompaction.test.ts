import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Manual compaction jobs outlive the coordinator that started them: a job's
 * state is still known after a restart, and a job the previous coordinator
 * left executing is run again and ends Completed, with its work done.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const opts = { coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } };

test('a compaction\'s state survives a restart; one left executing is run again to completion', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'mc', schema, metricType: 'L2', load: true });
    await s.client.insert('mc', vectors(200, DIM, 2).map((vec, id) => ({ id, vec })));
    await s.client.flush('mc');
    await until(async () => (await s.client.getLoadState('mc')).loadProgress === 100, 'served', 30_000);
    const collectionId = (await s.client.describeCollection('mc')).collectionId;
    const { compactionID } = await s.client.compact('mc');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'completed', 60_000);
    await s.client.delete('mc', { ids: [1, 2, 3] });
    await s.stop();

    // What a coordinator cut off mid-job leaves: the job on record, still executing.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    await putRecord(meta, Keys.compaction(999_999), { compactionID: 999_999, collectionId, state: 'Executing' });
    await meta.close();

    s = await tempStandalone({ ...opts, dataDir });
    assert.equal({ ...(await s.client.getCompactionState(compactionID)) }, { state: 'Completed' }, 'the finished job is still known');
    await until(async () => (await s.client.getCompactionState(999_999)).state === 'Completed', 'the cut-off job run again', 60_000);
    const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    assert.is(segs.reduce((n, x) => n + x.rows, 0), 197, 'its work done: the deleted rows are gone from the files');
    assert.is((await s.client.getCompactionState(123)).state, 'UndefiedState');
  } finally { await s.cleanup(); }
});

test.run();
