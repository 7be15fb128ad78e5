import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NuthatchError } from '../../messages/errors.js';
import { startStandalone } from '../../runtime/standalone/standalone.js';

/** The WAL backend is recorded with the data: a restart on another backend refuses instead of starting empty. */
test('restarting on another WAL backend is refused with StorageMismatch', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-walkind-'));
  try {
    const s = await startStandalone({ dataDir, log: () => {} });
    await s.client.createCollection({ collectionName: 'c', metricType: 'L2', load: true, schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }] } });
    await s.stop();
    const err = await startStandalone({ dataDir, log: () => {}, wal: { kind: 'object' } }).then(async (x) => { await x.stop(); return null; }, (e) => e);
    assert.instance(err, NuthatchError);
    assert.is(err.code, 'StorageMismatch');
    assert.match(err.message, /--wal local/);
    const again = await startStandalone({ dataDir, log: () => {} });
    assert.equal(await again.client.listCollections(), ['c']);
    await again.stop();
  } finally { await rm(dataDir, { recursive: true, force: true }); }
});

test.run();
