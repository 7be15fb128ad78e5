import type { StandaloneOptions } from '../../runtime/standalone/standalone.js';
import { parseExposition, valueOf } from '../metrics/parseExposition.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

/**
 * The tiered storage tests' collection: four partitions of 250 rows (one sealed segment each),
 * an HNSW index on the vectors and an INVERTED index on `color`, and the reads every test
 * compares against a full load's.
 */
export const DIM = 16, PARTS = 4, ROWS = 250;
const COLORS = ['red', 'green', 'blue', 'amber'];
export const vecs = vectors(PARTS * ROWS, DIM, 11);
export const row = (id: number) => ({ id, vec: vecs[id]!, color: COLORS[id % 4]!, price: (id * 37) % 1000 / 10, note: `item ${id} `.repeat(4) });
export const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'price', dataType: 'Double' as const },
    { name: 'note', dataType: 'VarChar' as const, maxLength: 256 },
  ],
};
/** Segments seal only on flush: one a partition. */
export const base: Partial<StandaloneOptions> = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
/** About two partitions' data and indexes (each ~60 KB as segmentBytes and the index files count them). */
export const BUDGET = 140_000;
export const TIERED: Partial<StandaloneOptions> = {
  ...base,
  tieredStorage: {
    // A count over every partition holds more than the budget at once: answered over budget (the old behaviour).
    enabled: true, evictionEnabled: true, memoryBudgetBytes: BUDGET, allowOverBudgetReads: true,
    warmup: { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' },
  },
};

export type System = Awaited<ReturnType<typeof tempStandalone>>;

/** A system with the collection; `properties`, per-index params, another schema (the same fields) and DISKANN for HNSW given at creation. */
export async function setup(opts: Partial<StandaloneOptions>, o: { properties?: Record<string, string>; indexParams?: Record<string, Record<string, string>>; schema?: typeof schema; indexType?: 'HNSW' | 'DISKANN' } = {}): Promise<System> {
  const s = await tempStandalone(opts);
  const indexParams = [
    o.indexType === 'DISKANN'
      ? { indexName: 'vec_idx', fieldName: 'vec', indexType: 'DISKANN', params: { max_degree: 16, ...o.indexParams?.vec_idx } as Record<string, number | string> }
      : { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200, ...o.indexParams?.vec_idx } },
    { indexName: 'color_idx', fieldName: 'color', indexType: 'INVERTED', params: { ...o.indexParams?.color_idx } as Record<string, number | string> },
  ];
  await s.client.createCollection({ collectionName: 'ts', schema: o.schema ?? schema, metricType: 'L2', shardsNum: 1, indexParams, load: true, ...(o.properties ? { properties: o.properties } : {}) });
  for (let p = 0; p < PARTS; p++) {
    await s.client.createPartition('ts', `p${p}`);
    await s.client.insert('ts', Array.from({ length: ROWS }, (_, i) => row(p * ROWS + i)), `p${p}`);
    await s.client.flush('ts');
  }
  await untilIndexedAndLoaded(s, 'ts', PARTS * ROWS);
  await untilIndexesServed(s, 'ts');
  return s;
}

export const metric = (s: System, name: string, labels: Record<string, string> = {}) => valueOf(parseExposition(s.metrics.render()), name, labels);
export const cached = (s: System) => metric(s, 'nuthatch_query_node_cache_bytes');

/** Two rounds over the partitions (the second reads what the first evicted), each read's answer in order; `after` runs after each read. */
export async function answers(s: System, after: () => void = () => {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let round = 0; round < 2; round++) {
    for (let p = 0; p < PARTS; p++) {
      const partitionNames = [`p${p}`];
      const [hits] = await s.client.search('ts', { data: [vecs[p * 31 + round]!], limit: 8, filter: 'color in ["red", "blue"]', outputFields: ['color', 'price'], partitionNames, consistencyLevel: 'Strong' });
      out.push(hits!.map((h) => [h.id, h.distance, h.fields.color, h.fields.price])); after();
      const rows = await s.client.query('ts', { filter: 'price < 20 and color != "green"', outputFields: ['id', 'color', 'note'], partitionNames, consistencyLevel: 'Strong' });
      out.push(rows.map((r) => [r.id, r.color, r.note]).sort((a, b) => (a[0] as number) - (b[0] as number))); after();
      const got = await s.client.get('ts', [p * ROWS + 3, p * ROWS + 200], { outputFields: ['vec', 'price'], partitionNames, consistencyLevel: 'Strong' });
      out.push(got.map((r) => [r.id, r.vec, r.price])); after();
    }
    const [count] = await s.client.query('ts', { filter: 'price >= 50', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    out.push(count); after();
  }
  return out;
}

