/**
 * Milvus 2.6's JSON shredding: the paths of a sealed segment's JSON column
 * classified by how many rows hold them and whether their type is stable,
 * then laid out by class (messages/filter/shreddedJson.ts):
 *
 * - typed: more than `jsonShreddingRatioThreshold` of the rows hold a value
 *   there and every value is of one scalar type: one typed column;
 * - dynamic: as frequent, but of mixed types (or scalars among objects and
 *   lists): a tag a row and a column a type;
 * - shared: the rest (rare paths, paths past `jsonShreddingMaxColumns`,
 *   paths that only ever hold objects or lists): which rows hold them.
 *
 * Paths are object-key paths (`a`, `a.b`, ...) down to MAX_DEPTH keys; keys
 * inside lists are not shredded (as in Milvus: a JSON index serves those).
 * Pure: no I/O, and the same rows always shred the same way.
 */
import { ValidationError } from '../../../messages/errors.js';
import { attachShredded, pathKey, shreddedOf, type ShreddedJson, type ShreddedPath } from '../../../messages/filter/shreddedJson.js';
import { pathBuilder, type BuildPlan, type PathBuilder } from './shreddedBuilders.js';
import type { CollectionSchema } from '../../../messages/schema.js';
import type { SealedSegment } from './segmentFile.js';

/** The knobs, under Milvus's names (milvus.yaml `common.*` and `dataCoord.*`). */
export interface JsonShreddingConfig {
  /** common.enabledJSONShredding: shred JSON columns when a sealed segment is loaded. */
  enabledJSONShredding: boolean;
  /** dataCoord.jsonShreddingRatioThreshold: a path gets a column when more than this share of rows hold it. */
  jsonShreddingRatioThreshold: number;
  /** dataCoord.jsonShreddingMaxColumns: at most this many columns a JSON column; the most frequent paths win. */
  jsonShreddingMaxColumns: number;
}

export const JSON_SHREDDING_DEFAULTS: JsonShreddingConfig = { enabledJSONShredding: true, jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 };

/** Paths deeper than this many keys are not shredded (filters read them from the rows). */
export const MAX_DEPTH = 8;
/** At most this many shared paths a column are indexed (the most frequent); the rest are read from the rows. */
export const MAX_SHARED_PATHS = 65536;

/** The full config from a partial one; a value of the wrong type or range is a ValidationError. */
export function jsonShreddingConfig(c: Partial<JsonShreddingConfig> = {}): JsonShreddingConfig {
  const out = { ...JSON_SHREDDING_DEFAULTS, ...c };
  if (typeof out.enabledJSONShredding !== 'boolean') throw new ValidationError('common.enabledJSONShredding must be true or false');
  const r = out.jsonShreddingRatioThreshold;
  if (typeof r !== 'number' || !(r >= 0 && r <= 1)) throw new ValidationError(`dataCoord.jsonShreddingRatioThreshold must be a number in [0, 1], not ${String(r)}`);
  const m = out.jsonShreddingMaxColumns;
  if (!Number.isSafeInteger(m) || m < 0) throw new ValidationError(`dataCoord.jsonShreddingMaxColumns must be a non-negative integer, not ${String(m)}`);
  return out;
}

/** What the rows hold at one path: how many rows of each kind (a JSON null counts as absent). */
export interface PathStats {
  path: string[];
  numbers: number; strings: number; bools: number; others: number;
  /** Every number is an int32 (and not -0), so an Int32Array holds them. */
  int32: boolean;
}

/** A path's class and, for a typed one, its type. */
export type PathClass = { kind: 'typed'; type: 'number' | 'string' | 'bool' } | { kind: 'dynamic' } | { kind: 'shared' };

interface Trie { stats: PathStats; children: Map<string, Trie>; builder?: PathBuilder }

/** The paths the rows hold, as a trie of keys with each path's statistics. */
function statsTrie(column: ArrayLike<unknown>, count: number): Map<string, Trie> {
  const root = new Map<string, Trie>();
  const visit = (o: Record<string, unknown>, level: Map<string, Trie>, prefix: string[]): void => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v === null || v === undefined) continue;
      let node = level.get(k);
      if (!node) { node = { stats: { path: [...prefix, k], numbers: 0, strings: 0, bools: 0, others: 0, int32: true }, children: new Map() }; level.set(k, node); }
      const s = node.stats;
      switch (typeof v) {
        case 'number': s.numbers++; if ((v | 0) !== v || Object.is(v, -0)) s.int32 = false; break;
        case 'string': s.strings++; break;
        case 'boolean': s.bools++; break;
        default:
          s.others++;
          if (isObject(v) && s.path.length < MAX_DEPTH) visit(v, node.children, s.path);
      }
    }
  };
  for (let i = 0; i < count; i++) { const o = column[i]; if (isObject(o)) visit(o, root, []); }
  return root;
}

function eachNode(level: Map<string, Trie>, f: (n: Trie) => void): void {
  for (const n of level.values()) { f(n); eachNode(n.children, f); }
}

/** Statistics of every object-key path the rows hold, by pathKey. */
export function pathStats(column: ArrayLike<unknown>, count: number): Map<string, PathStats> {
  const out = new Map<string, PathStats>();
  eachNode(statsTrie(column, count), (n) => out.set(pathKey(n.stats.path), n.stats));
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Rows holding a value at the path (a JSON null counts as absent). */
export const occurrences = (s: PathStats): number => s.numbers + s.strings + s.bools + s.others;

/**
 * Each path's class. Frequent: held by more than `ratio` of `rowCount` rows
 * and holding scalars; the most frequent `maxColumns` of those get columns,
 * typed when one scalar type is all they hold, else dynamic. `columnFor`, when
 * given, says instead which paths are frequent (a growing segment decides that
 * over all its rows so far, growingShredding.ts), still only those holding scalars.
 */
export function classifyPaths(stats: ReadonlyMap<string, PathStats>, rowCount: number, cfg: Pick<JsonShreddingConfig, 'jsonShreddingRatioThreshold' | 'jsonShreddingMaxColumns'>, columnFor?: (key: string) => boolean): Map<string, PathClass> {
  const byFrequency = [...stats].sort(([ka, a], [kb, b]) => occurrences(b) - occurrences(a) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const out = new Map<string, PathClass>();
  let columns = 0, shared = 0;
  for (const [key, s] of byFrequency) {
    const scalarKinds = (s.numbers > 0 ? 1 : 0) + (s.strings > 0 ? 1 : 0) + (s.bools > 0 ? 1 : 0);
    const frequent = scalarKinds > 0 && (columnFor ? columnFor(key) : rowCount > 0 && occurrences(s) / rowCount > cfg.jsonShreddingRatioThreshold);
    if (frequent && columns < cfg.jsonShreddingMaxColumns) {
      columns++;
      if (scalarKinds === 1 && s.others === 0) out.set(key, { kind: 'typed', type: s.numbers > 0 ? 'number' : s.strings > 0 ? 'string' : 'bool' });
      else out.set(key, { kind: 'dynamic' });
    } else if (shared < MAX_SHARED_PATHS) {
      shared++;
      out.set(key, { kind: 'shared' });
    }
  }
  return out;
}

/** Shreds one JSON column of `count` rows: its paths counted and classified, then filled in one more walk of the rows. */
export function shredColumn(column: ArrayLike<unknown>, count: number, cfg: Pick<JsonShreddingConfig, 'jsonShreddingRatioThreshold' | 'jsonShreddingMaxColumns'>): ShreddedJson {
  return shredColumnAs(column, count, (stats) => classifyPaths(stats, count, cfg));
}

/** shredColumn with the classes `classify` gives the paths the rows hold (by pathKey; a path it leaves out is not shredded). */
export function shredColumnAs(column: ArrayLike<unknown>, count: number, classify: (stats: ReadonlyMap<string, PathStats>) => ReadonlyMap<string, PathClass>): ShreddedJson {
  const root = statsTrie(column, count);
  const stats = new Map<string, PathStats>(), nodes = new Map<string, Trie>();
  eachNode(root, (n) => { const k = pathKey(n.stats.path); stats.set(k, n.stats); nodes.set(k, n); });
  for (const [key, cls] of classify(stats)) {
    const n = nodes.get(key);
    if (n === undefined) continue;
    const s = n.stats;
    const plan: BuildPlan = cls.kind === 'typed' ? { ...cls, int32: s.int32 } : cls.kind === 'dynamic' ? { kind: 'dynamic', numbers: s.numbers > 0, strings: s.strings > 0 } : cls;
    n.builder = pathBuilder(plan, count);
  }
  const visit = (o: Record<string, unknown>, level: Map<string, Trie>, i: number): void => {
    for (const k of Object.keys(o)) {
      const node = level.get(k), v = o[k];
      if (node === undefined || v === null || v === undefined) continue;
      node.builder?.put(i, v);
      if (node.children.size > 0 && isObject(v)) visit(v, node.children, i);
    }
  };
  for (let i = 0; i < count; i++) { const o = column[i]; if (isObject(o)) visit(o, root, i); }
  const paths = new Map<string, ShreddedPath>();
  for (const [key, n] of nodes) if (n.builder) paths.set(key, n.builder.finish());
  return { rowCount: count, paths };
}

/** Bytes the shredded form holds: its arrays, and its dictionaries' strings as 2 a character. */
export function shreddedBytes(s: ShreddedJson): number {
  let n = 0;
  for (const sp of s.paths.values()) {
    switch (sp.kind) {
      case 'typed':
        n += sp.type === 'string' ? sp.codes.byteLength + dictBytes(sp.dict) : sp.present.byteLength + sp.values.byteLength;
        break;
      case 'dynamic': n += sp.tags.byteLength + sp.numbers.byteLength + sp.codes.byteLength + dictBytes(sp.dict); break;
      default: n += sp.rows.byteLength;
    }
  }
  return n;
}

function dictBytes(dict: readonly string[]): number {
  let n = 0;
  for (const x of dict) n += 8 + 2 * x.length;
  return n;
}

/** The JSON columns of a collection's segments: its JSON fields and, with dynamic fields on, `$meta`. */
export function jsonColumnNames(schema: Pick<CollectionSchema, 'fields' | 'enableDynamicField'>): string[] {
  const names = schema.fields.filter((f) => f.dataType === 'JSON').map((f) => f.name);
  if (schema.enableDynamicField) names.push('$meta');
  return names;
}

/** The shredded form of each of `names` the segment holds (a data node writes them as a sidecar, shreddedSidecar.ts). */
export function shredColumns(seg: Pick<SealedSegment, 'fields' | 'count'>, names: readonly string[], cfg: Pick<JsonShreddingConfig, 'jsonShreddingRatioThreshold' | 'jsonShreddingMaxColumns'>): Map<string, ShreddedJson> {
  const out = new Map<string, ShreddedJson>();
  for (const name of names) { const col = seg.fields[name]; if (col !== undefined) out.set(name, shredColumn(col, seg.count, cfg)); }
  return out;
}

/**
 * Shreds a loaded segment's JSON columns in place: each column array gets its
 * shredded form, taken from `prepared` (a sidecar's columns, already matched
 * to this segment file and these knobs) when it holds the column, else
 * shredded now. With shredding off, nothing changes. Says which columns were
 * shredded now and which came prepared.
 */
export function shredSegmentWith(seg: SealedSegment, schema: Pick<CollectionSchema, 'fields' | 'enableDynamicField'>, cfg: JsonShreddingConfig, prepared?: ReadonlyMap<string, ShreddedJson>): { shredded: string[]; prepared: string[] } {
  const out = { shredded: [] as string[], prepared: [] as string[] };
  if (!cfg.enabledJSONShredding) return out;
  for (const name of jsonColumnNames(schema)) {
    const col = seg.fields[name];
    if (col === undefined || shreddedOf(col) !== undefined) continue;
    const ready = prepared?.get(name);
    if (ready !== undefined && ready.rowCount === seg.count) { attachShredded(col, ready); out.prepared.push(name); }
    else { attachShredded(col, shredColumn(col, seg.count, cfg)); out.shredded.push(name); }
  }
  return out;
}

/** shredSegmentWith without a sidecar; returns the segment. */
export function shredSegment(seg: SealedSegment, schema: Pick<CollectionSchema, 'fields' | 'enableDynamicField'>, cfg: JsonShreddingConfig): SealedSegment {
  shredSegmentWith(seg, schema, cfg);
  return seg;
}

/** A data node request's `jsonColumns` for a collection (absent when it has none): the columns whose shredded sidecar it writes. */
export function jsonColumnsRequest(schema: Pick<CollectionSchema, 'fields' | 'enableDynamicField'>): { jsonColumns?: string[] } {
  const names = jsonColumnNames(schema);
  return names.length > 0 ? { jsonColumns: names } : {};
}
