import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { client } from '../../runtime/rpc/typedBus.js';
import { dataNodeSubject, type DataNodeProtocol } from '../../messages/rpc/workers.js';
import type { BackupView } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A restore's create step run twice at once (a data node that froze mid-step,
 * woke and ran on while another node took the step over): both runs end done,
 * with one collection, its partitions and its index, not "collection exists".
 */
test('a restore create step run twice at once: both done, the collection made once', async () => {
  const s = await tempStandalone();
  const c = s.client;
  try {
    const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 4 }] };
    await c.createCollection({ collectionName: 'src', schema, metricType: 'L2', indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await c.createPartition('src', 'p1');
    await c.insert('src', vectors(20, 4, 3).map((vec, id) => ({ id, vec })));
    const { backupName } = await c.createBackup('src', 'b');
    let b!: BackupView;
    await until(async () => { b = await c.describeBackup(backupName); return b.state === 'Completed' || b.state === 'Failed'; }, 'backup ends', 60_000);
    assert.is(b.state, 'Completed', b.reason);
    const dn = client<DataNodeProtocol>(s.bus, dataNodeSubject('dn-1'));
    const req = { backupName, dbName: 'default', collection: 'again' };
    const [one, two] = await Promise.allSettled([dn('createFromBackup', req), dn('createFromBackup', req)]);
    assert.equal([one.status, two.status], ['fulfilled', 'fulfilled'], `${(one as PromiseRejectedResult).reason ?? ''} ${(two as PromiseRejectedResult).reason ?? ''}`);
    assert.equal((await c.listCollections()).filter((n) => n === 'again'), ['again']);
    assert.equal((await c.listPartitions('again')).sort(), ['_default', 'p1']);
    assert.equal(await c.listIndexes('again'), ['v']);
  } finally { await s.cleanup(); }
});

test.run();
