/**
 * A small hand-written log with refusals in it, as a WAL would hold if it were
 * written by a build with fewer invariants (real WALs hold only accepted
 * messages): the replay specs and the hand-made recorded log use it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from '../../messages/codec.js';
import { newMessage, tsoOf, type AnyMessage } from '../../messages/types.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { COLL, DEFAULT, VCH, m, rows } from '../vchannel/fixtures.js';

export const PCH = 'dml_0';
/** A vchannel that never gets a collection. */
export const OTHER = 'dml_0_200v0';

/**
 * Position: what the machine does with it.
 *  0 TimeTick                       tick
 *  1 CreateCollection               absent -> live
 *  2 CreateSegment 1
 *  3 Insert 3 rows into segment 1
 *  4 Insert into partition 999      refused: partition-must-exist
 *  5 Delete pk 1
 *  6 Insert on OTHER                refused: collection-must-exist
 *  7 SealSegment 1                  segment-sealed
 *  8 Flush 1                        segment-flushed
 *  9 TimeTick                       tick
 * 10 DropCollection                 live -> dropped
 * 11 Insert                         refused: nothing-after-drop
 */
export function sampleLog(): AnyMessage[] {
  const tick = (ms: number) => { const t = newMessage('TimeTick', '', { persisted: true }); t.header.tso = tsoOf(ms); return t; };
  const other = m.insert(7, 1);
  other.header.vchannel = OTHER;
  return [
    tick(1),
    m.createCollection(2),
    m.createSegment(3, 1),
    m.insert(4, 1, { rows: rows(3) }),
    m.insert(5, 1, { partition: 999 }),
    m.delete(6, { pks: [1] }),
    other,
    m.seal(8, 1),
    m.flush(9, 1),
    tick(10),
    m.dropCollection(11),
    m.insert(12, 1),
  ];
}

/** Appends messages to a pchannel of a local WAL, as they are (no machine in between). */
export async function writeLog(root: string, pchannel: string, log: AnyMessage[]): Promise<void> {
  const wal = new LocalWalBackend(root);
  const w = await wal.openWriter(pchannel, 1);
  for (const msg of log) await w.append({ tso: msg.header.tso, payload: encodeMessage(msg) });
  await w.close();
  await wal.close();
}

/** A fresh temp WAL root holding the sample log on PCH. */
export async function sampleWal(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'nuthatch-replay-'));
  await writeLog(root, PCH, sampleLog());
  return root;
}

export { COLL, DEFAULT, VCH };
