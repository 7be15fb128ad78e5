import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupView } from '../../runtime/client/api.js';
import { DATA_NODE_SUBJECT, dataNodeSubject, queryNodeSubject } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/** A request to the data node: on its own subject (it holds a session, runtime/rpc/workerPool.ts) or its queue group. */
const toDataNode = (subject: string) => subject === DATA_NODE_SUBJECT || subject === dataNodeSubject('dn-1');

/**
 * A backup asked for while its collection is still loading (segments
 * reloading after a restart, a load in flight) waits for the load: it had
 * failed at once, "must be loaded to be backed up", since a collection
 * loading is not LoadStateLoaded. Found by the model check (standalone seeds
 * 353 and 388 at 150 steps: a backup two steps after a restart).
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = (from: number, n: number) => vectors(n, DIM, from + 1).map((vec, i) => ({ id: from + i, vec }));

test('a backup of a collection still loading waits for the load and holds every row', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'bl', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }] });
    for (const from of [0, 100]) { await s.client.insert('bl', rows(from, 15)); await s.client.flush('bl'); }
    const { collectionId } = await s.client.describeCollection('bl');

    // The query node's segment loads wait for the gate: the collection stays loading (loaded, progress under 100).
    let heldLoads = 0, described = 0, opened = false;
    const request = s.bus.request.bind(s.bus);
    s.bus.request = async (subject, data, opts) => {
      const req = decodeValue(data) as { op?: string; segment?: { collectionId?: number } };
      if (subject === queryNodeSubject('qn-1') && req.op === 'load' && req.segment?.collectionId === collectionId) {
        heldLoads++;
        await until(() => opened, 'the gate opened', 60_000);
      }
      try { return await request(subject, data, opts); } finally { if (toDataNode(subject) && req.op === 'describeForBackup') described++; }
    };
    const loading = s.client.loadCollection('bl');
    await until(() => heldLoads > 0, 'a segment load asked of the query node', 30_000);
    assert.is((await s.client.getLoadState('bl')).loadState, 'LoadStateLoading');

    await s.client.createBackup('bl', 'while_loading');
    await until(() => described > 0, 'the backup looked at the collection while it loaded', 30_000);
    assert.is((await s.client.getLoadState('bl')).loadState, 'LoadStateLoading', 'still loading when the backup looked');
    opened = true;
    await loading;
    s.bus.request = request;

    let v!: BackupView;
    await until(async () => { v = await s.client.describeBackup('while_loading'); return v.state === 'Completed' || v.state === 'Failed'; }, 'the backup ends', 120_000);
    assert.is(v.state, 'Completed', v.reason);
    assert.is(v.rows, 30);
  } finally { await s.cleanup(); }
});

test.run();
