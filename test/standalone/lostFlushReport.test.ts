import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startStandalone } from '../../runtime/standalone/standalone.js';
import { COORDINATOR_SUBJECT } from '../../messages/rpc/coordinator.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A segment persisted but whose report never reached the coordinator (the
 * streaming node stopped or died in between) is reported again when its
 * pchannel is opened. (Its Flush is written once it is recorded; a log written
 * before that order may hold the Flush of one never recorded: reported again
 * too.) It used to be held in memory for good,
 * with no record: reads saw its rows until the collection was released, and
 * the release dropped them (a flushed segment's rows wait in object storage,
 * under a record that did not exist). Found by the model check (standalone
 * seed 816 at 200 steps: a restart just after a flush cut short, then a
 * release and load lost the three rows inserted right before it).
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const count = async (s: { client: { query: (c: string, o: object) => Promise<Array<Record<string, unknown>>> } }) =>
  (await s.client.query('lf', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];

/** A standalone with 12 rows in 'lf' whose flush persisted their segment and sent its report, which never arrives. */
async function reportInFlight(): Promise<Awaited<ReturnType<typeof tempStandalone>>> {
  const first = await tempStandalone();
  await first.client.createCollection({ collectionName: 'lf', schema, metricType: 'L2', shardsNum: 1, load: true, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }] });
  await first.client.insert('lf', vectors(12, DIM, 7).map((vec, id) => ({ id, vec })));
  // The coordinator never hears of the persisted segment: its report is lost (and its Flush, written after the record, never is).
  let lost = 0;
  const request = first.bus.request.bind(first.bus);
  first.bus.request = (subject, data, opts) => {
    if (subject === COORDINATOR_SUBJECT && (decodeValue(data) as { op?: string }).op === 'segmentFlushed') { lost++; return new Promise(() => {}); }
    return request(subject, data, opts);
  };
  void first.client.flush('lf').catch(() => {});
  await until(() => lost > 0, 'the segment persisted and its report sent', 30_000);
  return first;
}

/** The same data dir started again. */
const restart = (dataDir: string) => startStandalone({ dataDir, ...(process.env.NUTHATCH_TEST_LOG === '1' ? {} : { log: () => {} }) });

test('a flushed segment whose report was lost is recorded after a restart, and a release and load keep its rows', async () => {
  const first = await reportInFlight();
  let s: Awaited<ReturnType<typeof startStandalone>> | undefined;
  try {
    await first.stop();
    s = await restart(first.dataDir);
    assert.is(await count(s), 12, 'the rows read after the restart');
    // The report is made again: the flush the restart cut short (and any later one) returns once the segment is recorded.
    await s.client.flush('lf');
    assert.is((await s.client.getCollectionStats('lf')).rowCount, 12, 'the segment recorded with its rows');
    await s.client.releaseCollection('lf');
    await s.client.loadCollection('lf');
    assert.is(await count(s), 12, 'the rows read after a release and load');
  } finally {
    await s?.stop().catch(() => {});
    await first.cleanup();
  }
});

/**
 * The window the test above leaves: a release while the report is in flight.
 * A release takes every flushed segment's rows out of memory (they wait in
 * object storage, under their record); one whose Flush was in the log before
 * its record existed left with them, and a restart before the report landed
 * lost it for good (its Flush replayed, but nothing held it to report again).
 * The segment is now recorded before its Flush is written, as Milvus orders it:
 * a segment whose report is in flight is sealed, not flushed, and is held
 * through the release and flushed again after the restart.
 */
test('a release while a flushed segment\'s report is in flight, then a restart: its rows are kept', async () => {
  const first = await reportInFlight();
  let s: Awaited<ReturnType<typeof startStandalone>> | undefined;
  try {
    // Released with the report in flight, then the node stops (its last checkpoint holds what the release left).
    await first.client.releaseCollection('lf');
    await first.stop();

    s = await restart(first.dataDir);
    await s.client.flush('lf');
    assert.is((await s.client.getCollectionStats('lf')).rowCount, 12, 'the segment recorded with its rows');
    await s.client.loadCollection('lf');
    assert.is(await count(s), 12, 'the rows read after the load');
  } finally {
    await s?.stop().catch(() => {});
    await first.cleanup();
  }
});

test.run();
