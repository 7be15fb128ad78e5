import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { querySealed, searchSealed, type IndexSearch, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { segmentBytes } from '../../actors/query-node/core/segmentColumns.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { decodeSegmentFile, encodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { searchBlock } from '../../actors/shared/vector/bruteForce.js';
import { compactRows, expandRows, rowMapOf } from '../../actors/shared/vector/compactColumn.js';
import { annsVectors, columnBlock, packedBlock, packVectorColumns, presentRows, type AnnsColumn } from '../../actors/shared/vector/vectorColumn.js';
import { blockBytes, rowScorer, type VectorBlock } from '../../actors/shared/vector/vectorBlock.js';
import { packRow, packedRowBytes, type PackedVectorType } from '../../messages/packedVectors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';

/**
 * A nullable vector field's column is held compact (compactColumn.ts): the
 * non-null rows' vectors densely, a row map beside them. Every search over it
 * answers what the old zero-filled block, filtered by presence, answered;
 * its bytes are the non-null rows' alone; a required field keeps its layout.
 */
type Kind = 'FloatVector' | PackedVectorType;
const KINDS: Array<{ kind: Kind; dim: number; metrics: MetricType[] }> = [
  { kind: 'FloatVector', dim: 12, metrics: ['L2', 'IP', 'COSINE'] },
  { kind: 'Float16Vector', dim: 12, metrics: ['L2', 'IP', 'COSINE'] },
  { kind: 'BFloat16Vector', dim: 12, metrics: ['L2', 'IP', 'COSINE'] },
  { kind: 'Int8Vector', dim: 12, metrics: ['L2', 'IP', 'COSINE'] },
  { kind: 'BinaryVector', dim: 64, metrics: ['HAMMING', 'JACCARD'] },
];

/** `n` rows of `kind`, each null with chance `nullShare` (row 0 always null, row 1 never). */
function columnOf(kind: Kind, n: number, dim: number, nullShare: number, seed: number): unknown[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    if (i === 0 || (i !== 1 && r() < nullShare)) return null;
    const v = Array.from({ length: dim }, () => (kind === 'BinaryVector' ? (r() < 0.5 ? 1 : 0) : kind === 'Int8Vector' ? Math.floor(r() * 256) - 128 : r() * 2 - 1));
    if (kind === 'FloatVector') return Float32Array.from(v);
    const row = kind === 'BinaryVector' ? packRow(kind, dim, Uint8Array.from({ length: dim / 8 }, (_, b) => v.slice(b * 8, b * 8 + 8).reduce((x, bit, j) => x | (bit << (7 - j)), 0)), 'q') : packRow(kind, dim, v, 'q');
    if (typeof row === 'string') throw new Error(row);
    return row;
  });
}

const rowBytesOf = (kind: Kind, dim: number): number => (kind === 'FloatVector' ? dim * 4 : packedRowBytes(kind, dim));
const annsOf = (kind: Kind, dim: number): AnnsColumn => ({ field: 'v', dim, ...(kind === 'FloatVector' ? {} : { packed: kind }) });

/** The zero-filled, row-addressed block the column was held as before (what an index build still reads). */
function oldBlock(kind: Kind, column: unknown[], n: number, dim: number): VectorBlock {
  if (kind === 'FloatVector') return { type: kind, dim, vectors: columnBlock(column, n, dim) };
  return { type: kind, dim, bytes: packedBlock(column, n, packedRowBytes(kind, dim)) };
}

test('rowMapOf and compactRows: row -> slot, slot -> row, null rows hold nothing, rows become views', () => {
  const map = rowMapOf(5, (r) => r % 2 === 1);
  assert.equal(Array.from(map.slots), [-1, 0, -1, 1, -1]);
  assert.equal(Array.from(map.rows), [1, 3]);
  const col: unknown[] = [null, Float32Array.of(1, 2), undefined, Float32Array.of(3, 4)];
  const c = compactRows(col, 4, 2, Float32Array)!;
  assert.equal(Array.from(c.storage), [1, 2, 3, 4]);
  assert.equal(Array.from(c.map.slots), [-1, 0, -1, 1]);
  assert.ok((col[3] as Float32Array).buffer === c.storage.buffer, 'a row reads its slot');
  assert.equal(Array.from(col[3] as Float32Array), [3, 4]);
  assert.is(col[0], null);
  assert.equal(Array.from(expandRows(c, Float32Array)), [0, 0, 1, 2, 0, 0, 3, 4]);
  assert.is(compactRows([null, Float32Array.of(1)], 2, 2, Float32Array), undefined, 'a row of the wrong width: left as it is');
});

test('every vector type: the block holds the non-null rows only, and each row reads its own vector', () => {
  for (const { kind, dim } of KINDS) {
    const n = 300, column = columnOf(kind, n, dim, 0.9, 7);
    const original = column.map((v) => (v === null ? null : Array.from(v as ArrayLike<number>)));
    const fields = { v: column };
    packVectorColumns(fields, n);
    const block = annsVectors({ count: n, vectors: new Float32Array(0), fields }, annsOf(kind, dim), 0);
    const nonNull = original.filter((v) => v !== null).length;
    assert.ok(nonNull > 0 && nonNull < n / 2, `${kind}: mostly null`);
    assert.is(blockBytes(block), nonNull * rowBytesOf(kind, dim), `${kind}: non-null rows × row bytes`);
    assert.equal(Array.from(presentRows(column, n)!), original.flatMap((v, r) => (v === null ? [] : [r])));
    const storage = block.type === 'FloatVector' ? block.vectors : block.bytes, width = rowBytesOf(kind, dim) / (block.type === 'FloatVector' ? 4 : 1);
    for (let r = 0; r < n; r++) {
      assert.equal(column[r] === null ? null : Array.from(column[r] as ArrayLike<number>), original[r], `${kind} row ${r} reads as given`);
      const slot = block.map!.slots[r]!;
      if (original[r] === null) assert.is(slot, -1, `${kind} row ${r} has no slot`);
      else assert.equal(Array.from(storage.subarray(slot * width, (slot + 1) * width)), original[r], `${kind} row ${r} at its slot`);
    }
  }
});

test('every vector type and metric: a compact scan answers what the zero-filled block filtered by presence did', () => {
  for (const { kind, dim, metrics } of KINDS) {
    for (const share of [0, 0.5, 0.9]) {
      const n = 200, column = columnOf(kind, n, dim, share, 11);
      const fields = { v: column };
      packVectorColumns(fields, n);
      const holder = { count: n, vectors: new Float32Array(0), fields };
      const compact = annsVectors(holder, annsOf(kind, dim), 0);
      // Row 0 is always null: every column here has a map.
      assert.ok(compact.map, `${kind} ${share}: compact`);
      const old = oldBlock(kind, column, n, dim);
      const present = (r: number) => column[r] !== null;
      const r = mulberry32(3);
      const q = Float32Array.from({ length: dim }, () => (kind === 'BinaryVector' ? (r() < 0.5 ? 1 : 0) : kind === 'Int8Vector' ? Math.floor(r() * 200) - 100 : r() * 2 - 1));
      for (const metric of metrics) {
        const want = searchBlock({ block: old, count: n, metric, queries: [q], k: 15, accept: present })[0]!;
        assert.equal(searchBlock({ block: compact, count: n, metric, queries: [q], k: 15 })[0], want, `${kind} ${share} ${metric}`);
        const odd = (row: number) => row % 2 === 1;
        assert.equal(searchBlock({ block: compact, count: n, metric, queries: [q], k: 15, accept: odd })[0], searchBlock({ block: old, count: n, metric, queries: [q], k: 15, accept: (row) => present(row) && odd(row) })[0], `${kind} ${share} ${metric} filtered`);
        const a = rowScorer(compact, metric, q), b = rowScorer(old, metric, q);
        for (let row = 0; row < n; row++) if (present(row)) assert.is(a(row), b(row), `${kind} ${metric} row ${row} scored as before`);
      }
    }
  }
});

test('a required field keeps its row-addressed block: no map, every row\'s bytes', () => {
  for (const { kind, dim } of KINDS) {
    const n = 50, column = columnOf(kind, n, dim, 0, 5);
    column[0] = column[1] instanceof Float32Array ? column[1].slice() : (column[1] as Uint8Array).slice();
    const fields = { v: column };
    packVectorColumns(fields, n);
    const block = annsVectors({ count: n, vectors: new Float32Array(0), fields }, annsOf(kind, dim), 0);
    assert.is(block.map, undefined, kind);
    assert.is(blockBytes(block), n * rowBytesOf(kind, dim), kind);
  }
});

/** A segment whose only vector field is nullable (`opt`, FloatVector of DIM), 90% null. */
const DIM = 8, N = 1000;
function nullableSegment(): SealedSegment {
  const opt = columnOf('FloatVector', N, DIM, 0.9, 21);
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: 0,
    pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: new Float32Array(0), fields: { opt },
  };
  return decodeSegmentFile(encodeSegmentFile(seg));
}
const read = (outputFields: string[] = []): SealedRead => ({ pkName: 'id', vectorName: '', filter: null, partitionIds: null, readTso: 10n, outputFields, deletes: new Map(), anns: { field: 'opt', dim: DIM } });

test('a loaded segment: the column costs its non-null rows and its map, not every row', () => {
  const seg = nullableSegment();
  const nonNull = seg.fields.opt!.filter((v) => v !== null).length;
  assert.is(segmentBytes(seg), N * 16 + nonNull * DIM * 4 + N * 4 + nonNull * 4);
  const block = annsVectors(seg, read().anns, 0);
  assert.ok(block.type === 'FloatVector' && block.vectors.length === nonNull * DIM, 'the search reads the same compact block');
});

test('sealed search: null rows are never hits; an index holding no nulls gets no row filter unfiltered; outputs read null', () => {
  const seg = nullableSegment();
  const q = Float32Array.from({ length: DIM }, (_, i) => (i % 3) - 1);
  const column = seg.fields.opt!;
  const exact = searchBlock({ block: oldBlock('FloatVector', column, N, DIM), count: N, metric: 'L2', queries: [q], k: 10, accept: (r) => column[r] !== null })[0]!;
  const shape = { k: 10, metric: 'L2' as MetricType };
  const scanned = searchSealed([{ seg, index: null }], read(), [q], shape)[0]!;
  assert.equal(scanned.map((h) => [h.pk, h.distance]), exact.map((h) => [h.row, h.distance]), 'scan: the exact non-null rows');
  // An index stand-in answering exactly over the non-null rows, recording the filter it was handed.
  const filters: Array<((row: number) => boolean) | undefined> = [];
  const index: IndexSearch = (query, k, accept) => {
    filters.push(accept);
    return searchBlock({ block: annsVectors(seg, read().anns, 0), count: N, metric: 'L2', queries: [query], k, ...(accept ? { accept } : {}) })[0]!;
  };
  const indexed = searchSealed([{ seg, index, indexHoldsNoNulls: true }], read(), [q], shape)[0]!;
  assert.equal(indexed.map((h) => h.pk), exact.map((h) => h.row));
  assert.is(filters.pop(), undefined, 'unfiltered: the index walks with no row filter');
  searchSealed([{ seg, index }], read(), [q], shape);
  const presence = filters.pop()!;
  assert.ok(presence !== undefined && !presence(0) && presence(1), 'an index that may hold nulls: filtered by presence');
  const rows = querySealed([{ seg }], read(['opt']), false).rows;
  assert.is(rows.length, N);
  for (const row of rows) {
    const v = column[row.pk as number];
    assert.equal(row.fields.opt === null ? null : Array.from(row.fields.opt as ArrayLike<number>), v === null ? null : Array.from(v as Float32Array), `row ${String(row.pk)}`);
  }
});

test.run();
