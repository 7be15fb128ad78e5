import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type Standalone, type StandaloneOptions } from '../../runtime/standalone/standalone.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';

/** A standalone nuthatch in this process on a fresh temp data dir. */
export async function tempStandalone(opts: Partial<StandaloneOptions> = {}): Promise<Standalone & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'nuthatch-sa-'));
  const quiet = process.env.NUTHATCH_TEST_LOG === '1' ? undefined : () => {};
  const s = await startStandalone({ dataDir, log: quiet, ...opts });
  return { ...s, dataDir, async cleanup() { await s.stop().catch(() => {}); await rm(dataDir, { recursive: true, force: true }); } };
}

import { mulberry32 as rng } from '../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { rng };

export function vectors(n: number, dim: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => r() * 2 - 1));
}

/** Waits until a collection's `rows` persisted rows are indexed (by every index) and every segment is served by a query node. */
export async function untilIndexedAndLoaded(s: Pick<Standalone, 'client'>, collection: string, rows: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const indexes = await s.client.describeIndex(collection);
    const built = indexes.length > 0 && indexes.every((idx) => idx.indexState === 'Finished' && idx.indexedRows === rows);
    if (built && (await s.client.getLoadState(collection)).loadProgress === 100) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${rows} rows of ${collection} indexed and loaded`);
}


/**
 * Waits until the query node holds every index file the collection's segment
 * records name: a segment reloads with a new index after the build is
 * recorded, so describeIndex may say Finished a moment before.
 */
export async function untilIndexesServed(s: Pick<Standalone, 'client' | 'bus'>, collection: string, queryNode = 'qn-1'): Promise<void> {
  const { collectionId } = await s.client.describeCollection(collection);
  const coord = busClient<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT), qn = busClient<QueryNodeProtocol>(s.bus, queryNodeSubject(queryNode));
  for (let i = 0; i < 300; i++) {
    const segs = await coord('segments', { collectionId });
    const held = new Set((await qn('status', {})).files.flatMap((f) => f.indexKeys));
    if (segs.length > 0 && segs.every((seg) => Object.values(seg.indexKeys).every((k) => held.has(k)))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for the query node to hold the indexes of ${collection}`);
}
