import * as assert from 'uvu/assert';
import { until } from '../until.js';
import { schema, type RunState } from './rows.js';

/**
 * The model check's maintenance and DDL steps: flushes, compactions,
 * release/load, truncates, renames, alias swaps and a partition dropped and
 * made again. Each keeps the model in step (a dropped partition loses its rows).
 */
export const ALIAS = 'model_alias';
const NAMES = ['model', 'model_b'];
const SCRATCH = 'model_scratch';

/** Makes the run's collection (two shards, a FLAT index, loaded), its second partition and the alias naming it. */
export async function createModelCollection(s: RunState): Promise<void> {
  await s.client.createCollection({
    collectionName: s.name, schema, metricType: 'L2', shardsNum: 2, load: true,
    indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }],
  });
  await s.client.createPartition(s.name, 'p1');
  await s.client.createAlias(s.name, ALIAS);
}

export async function flush(s: RunState): Promise<void> {
  await s.client.flush(s.name);
  s.stats.flushes++;
}

export async function compact(s: RunState): Promise<void> {
  const { compactionID } = await s.client.compact(s.name);
  await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', `${s.where}: compaction`, 60_000);
  s.stats.compactions++;
}

export async function releaseAndLoad(s: RunState): Promise<void> {
  await s.client.releaseCollection(s.name);
  await s.client.loadCollection(s.name);
}

export async function truncate(s: RunState): Promise<void> {
  await s.client.truncateCollection(s.name);
  s.model.clear();
  s.stats.truncates++;
}

/** Renames the collection; its alias goes with it. */
export async function rename(s: RunState): Promise<void> {
  const next = NAMES.find((n) => n !== s.name)!;
  await s.client.renameCollection(s.name, next);
  s.name = next;
  s.stats.renames++;
}

/** Points the alias at an empty collection and back: while it points away, it reads that one. */
export async function aliasSwap(s: RunState): Promise<void> {
  if (!(await s.client.hasCollection(SCRATCH))) {
    await s.client.createCollection({
      collectionName: SCRATCH, schema, metricType: 'L2', load: true,
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }],
    });
  }
  await s.client.alterAlias(SCRATCH, ALIAS);
  const away = await s.client.query(ALIAS, { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  assert.is(away[0]!['count(*)'], 0, `${s.where}: the alias reads the empty collection it was pointed at`);
  await s.client.alterAlias(s.name, ALIAS);
  s.stats.aliasSwaps++;
}

/** Releases, drops and makes again the second partition, and loads it: its rows are gone. */
export async function recreatePartition(s: RunState): Promise<void> {
  await s.client.releasePartitions(s.name, ['p1']);
  await s.client.dropPartition(s.name, 'p1');
  for (const [id, row] of s.model) if (row.part === 'p1') s.model.delete(id);
  await s.client.createPartition(s.name, 'p1');
  await s.client.loadPartitions(s.name, ['p1']);
  s.stats.partitionDrops++;
}
