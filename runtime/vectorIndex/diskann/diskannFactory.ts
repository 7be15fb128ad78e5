import { availableParallelism } from 'node:os';
import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { BuildPacer } from '../buildPacer.js';
import type { HeldFile, IndexBuildParams, VectorIndex, VectorIndexFactory } from '../vectorIndex.js';
import { decodeDiskannFile, LOAD_DEFAULTS, type DiskannParts } from './diskannFile.js';
import { beamWidthOf, DiskannIndex } from './diskannIndex.js';
import { bfsRows, CachedNodes, cachedNodeCount } from './nodeCache.js';
import { graphDim, graphRows } from './graphSpace.js';
import { encodeRecords, recordElementOf, recordLayout } from './nodeRecord.js';
import { FileNodes, HeldFileNodes, MemoryNodes } from './nodeStore.js';
import { encodePq, pqCodeBytes, pqStarts, trainPq } from './productQuantizer.js';
import { buildVamana } from './vamana.js';

/** Milvus's DISKANN build defaults (knowhere.DISKANN.build.*). */
export const DISKANN_DEFAULTS = { maxDegree: 56, searchListSize: 100, pqCodeBudgetGbRatio: 0.125 } as const;

export interface DiskannFactoryOptions {
  /** CPUs the beam width is reckoned by (beamwidth_ratio x CPUs); default the host's. */
  cpus?: number;
}

/**
 * DISKANN: a Vamana graph (vamana.ts) over the rows, their PQ codes
 * (productQuantizer.ts) sized by pq_code_budget_gb_ratio, and a file whose
 * node records a query node writes to `dir` (its local disk) on load and
 * reads during searches (diskannIndex.ts), keeping the codes and a cache of
 * the records nearest the entry point (search_cache_budget_gb_ratio,
 * nodeCache.ts) in memory. Given a held file that holds the index file
 * (the tiered storage disk tier's), a load reads the records from it in
 * place instead of writing them to `dir`. A Float16Vector or BFloat16Vector field
 * (params.vectorType) keeps its records at 16 bits a value (nodeRecord.ts).
 */
export function diskannFactory(dir: string, o: DiskannFactoryOptions = {}): VectorIndexFactory {
  const cpus = o.cpus ?? availableParallelism();
  return {
    async build(vectors: Float32Array, dim: number, metric: MetricType, params: IndexBuildParams = {}): Promise<VectorIndex> {
      if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0) throw new ValidationError(`${vectors.length} floats are not rows of dim ${dim}`);
      if (metric !== 'L2' && metric !== 'IP' && metric !== 'COSINE') throw new ValidationError(`DISKANN compares float vectors by L2, IP or COSINE, not ${metric}`);
      const maxDegree = params.maxDegree ?? DISKANN_DEFAULTS.maxDegree, buildList = params.searchListSize ?? DISKANN_DEFAULTS.searchListSize;
      if (!Number.isInteger(maxDegree) || maxDegree < 1 || maxDegree > 512) throw new ValidationError(`max_degree must be an integer in 1..512, got ${maxDegree}`, { field: 'max_degree' });
      if (!Number.isInteger(buildList) || buildList < 1) throw new ValidationError(`search_list_size must be a positive integer, got ${buildList}`, { field: 'search_list_size' });
      const cacheRatio = params.searchCacheBudgetGbRatio ?? LOAD_DEFAULTS.cacheRatio, beamwidthRatio = params.beamwidthRatio ?? LOAD_DEFAULTS.beamwidthRatio;
      if (!(cacheRatio >= 0 && cacheRatio < 0.3)) throw new ValidationError(`search_cache_budget_gb_ratio must be a number in [0, 0.3), got ${cacheRatio}`, { field: 'search_cache_budget_gb_ratio' });
      if (!(beamwidthRatio >= 1 && beamwidthRatio <= 128)) throw new ValidationError(`beamwidth_ratio must be a number in [1, 128], got ${beamwidthRatio}`, { field: 'beamwidth_ratio' });
      const count = vectors.length / dim, gdim = graphDim(dim, metric), seed = params.seed ?? 1;
      const m = Math.min(gdim, pqCodeBytes(dim, params.pqCodeBudgetGbRatio ?? DISKANN_DEFAULTS.pqCodeBudgetGbRatio));
      const pacer = new BuildPacer(params.signal);
      const rows = graphRows(vectors, dim, count, metric);
      const graph = await buildVamana(rows, gdim, { maxDegree, buildList, seed, pacer });
      const pq = count > 0 ? await trainPq(rows, gdim, m, seed, pacer) : { dim: gdim, m, ksub: 1, starts: pqStarts(gdim, m), centroids: new Float32Array(gdim) };
      const codes = count > 0 ? await encodePq(pq, rows, pacer) : new Uint8Array(0);
      pacer.check();
      // A half field's records keep its own 16-bit values (the graph and PQ were built on them widened: the same numbers).
      const element = recordElementOf(params.vectorType), layout = recordLayout(gdim, maxDegree, element), size = layout.size;
      const nodes = encodeRecords(layout, dim, vectors, rows, graph.degrees, graph.neighbours);
      const parts: DiskannParts = { metric, dim, count, maxDegree, medoid: graph.medoid, pq, codes, cacheRatio, beamwidthRatio, element };
      // Built (the index node's, to serialize): every record in memory, nothing to cache.
      const store = new CachedNodes(new MemoryNodes(nodes, size), size, count, new Int32Array(0), nodes);
      return new DiskannIndex(parts, store, beamWidthOf(beamwidthRatio, cpus));
    },

    async load(bytes: Uint8Array, dim: number, metric: MetricType, file?: HeldFile): Promise<VectorIndex> {
      // Checked whole (checksum, every record's links) before anything is built from it, a held file's bytes too.
      const { parts, nodes } = decodeDiskannFile(bytes, dim, metric);
      const { size, vectorBytes } = recordLayout(graphDim(dim, metric), parts.maxDegree, parts.element);
      // The cache is copied from the records before they go to the file (the file is written whole, read a record at a time).
      const cached = bfsRows(nodes, size, vectorBytes, parts.medoid, cachedNodeCount(parts.count, dim, size, parts.cacheRatio));
      // A held file (the disk tier's) holds these bytes: its records are read where they are, no copy written.
      const records = file
        ? new HeldFileNodes(file.fd, file.offset + (nodes.byteOffset - bytes.byteOffset), size, parts.count, file.retain())
        : await FileNodes.create(dir, nodes, size);
      const store = new CachedNodes(records, size, parts.count, cached, nodes);
      return new DiskannIndex(parts, store, beamWidthOf(parts.beamwidthRatio, cpus));
    },
  };
}
