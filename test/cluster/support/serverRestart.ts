import * as assert from 'uvu/assert';
import type { ServerHandle } from '../../../runtime/devServices/serverHandle.js';
import { vectorOf } from './data.js';
import type { TestCluster } from './testCluster.js';
import { assertExactlyOnce, startWriters } from './writers.js';

/**
 * The restart case the nats-server and etcd specs share: writers insert through
 * the gateway while `server` is halted for half a second and started again; they
 * must see no error, and every acknowledged row must be stored exactly once (and
 * the last one found by a Strong search).
 */
export async function insertsAcrossRestart(c: TestCluster, server: ServerHandle, o: { name: string; seed: number; dim: number; outageMs?: number }): Promise<void> {
  const w = startWriters(c.http, o.name, { parallel: 2, batch: 100, dim: o.dim, seed: o.seed });
  await w.progress(10);
  const haltedAt = Date.now();
  await server.halt();
  await new Promise((r) => setTimeout(r, o.outageMs ?? 500));
  await server.start();
  await w.progress(10);
  const log = await w.stop();
  console.log(`  ${log.acked.length} rows acknowledged in ${log.batches} batches; longest batch ${log.maxBatchMs} ms; back ${Date.now() - haltedAt} ms after the halt or sooner`);
  assert.equal(log.failures, [], 'writers saw errors');
  await assertExactlyOnce(c.client, o.name, log.acked);
  const last = log.acked[log.acked.length - 1]!;
  const hits = await c.client.search(o.name, { data: [vectorOf(o.seed, last, o.dim)], limit: 1, consistencyLevel: 'Strong' });
  assert.is(hits[0]![0]!.id, last);
}
