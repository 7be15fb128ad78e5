import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT } from '../../messages/rpc/coordinator.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A segment is recorded before its Flush is written (streamingNode.ts
 * dispatchFlush), so a report the coordinator refuses (the collection
 * truncated, or the partition dropped, since the segment was sealed) is
 * answered while the segment is still only sealed on its WAL. A flush opened
 * between that answer and the Flush named the segment and waited for a record
 * that never comes: it heard only of refusals made while it was open, and
 * timed out after 300 s. Found by the model check (standalone seed 1153 at 200
 * steps: a flush after a truncation). The streaming node now leaves out of a
 * flush the segments whose report is answered, and waits for those whose
 * report is in flight.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

test('a flush opened after a segment\'s report was refused, before its Flush is written, returns', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'rf', schema, metricType: 'L2', shardsNum: 1, load: true, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }] });
    await s.client.insert('rf', vectors(12, DIM, 7).map((vec, id) => ({ id, vec })));

    // The report reaches the coordinator, which answers; the answer is held from the streaming node until a flush asks it to seal.
    let answered = 0, sealing = false;
    let deliver!: () => void;
    const held = new Promise<void>((r) => { deliver = r; });
    const request = s.bus.request.bind(s.bus);
    s.bus.request = (subject, data, opts) => {
      const op = (decodeValue(data) as { op?: string }).op;
      if (subject === COORDINATOR_SUBJECT && op === 'segmentFlushed') {
        const reply = request(subject, data, opts);
        void reply.then(() => answered++, () => {});
        return held.then(() => reply);
      }
      if (op === 'sealAll') { sealing = true; const reply = request(subject, data, opts); deliver(); return reply; }
      return request(subject, data, opts);
    };
    // The truncation seals the growing segment; its report is refused (its rows are from before the truncation).
    await s.client.truncateCollection('rf');
    await until(() => answered > 0, 'the sealed segment persisted and its report refused', 30_000);

    // A hang here lasts the coordinator's 300 s wait; it answers at once when nothing is left to wait for.
    let hung: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      s.client.flush('rf'),
      new Promise<'hung'>((res) => { hung = setTimeout(() => res('hung'), 60_000); }),
    ]).finally(() => clearTimeout(hung));
    assert.ok(sealing, 'the flush asked the streaming node to seal while the answer was held');
    assert.is.not(r, 'hung', 'the flush returned');
    assert.is((await s.client.query('rf', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 0, 'no row outlived the truncation');
  } finally {
    await s.cleanup();
  }
});

test.run();
