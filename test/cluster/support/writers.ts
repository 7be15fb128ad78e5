import * as assert from 'uvu/assert';
import type { NuthatchClient } from '../../../runtime/client/client.js';
import type { V2Client } from '../../http/support/v2Client.js';
import { rows } from './data.js';

/** What continuous writers saw: acknowledged ids, refused batches, and the longest wait for one batch. */
export interface WriteLog { acked: number[]; failures: string[]; batches: number; maxBatchMs: number }

/**
 * Writers that insert batches of fresh ids through the gateway until stopped,
 * `parallel` requests in flight. A batch is never retried by the test: the
 * streaming client's own retries must be enough, and a refused batch is a
 * failure to report, so "acknowledged" means acknowledged exactly once.
 */
export function startWriters(http: V2Client, collectionName: string, o: { parallel: number; batch: number; dim: number; seed: number; firstId?: number }) {
  const log: WriteLog = { acked: [], failures: [], batches: 0, maxBatchMs: 0 };
  let next = o.firstId ?? 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const from = next, to = next + o.batch;
      next = to;
      const started = Date.now();
      const r = await http.post('/entities/insert', { collectionName, data: rows(o.seed, from, to, o.dim) }).catch((e: Error) => ({ status: 0, json: { code: -1, message: e.message } }));
      log.maxBatchMs = Math.max(log.maxBatchMs, Date.now() - started);
      log.batches++;
      if (r.status === 200 && r.json.code === 0) for (let i = from; i < to; i++) log.acked.push(i);
      else log.failures.push(`ids ${from}..${to - 1}: ${r.json.code} ${r.json.message}`);
    }
  };
  const running = Promise.all(Array.from({ length: o.parallel }, worker));
  return {
    log,
    /** Resolves once `count` more batches were acknowledged. */
    async progress(count: number, limitMs = 120_000): Promise<void> {
      const target = log.acked.length + count * o.batch;
      const deadline = Date.now() + limitMs;
      while (log.acked.length < target) {
        if (Date.now() > deadline) throw new Error(`writers stalled at ${log.acked.length} rows (failures: ${log.failures.slice(0, 3).join('; ')})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(): Promise<WriteLog> { stopped = true; await running; return log; },
  };
}

/**
 * Every acknowledged id is there exactly once (count(*) equals the number of
 * acknowledged rows and the ids are the acknowledged ones), read with Strong
 * consistency through a streaming client.
 */
export async function assertExactlyOnce(client: NuthatchClient, collectionName: string, acked: number[]): Promise<void> {
  const [c] = await client.query(collectionName, { outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  const found = (await client.query(collectionName, { filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id as number);
  const want = [...acked].sort((a, b) => a - b);
  found.sort((a, b) => a - b);
  const dupes = found.filter((x, i) => i > 0 && found[i - 1] === x);
  assert.equal(dupes.slice(0, 10), [], 'ids stored more than once');
  const have = new Set(found);
  const missing = want.filter((x) => !have.has(x));
  assert.equal(missing.slice(0, 10), [], `${missing.length} acknowledged ids are missing`);
  assert.is(c!['count(*)'], acked.length, 'count(*) equals the acknowledged rows');
  assert.is(found.length, acked.length);
}
