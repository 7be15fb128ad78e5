/**
 * What a second vector field costs a query node: a sealed segment's column of
 * per-row vectors as decoded from its file, then searched (read as one block),
 * packed into one block (vectorColumn.ts packVectorColumns, what
 * decodeSegmentFile does) against left as separate arrays (the baseline, made
 * in the same run by copying the rows out again), beside the raw floats.
 *
 *   npm run bench -- vectorColumns [--rows 100000] [--dim 128]
 *
 * Writes bench/results/vectorColumns.json. Figures are heap plus array
 * buffers after a full GC.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { decodeSegmentFile, encodeSegmentFile, type SealedSegment } from '../actors/shared/segment/segmentFile.js';
import { columnBlock } from '../actors/shared/vector/vectorColumn.js';
import { printTable } from './support/table.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usedMb(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1048576;
}

function argOf(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

export default async function run(args: string[]): Promise<void> {
  const n = argOf(args, '--rows', 100_000), dim = argOf(args, '--dim', 128);
  const column = Array.from({ length: n }, (_, r) => Float32Array.from({ length: dim }, (_, j) => ((r * 31 + j) % 97) / 97));
  const file = encodeSegmentFile({
    segmentId: 1, collectionId: 1, partitionId: 1, vchannel: 'v', count: n, dim: 1,
    pks: Array.from({ length: n }, (_, i) => i), tsos: Array.from({ length: n }, () => 1n), vectors: new Float32Array(n), fields: { image: column },
  });
  column.length = 0;
  const measure = (unpack: boolean): number => {
    const base = usedMb();
    let seg: SealedSegment | undefined = decodeSegmentFile(file);
    // The baseline: every row its own array again, as a column is before packing.
    if (unpack) seg.fields.image = seg.fields.image!.map((v) => Float32Array.from(v as Float32Array));
    const block = columnBlock(seg.fields.image!, n, dim);
    const used = usedMb() - base;
    if (block.length !== n * dim) throw new Error('block has the wrong size');
    seg = undefined;
    return used;
  };
  const raw = (n * dim * 4) / 1048576;
  const separate = measure(true);
  const packed = measure(false);
  printTable(['column', 'MiB', 'x raw floats'], [
    ['raw floats', raw, 1],
    ['separate arrays (baseline)', separate, separate / raw],
    ['packed block', packed, packed / raw],
  ]);
  console.log(`packed / separate = ${(packed / separate).toFixed(3)}`);
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}vectorColumns.json`, JSON.stringify({ rows: n, dim, rawMb: raw, separateMb: separate, packedMb: packed, ratio: packed / separate, node: process.version, date: new Date().toISOString() }, null, 2));
}
