/**
 * JSON shredding of a growing segment (jsonShredding.ts shreds sealed ones).
 * A growing segment's rows arrive in chunks (one an insert, each with its own
 * TSO and partition, which reads filter by: streaming-node/core/shardData.ts),
 * and a filter binds to one chunk at a time, so each chunk's JSON columns get
 * their own shredded form, the one sealed segments have: a filter on a JSON
 * path over a chunk runs the same column predicate (shreddedPredicate.ts).
 *
 * Which paths get columns is decided over the whole segment so far, since a
 * growing segment cannot know its final key frequencies:
 *
 * - a path is *promoted* once the segment holds at least GROWING_WARMUP_ROWS
 *   rows and more than `jsonShreddingRatioThreshold` of them hold a scalar
 *   there (the sealed rule, over the rows so far), most frequent first, at
 *   most `jsonShreddingMaxColumns` paths a column. Promotion is for good: a
 *   path whose share later falls keeps its column (rows are only appended);
 * - a promoted path is a typed or dynamic column in every chunk that holds
 *   it, by that chunk's own values; any other path is shared (its rows);
 * - when a path is promoted, the chunks shredded before it get its column
 *   (backfill: they are shredded again), so every chunk of the segment holds
 *   the same columns;
 * - chunks of fewer than GROWING_MIN_CHUNK_ROWS rows count towards the
 *   frequencies but are read row by row: a column a few rows long costs more
 *   memory than its rows and saves no time. Small chunks are merged
 *   (streaming-node/core/chunkMerge.ts), and a merged chunk is shredded as
 *   it is made (its rows were counted already).
 *
 * A chunk's shredded form is a view of rows that never change: deletes are
 * the delete log's and hide rows at read time, TSO visibility is the chunk's,
 * so neither touches it. Pure: no I/O, the same chunks shred the same way.
 */
import { attachShredded, shreddedOf, type ShreddedJson } from '../../../messages/filter/shreddedJson.js';
import { classifyPaths, occurrences, shredColumnAs, shreddedBytes, type JsonShreddingConfig, type PathStats } from './jsonShredding.js';

/** Rows a growing segment holds before any of its paths is promoted to a column. */
export const GROWING_WARMUP_ROWS = 64;
/** Chunks (one insert's rows) shorter than this are not shredded. */
export const GROWING_MIN_CHUNK_ROWS = 16;

/** How a growing segment's JSON columns are shredded: which columns, under which knobs. */
export interface GrowingShredPlan {
  columns: readonly string[];
  cfg: JsonShreddingConfig;
  /** Tests and benches: other thresholds than GROWING_WARMUP_ROWS and GROWING_MIN_CHUNK_ROWS. */
  warmupRows?: number;
  minChunkRows?: number;
}

/** One JSON column's shredding across a growing segment's chunks. */
interface ColumnShredding {
  /** Rows of the chunks that held this column. */
  rows: number;
  /** Rows holding a value at each path (pathKey), and whether any is a scalar. */
  held: Map<string, { rows: number; scalar: boolean }>;
  /** Paths with a column in every shredded chunk. */
  promoted: Set<string>;
  /** The chunks' columns that carry a shredded form, for the backfill. */
  shredded: Array<{ column: unknown[]; count: number; bytes: number }>;
}

/** A growing segment's shredding state, by JSON column name. Not checkpointed: a replay of the chunks rebuilds it. */
export interface GrowingShredding { columns: Map<string, ColumnShredding>; bytes: number }

export const newGrowingShredding = (): GrowingShredding => ({ columns: new Map(), bytes: 0 });

/**
 * Shreds the JSON columns of a chunk just appended to the segment `g`
 * belongs to (`fields`, `count` rows), promoting paths and backfilling
 * earlier chunks as the module comment says. Mutates `g` and hangs the forms
 * on the column arrays.
 */
export function shredGrowingChunk(g: GrowingShredding, fields: Readonly<Record<string, unknown[]>>, count: number, plan: GrowingShredPlan): void {
  if (!plan.cfg.enabledJSONShredding || count === 0) return;
  const minChunk = plan.minChunkRows ?? GROWING_MIN_CHUNK_ROWS;
  for (const name of plan.columns) {
    const column = fields[name];
    if (column === undefined || shreddedOf(column) !== undefined) continue;
    let c = g.columns.get(name);
    if (c === undefined) { c = { rows: 0, held: new Map(), promoted: new Set(), shredded: [] }; g.columns.set(name, c); }
    const state = c;
    let added: string[] = [];
    const form = shredColumnAs(column, count, (stats) => {
      absorb(state, stats, count);
      added = promote(state, plan);
      return count >= minChunk ? chunkClasses(state, stats, count, plan.cfg) : new Map();
    });
    if (added.length > 0) backfill(g, state, plan.cfg);
    if (count < minChunk) continue;
    keepForm(g, state, column, count, form);
  }
}

/**
 * A chunk merged from others (`gone`: their JSON-holding fields): theirs
 * forms are forgotten, and the merged chunk's columns shredded under the
 * paths promoted so far. Its rows' frequencies were counted as they came.
 */
export function shredMergedChunk(g: GrowingShredding, gone: ReadonlyArray<Readonly<Record<string, unknown[]>>>, fields: Readonly<Record<string, unknown[]>>, count: number, plan: GrowingShredPlan): void {
  if (!plan.cfg.enabledJSONShredding) return;
  for (const name of plan.columns) {
    const c = g.columns.get(name), column = fields[name];
    if (c === undefined || column === undefined) continue;
    const goneColumns = new Set(gone.map((f) => f[name]));
    for (const chunk of c.shredded) if (goneColumns.has(chunk.column)) g.bytes -= chunk.bytes;
    c.shredded = c.shredded.filter((chunk) => !goneColumns.has(chunk.column));
    if (count < (plan.minChunkRows ?? GROWING_MIN_CHUNK_ROWS)) continue;
    keepForm(g, c, column, count, shredColumnAs(column, count, (stats) => chunkClasses(c, stats, count, plan.cfg)));
  }
}

/** Hangs a chunk column's shredded form on it and counts it (for backfills and the segment's bytes). */
function keepForm(g: GrowingShredding, c: ColumnShredding, column: unknown[], count: number, form: ShreddedJson): void {
  attachShredded(column, form);
  const bytes = shreddedBytes(form);
  c.shredded.push({ column, count, bytes });
  g.bytes += bytes;
}

/** Adds a chunk's path statistics to the segment's. */
function absorb(c: ColumnShredding, stats: ReadonlyMap<string, PathStats>, count: number): void {
  c.rows += count;
  for (const [key, s] of stats) {
    const h = c.held.get(key), scalar = s.numbers + s.strings + s.bools > 0;
    if (h === undefined) c.held.set(key, { rows: occurrences(s), scalar });
    else { h.rows += occurrences(s); h.scalar ||= scalar; }
  }
}

/** Promotes the paths the rule now admits, most frequent first (then by key); returns them. */
function promote(c: ColumnShredding, plan: GrowingShredPlan): string[] {
  const { jsonShreddingRatioThreshold: ratio, jsonShreddingMaxColumns: max } = plan.cfg;
  if (c.rows < (plan.warmupRows ?? GROWING_WARMUP_ROWS) || c.promoted.size >= max) return [];
  const ready = [...c.held].filter(([key, h]) => h.scalar && h.rows / c.rows > ratio && !c.promoted.has(key))
    .sort(([ka, a], [kb, b]) => b.rows - a.rows || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const out: string[] = [];
  for (const [key] of ready) { if (c.promoted.size >= max) break; c.promoted.add(key); out.push(key); }
  return out;
}

/** A chunk's classes: promoted paths get columns (typed or dynamic by the chunk's values), the rest are shared. */
const chunkClasses = (c: ColumnShredding, stats: ReadonlyMap<string, PathStats>, count: number, cfg: JsonShreddingConfig) =>
  classifyPaths(stats, count, cfg, (key) => c.promoted.has(key));

/** Shreds the earlier chunks again so they hold the columns of newly promoted paths. */
function backfill(g: GrowingShredding, c: ColumnShredding, cfg: JsonShreddingConfig): void {
  for (const chunk of c.shredded) {
    const form: ShreddedJson = shredColumnAs(chunk.column, chunk.count, (stats) => chunkClasses(c, stats, chunk.count, cfg));
    attachShredded(chunk.column, form);
    const bytes = shreddedBytes(form);
    g.bytes += bytes - chunk.bytes;
    chunk.bytes = bytes;
  }
}
