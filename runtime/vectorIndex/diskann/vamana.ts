import type { BuildPacer } from '../buildPacer.js';
import { mulberry32 } from '../seededRandom.js';

/**
 * The Vamana graph of DiskANN (Subramanya et al., NeurIPS 2019), over rows
 * compared by squared L2 (the caller turns COSINE and IP into L2 first,
 * diskannVectors.ts). Built as the paper builds it: a random R-regular
 * graph, the medoid as the entry point, then two passes over the rows in a
 * random order, the first with alpha = 1 and the second with the alpha
 * asked (1.2): each row's neighbours become the robust prune of what a
 * greedy search for it visits, and each of them links back to it (pruned
 * again once over the bound). As in DiskANN's code, a row may hold up to
 * 1.3 R neighbours between prunes (fewer prunes), and a last sweep cuts
 * every row to R: the bound holds on the finished graph.
 */
export interface VamanaGraph {
  /** Most neighbours a row has (R). */
  readonly maxDegree: number;
  /** Row r's neighbour count. */
  readonly degrees: Int32Array;
  /** Row r's neighbours at [r * maxDegree, r * maxDegree + degrees[r]). */
  readonly neighbours: Int32Array;
  /** The row nearest the mean: every search starts there. */
  readonly medoid: number;
}

export interface VamanaOptions {
  /** R: the degree bound (Milvus's max_degree). */
  maxDegree: number;
  /** L: the candidate list of the build's greedy searches (Milvus's search_list_size). */
  buildList: number;
  /** The second pass's alpha (default 1.2): > 1 keeps longer edges, fewer hops. */
  alpha?: number;
  seed?: number;
  pacer?: BuildPacer;
}

/** DiskANN's GRAPH_SLACK_FACTOR: a row's list grows to this times R before it is pruned. */
const SLACK = 1.3;

export async function buildVamana(data: Float32Array, dim: number, o: VamanaOptions): Promise<VamanaGraph> {
  const n = data.length / dim, R = Math.max(1, Math.min(o.maxDegree, n - 1)), L = Math.max(o.buildList, 1);
  const cap = Math.max(R + 1, Math.ceil(R * SLACK)), rand = mulberry32(o.seed ?? 1);
  const b = new Builder(data, dim, n, R, cap, L);
  if (n <= 1) return { maxDegree: o.maxDegree, degrees: new Int32Array(n), neighbours: new Int32Array(n * o.maxDegree), medoid: 0 };
  b.randomGraph(rand);
  const medoid = medoidOf(data, dim, n);
  for (const alpha of [1, o.alpha ?? 1.2]) {
    const order = shuffled(n, rand);
    for (let i = 0; i < n; i++) {
      b.insert(order[i]!, medoid, alpha);
      if ((i & 15) === 15 && o.pacer?.due) await o.pacer.pause();
    }
  }
  // The last sweep: every row back to R neighbours at most.
  for (let p = 0; p < n; p++) if (b.deg[p]! > R) b.pruneOwn(p, o.alpha ?? 1.2);
  const degrees = new Int32Array(n), neighbours = new Int32Array(n * o.maxDegree);
  for (let p = 0; p < n; p++) {
    degrees[p] = b.deg[p]!;
    neighbours.set(b.adj.subarray(p * cap, p * cap + b.deg[p]!), p * o.maxDegree);
  }
  return { maxDegree: o.maxDegree, degrees, neighbours, medoid };
}

/** Squared L2 between rows a and b of `data`. */
export function l2Rows(data: Float32Array, a: number, b: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  const x = a * dim, y = b * dim, end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    const d0 = data[x + i]! - data[y + i]!, d1 = data[x + i + 1]! - data[y + i + 1]!;
    const d2 = data[x + i + 2]! - data[y + i + 2]!, d3 = data[x + i + 3]! - data[y + i + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; i < dim; i++) { const d = data[x + i]! - data[y + i]!; s0 += d * d; }
  return s0 + s1 + s2 + s3;
}

/** The row nearest the mean of all rows. */
export function medoidOf(data: Float32Array, dim: number, n: number): number {
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j]! += data[r * dim + j]!;
  let best = 0, bestD = Infinity;
  for (let r = 0; r < n; r++) {
    let d = 0;
    for (let j = 0; j < dim; j++) { const x = data[r * dim + j]! - mean[j]! / n; d += x * x; }
    if (d < bestD) { bestD = d; best = r; }
  }
  return best;
}

function shuffled(n: number, rand: () => number): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const t = a[i]!; a[i] = a[j]!; a[j] = t; }
  return a;
}

/** The graph while it is built, and the scratch its searches and prunes reuse. */
class Builder {
  readonly adj: Int32Array;
  readonly deg: Int32Array;
  /** seen[r] === epoch: r was met by the current search (or is in the current prune's pool). */
  private readonly seen: Uint32Array;
  private epoch = 0;
  // The greedy search's candidate list, ascending by distance.
  private readonly listIds: Int32Array;
  private readonly listD: Float64Array;
  private readonly listDone: Uint8Array;
  // The prune's pool.
  private poolIds: Int32Array;
  private poolD: Float64Array;

  constructor(private readonly data: Float32Array, private readonly dim: number, private readonly n: number,
    private readonly R: number, private readonly cap: number, private readonly L: number) {
    this.adj = new Int32Array(n * cap);
    this.deg = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.listIds = new Int32Array(L + 1); this.listD = new Float64Array(L + 1); this.listDone = new Uint8Array(L + 1);
    this.poolIds = new Int32Array(4 * L + cap + 1); this.poolD = new Float64Array(this.poolIds.length);
  }

  /** Each row linked to R distinct other rows drawn at random. */
  randomGraph(rand: () => number): void {
    for (let p = 0; p < this.n; p++) {
      const e = this.nextEpoch();
      this.seen[p] = e;
      while (this.deg[p]! < this.R) {
        const q = Math.floor(rand() * this.n);
        if (this.seen[q] === e) continue;
        this.seen[q] = e;
        this.adj[p * this.cap + this.deg[p]!++] = q;
      }
    }
  }

  /** One step of a pass: p's neighbours from a greedy search for it, and the links back. */
  insert(p: number, start: number, alpha: number): void {
    let size = this.search(p, start);
    // The pool: what the search expanded, and p's current neighbours (each once).
    const e = this.nextEpoch();
    for (let i = 0; i < size; i++) this.seen[this.poolIds[i]!] = e;
    for (let i = 0, at = p * this.cap; i < this.deg[p]!; i++) {
      const q = this.adj[at + i]!;
      if (this.seen[q] === e) continue;
      this.seen[q] = e;
      this.grow(size + 1);
      this.poolIds[size] = q; this.poolD[size++] = l2Rows(this.data, p, q, this.dim);
    }
    this.deg[p] = this.prune(p, size, alpha, p * this.cap);
    for (let i = 0, at = p * this.cap; i < this.deg[p]!; i++) this.linkBack(this.adj[at + i]!, p, alpha);
  }

  /** Prunes p's own list (over the bound) to R. */
  pruneOwn(p: number, alpha: number): void {
    const d = this.deg[p]!, at = p * this.cap;
    this.grow(d);
    for (let i = 0; i < d; i++) { const q = this.adj[at + i]!; this.poolIds[i] = q; this.poolD[i] = l2Rows(this.data, p, q, this.dim); }
    this.deg[p] = this.prune(p, d, alpha, at);
  }

  /** p joins q's list; a list past its slack is pruned back to R. */
  private linkBack(q: number, p: number, alpha: number): void {
    const at = q * this.cap, d = this.deg[q]!;
    for (let i = 0; i < d; i++) if (this.adj[at + i] === p) return;
    if (d < this.cap) { this.adj[at + d] = p; this.deg[q] = d + 1; return; }
    this.grow(d + 1);
    for (let i = 0; i < d; i++) { const r = this.adj[at + i]!; this.poolIds[i] = r; this.poolD[i] = l2Rows(this.data, q, r, this.dim); }
    this.poolIds[d] = p; this.poolD[d] = l2Rows(this.data, q, p, this.dim);
    this.deg[q] = this.prune(q, d + 1, alpha, at);
  }

  /**
   * The greedy search of the paper from `start` towards row p, with a list of
   * L: always expand the nearest row not yet expanded, until every row of
   * the list is. Leaves the expanded rows (p itself left out) and their
   * distances to p at the pool's front; returns how many.
   */
  private search(p: number, start: number): number {
    const { data, dim, adj, deg, cap, L, listIds, listD, listDone, seen } = this;
    const e = this.nextEpoch();
    seen[start] = e;
    listIds[0] = start; listD[0] = l2Rows(data, p, start, dim); listDone[0] = 0;
    let len = 1, cursor = 0, expanded = 0;
    while (cursor < len) {
      const v = listIds[cursor]!;
      listDone[cursor] = 1;
      if (v !== p) { this.grow(expanded + 1); this.poolIds[expanded] = v; this.poolD[expanded++] = listD[cursor]!; }
      let next = len;
      for (let i = 0, at = v * cap; i < deg[v]!; i++) {
        const u = adj[at + i]!;
        if (seen[u] === e) continue;
        seen[u] = e;
        const d = l2Rows(data, p, u, dim);
        if (len === L && d >= listD[L - 1]!) continue;
        // Insert in order; the last one falls off a full list.
        let k = len < L ? len++ : L - 1;
        while (k > 0 && listD[k - 1]! > d) { listIds[k] = listIds[k - 1]!; listD[k] = listD[k - 1]!; listDone[k] = listDone[k - 1]!; k--; }
        listIds[k] = u; listD[k] = d; listDone[k] = 0;
        if (k < next) next = k;
      }
      // The nearest row not expanded: at the first insert if it came before the cursor, else past the cursor.
      cursor = Math.min(next, cursor + 1);
      while (cursor < len && listDone[cursor]) cursor++;
    }
    return expanded;
  }

  /**
   * RobustPrune(p, pool, alpha, R): take the pool's nearest row to p, drop
   * every row r it occludes (alpha * d(chosen, r) <= d(p, r)), repeat until
   * R are chosen or none is left. Writes them at `out` in adj; returns how many.
   */
  private prune(p: number, size: number, alpha: number, out: number): number {
    const { poolIds, poolD, data, dim } = this;
    const order = Int32Array.from({ length: size }, (_, i) => i).sort((a, b) => poolD[a]! - poolD[b]! || poolIds[a]! - poolIds[b]!);
    const gone = new Uint8Array(size);
    let chosen = 0;
    for (let i = 0; i < size && chosen < this.R; i++) {
      const a = order[i]!, v = poolIds[a]!;
      if (gone[a] || v === p) continue;
      // Written after every read of the old list (the pool is a copy of it).
      this.adj[out + chosen++] = v;
      for (let j = i + 1; j < size; j++) {
        const c = order[j]!;
        if (!gone[c] && alpha * l2Rows(data, v, poolIds[c]!, dim) <= poolD[c]!) gone[c] = 1;
      }
    }
    return chosen;
  }

  private grow(size: number): void {
    if (size <= this.poolIds.length) return;
    const ids = new Int32Array(size * 2), d = new Float64Array(size * 2);
    ids.set(this.poolIds); d.set(this.poolD);
    this.poolIds = ids; this.poolD = d;
  }

  private nextEpoch(): number {
    if (++this.epoch === 0xffffffff) { this.seen.fill(0); this.epoch = 1; }
    return this.epoch;
  }
}
