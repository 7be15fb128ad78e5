/**
 * Encoding one insert message (2000 rows x 128 dims + key + tag, about 1 MB):
 * `encodeMessage`, which writes into the codec's shared scratch writer and
 * copies out once, beside the baseline it replaced, a fresh writer grown from
 * 1 KB by doubling (every fresh buffer's pages fault in). Both run in the same
 * process, alternating, 30 rounds of 20 encodings; medians and minimums per
 * encoding, and the ratio of the medians.
 *
 *   npm run bench -- messageEncode [--rows 2000] [--dim 128] [--rounds 30]
 *
 * Writes bench/results/messageEncode.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BinaryWriter } from '../messages/binary.js';
import { encodeMessage } from '../messages/codec.js';
import type { CollectionSchema } from '../messages/schema.js';
import { newMessage } from '../messages/types.js';
import { writeValue } from '../messages/valueCodec.js';
import { toColumns } from '../runtime/client/rows.js';
import { mulberry32 } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';

const PER_ROUND = 20;

export default async function run(args: string[]): Promise<void> {
  const rows = numberOption(args, 'rows', 2000), dim = numberOption(args, 'dim', 128), rounds = numberOption(args, 'rounds', 30);
  const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'tag', dataType: 'VarChar', maxLength: 16 }] };
  const r = mulberry32(3);
  const data = Array.from({ length: rows }, (_, id) => ({ id, vec: Array.from({ length: dim }, () => r()), tag: 'red' }));
  const m = newMessage('Insert', 'dml_0_1v0', { collectionId: 1, partitionId: 1, segmentId: -1, rows: toColumns(schema, data, null) });
  const h = m.header;
  // The baseline: encodeMessage as it was, a fresh writer per message (same bytes: checked below).
  const fresh = () => {
    const w = new BinaryWriter(1024);
    w.u8(0x4e); w.u8(1);
    writeValue(w, { t: h.type, v: h.version, c: h.vchannel, s: h.tso, l: h.lastConfirmed, x: h.txn, b: h.broadcast, i: h.appendId, y: m.body });
    return w.finish();
  };
  const now = encodeMessage(m), before = fresh();
  if (now.length !== before.length || !now.every((b, i) => b === before[i])) throw new Error('the two encodings differ');
  const times: Record<'fresh' | 'scratch', number[]> = { fresh: [], scratch: [] };
  for (let k = 0; k < rounds; k++) {
    for (const [name, f] of [['fresh', fresh], ['scratch', () => encodeMessage(m)]] as const) {
      const t = performance.now();
      for (let i = 0; i < PER_ROUND; i++) f();
      times[name].push((performance.now() - t) / PER_ROUND);
    }
  }
  const stat = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return { min: s[0]!, median: s[Math.floor(s.length / 2)]! }; };
  const a = stat(times.fresh), b = stat(times.scratch);
  console.log(`\none Insert message of ${rows} rows x ${dim} dims: ${(now.length / 1e6).toFixed(2)} MB; ${rounds} rounds of ${PER_ROUND}, alternating`);
  printTable(['encoding', 'median ms', 'min ms'], [
    ['fresh writer grown from 1 KB (baseline)', a.median.toFixed(3), a.min.toFixed(3)],
    ['encodeMessage: shared scratch writer, one copy out', b.median.toFixed(3), b.min.toFixed(3)],
  ]);
  console.log(`ratio (encodeMessage / baseline, medians): ${(b.median / a.median).toFixed(2)}`);
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}messageEncode.json`, `${JSON.stringify({ rows, dim, rounds, bytes: now.length, baselineMs: a, encodeMessageMs: b, ratio: b.median / a.median, date: new Date().toISOString() }, null, 2)}\n`);
  console.log('wrote bench/results/messageEncode.json');
}
