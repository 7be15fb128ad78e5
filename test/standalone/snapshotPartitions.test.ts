import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { until } from '../support/until.js';
import { tempStandalone } from './harness.js';

/**
 * A collection restored from a snapshot names the source's files, whose
 * headers carry the source's partition ids; its reads and rewrites go by its
 * own records' partitions. So a delete scoped to a partition, made before the
 * snapshot or in the restored collection, hides its row there (before and
 * after a compaction), and a query of one partition finds that partition's
 * rows. Found by the model check (seed 100: a row deleted in `_default`
 * before a snapshot came back in its restore).
 */
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 2 }] };
const indexParams = [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT' as const, metricType: 'L2' as const, params: {} }];

test('a restored snapshot honours partition-scoped deletes and partition filters on the source\'s files', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  try {
    const c = s.client;
    const strong = { consistencyLevel: 'Strong' as const };
    const ids = async (name: string, partitionNames?: string[]) =>
      (await c.query(name, { filter: 'id >= 0', outputFields: ['id'], ...(partitionNames ? { partitionNames } : {}), ...strong })).map((x) => Number(x.id)).sort((a, b) => a - b);
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', shardsNum: 1, load: true, indexParams });
    await c.createPartition('src', 'p1');
    await c.insert('src', Array.from({ length: 6 }, (_, id) => ({ id, vec: [id, 0] })), '_default');
    await c.insert('src', [{ id: 10, vec: [1, 1] }, { id: 11, vec: [2, 1] }], 'p1');
    await c.flush('src');
    await c.delete('src', { ids: [4], partitionName: '_default' });
    await c.createSnapshot({ collectionName: 'src', snapshotName: 'snap' });

    const { jobId } = await c.restoreSnapshot({ snapshotName: 'snap', targetCollectionName: 'dst' });
    await until(async () => (await c.getRestoreSnapshotState(jobId)).state === 'Completed', 'the restore', 60_000);
    await c.loadCollection('dst');
    assert.equal(await ids('dst'), [0, 1, 2, 3, 5, 10, 11], 'the delete scoped to _default before the snapshot still hides row 4');
    assert.equal(await ids('dst', ['p1']), [10, 11], 'a query of p1 finds p1\'s rows');
    assert.equal(await ids('dst', ['_default']), [0, 1, 2, 3, 5]);

    // A scoped delete in the restored collection, then a compaction that rewrites the source's file under dst's ids.
    await c.delete('dst', { ids: [11], partitionName: 'p1' });
    await c.delete('dst', { ids: [0], partitionName: 'p1' }); // row 0 is in _default: untouched
    const { compactionID } = await c.compact('dst');
    await until(async () => (await c.getCompactionState(compactionID)).state === 'Completed', 'the compaction', 60_000);
    assert.equal(await ids('dst'), [0, 1, 2, 3, 5, 10]);
    assert.equal(await ids('dst', ['p1']), [10]);
    assert.equal(await ids('src'), [0, 1, 2, 3, 5, 10, 11], 'the source is untouched');
  } finally { await s.cleanup(); }
});

test.run();
