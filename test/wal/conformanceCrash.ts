/**
 * The crash case of the WAL conformance suite: a child process appends without
 * pause, is SIGKILLed at a random moment, and a fresh backend must return every
 * acknowledged entry, no torn or corrupted entry, and whole atomic batches only.
 * Terms go 1, 1, 2, 2, ...: a round reopens either with the same term (recovery
 * in place) or a higher one (takeover after a crash). Odd rounds write large
 * entries, so that the kill often lands inside a write and leaves a torn tail.
 */
import * as assert from 'uvu/assert';
import type { WalBackend, WalRecord } from '../../runtime/ports/walBackend.js';
import type { WalChildSpec } from './conformanceChild.js';
import { checkPayload, prng, type PayloadId } from './conformancePayload.js';
import { readAll, runChildUntilKilled, type ChildAck } from './conformanceSupport.js';

/** Settings of the crash case. */
export interface CrashCase {
  spec: WalChildSpec;
  reopen(): Promise<WalBackend>;
  rounds: number;
  seed: number;
  /** Largest entry body in the odd (large-entry) rounds. */
  largeBody: number;
  /** Bound on one round, only so a hung child cannot hang the suite. */
  limitMs: number;
}

/** Checks the records a fresh backend returns against what the child acknowledged. */
export function checkAfterCrash(records: WalRecord[], first: number, acked: Map<number, ChildAck>): void {
  const ids: PayloadId[] = [];
  records.forEach((r, i) => {
    assert.is(r.position, first + i, 'positions are gap-free');
    const id = checkPayload(r.payload);
    if (typeof id === 'string') return assert.unreachable(`entry at ${r.position} is corrupted: ${id}`);
    assert.is(r.tso, (BigInt(id.round) << 32n) | BigInt(id.seq), `tso of entry at ${r.position}`);
    ids.push(id);
  });
  for (const a of acked.values()) {
    const id = ids[a.position - first];
    assert.ok(id, `acknowledged entry at ${a.position} (round ${a.round}, seq ${a.seq}) was lost`);
    assert.equal([id.round, id.seq], [a.round, a.seq], `entry at ${a.position} is the one acknowledged`);
  }
  // Atomic batches: a batch member is followed by the rest of its batch, and
  // within a round the sequence numbers grow with the position.
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id.batchIdx === 0 && id.batchLen > 1) {
      for (let k = 1; k < id.batchLen; k++) {
        const m = ids[i + k];
        assert.ok(m && m.round === id.round && m.seq === id.seq + k && m.batchIdx === k,
          `batch starting at ${first + i} is whole (member ${k} of ${id.batchLen})`);
      }
    }
    if (id.batchIdx > 0) {
      const prev = ids[i - 1];
      assert.ok(prev && prev.round === id.round && prev.seq === id.seq - 1, `batch member at ${first + i} follows its batch`);
    }
    const prev = ids[i - 1];
    if (prev && prev.round === id.round) assert.ok(prev.seq < id.seq, `seq grows with position at ${first + i}`);
  }
}

/** Runs the rounds of the crash case on one pchannel. */
export async function crashRounds(c: CrashCase, pchannel: string): Promise<void> {
  const rnd = prng(c.seed);
  const acked = new Map<number, ChildAck>();
  let total = 0;
  for (let round = 0; round < c.rounds; round++) {
    const term = Math.floor(round / 2) + 1;
    // Odd rounds write large entries: a kill then often lands inside a write and tears it.
    const large = round % 2 === 1;
    const killAfter = large ? 10 + Math.floor(rnd() * 50) : 20 + Math.floor(rnd() * 300);
    const extraMs = Math.floor(rnd() * 8);
    const acks = await runChildUntilKilled(
      { spec: c.spec, pchannel, term, round, seed: c.seed + round, inFlight: 8, maxBody: large ? c.largeBody : 48 * 1024 },
      killAfter, extraMs, c.limitMs);
    for (const a of acks) {
      assert.not.ok(acked.has(a.position) && acked.get(a.position)!.round !== a.round, `position ${a.position} acknowledged twice`);
      acked.set(a.position, a);
    }
    const fresh = await c.reopen();
    const first = await fresh.firstPosition(pchannel);
    // A remote WAL's server may still store what the killed writer sent before
    // it died, until the next owner fences: so lastPosition is bracketed around
    // the read, and whatever landed meanwhile must read back whole too.
    const before = await fresh.lastPosition(pchannel);
    const records = await readAll(fresh, pchannel, first);
    const lastRead = first + records.length - 1;
    const after = await fresh.lastPosition(pchannel);
    assert.ok(before <= lastRead && lastRead <= after, `lastPosition ${before} before the read <= last readable ${lastRead} <= lastPosition ${after} after it`);
    const late = after > lastRead ? await readAll(fresh, pchannel, lastRead + 1, after + 1) : [];
    assert.is(lastRead + late.length, after, 'what landed during the read is readable up to lastPosition');
    checkAfterCrash([...records, ...late], first, acked);
    total += acks.length;
  }
  assert.ok(total > 0, 'the child acknowledged something');
}
