/**
 * What trimming a shard's delete log frees: the heap a streaming node's shard
 * holds for N logged deletes (upserts log one per row), before and after a
 * TrimDeletes that drops all but the newest tenth, against an empty shard
 * measured in the same run.
 *
 *   npm run bench -- deleteTrim [--deletes 1000000]
 *
 * Writes bench/results/deleteTrim.json. Heap figures are after a full GC.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { deleteEnd, evolveShard, newShard, type ShardData } from '../actors/streaming-node/core/shardData.js';
import { newMessage, tsoOf, type AnyMessage } from '../messages/types.js';
import { printTable } from './support/table.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 1e6;
}

const V = 'dml_0_1v0';
let pos = 0;
function message(m: AnyMessage, ms: number): AnyMessage { m.header.tso = tsoOf(ms); m.header.walPosition = pos++; return m; }

export default async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--deletes');
  const n = i >= 0 ? Number(args[i + 1]) : 1_000_000;
  const batch = 1000;
  const empty = heapMb();
  let s: ShardData | undefined = newShard(V, 1);
  // Upserts in batches of a thousand rows: one Delete message per batch, one TSO each.
  for (let b = 0; b * batch < n; b++) {
    const pks = Array.from({ length: Math.min(batch, n - b * batch) }, (_, k) => b * batch + k);
    evolveShard(s, message(newMessage('Delete', V, { collectionId: 1, partitionId: -1, pks }) as AnyMessage, 1000 + b));
  }
  const full = heapMb() - empty;
  const keepFrom = Math.floor((n / batch) * 0.9);
  const t0 = performance.now();
  evolveShard(s, message(newMessage('TrimDeletes', V, { collectionId: 1, floorTso: tsoOf(1000 + keepFrom - 1) }) as AnyMessage, 2_000_000));
  const trimMs = performance.now() - t0;
  const trimmed = heapMb() - empty;
  const kept = s.deletes.length, length = deleteEnd(s);
  s = undefined;
  const rows = [
    ['logged', length, full, (full * 1e6) / length],
    ['after trim', kept, trimmed, (trimmed * 1e6) / Math.max(1, kept)],
  ];
  console.log(`\ndelete log of one shard: ${n} deletes in batches of ${batch}; heap above an empty shard, after GC`);
  printTable(['state', 'entries held', 'heap MB', 'bytes / entry'], rows);
  console.log(`trim kept ${kept} of ${length} entries in ${trimMs.toFixed(0)} ms; heap ${(trimmed / full).toFixed(2)} of before`);
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}deleteTrim.json`, `${JSON.stringify({ deletes: n, batch, heapMbLogged: full, heapMbTrimmed: trimmed, ratio: trimmed / full, keptEntries: kept, trimMs, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
  console.log('wrote bench/results/deleteTrim.json');
}
