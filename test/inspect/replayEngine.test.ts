/**
 * The replay engine over a log read back from a real local WAL: given the
 * sample log (sampleLog.ts), replay names every transition and every refusal
 * with its invariant, stops where it is told, and ends in the state the
 * vchannel machine and the shard fold give.
 */
import { rm } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { foldVchannel, initialVchannel, vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { AnyMessage } from '../../messages/types.js';
import { tsoOf } from '../../messages/types.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { replayLog, type ReplayStep } from '../../runtime/inspect/replay.js';
import { readAllForReplay } from '../../runtime/inspect/walSource.js';
import { formatStep, formatSummary } from '../../runtime/inspect/formatReplay.js';
import { OTHER, PCH, VCH, sampleLog, sampleWal, writeLog } from './sampleLog.js';

async function readBack(root: string, pchannel = PCH) {
  const wal = new LocalWalBackend(root);
  try { return await readAllForReplay(wal, pchannel); } finally { await wal.close(); }
}

const transitions = (steps: ReplayStep[]) => steps.flatMap((s) => s.events.filter((e) => e.kind === 'transition').map((e) => e.kind === 'transition' && `${e.position} ${e.vchannel} ${e.from}->${e.to} by ${e.type}`));
const rejections = (steps: ReplayStep[]) => steps.flatMap((s) => s.events.filter((e) => e.kind === 'rejected').map((e) => e.kind === 'rejected' && `${e.position} ${e.vchannel} ${e.type}: ${e.invariant}`));
const effects = (steps: ReplayStep[]) => steps.flatMap((s) => s.events.filter((e) => e.kind === 'effect').map((e) => e.kind === 'effect' && `${e.position} ${e.what} ${e.segmentId}`));

let root = '';
test.before(async () => { root = await sampleWal(); });
test.after(async () => { await rm(root, { recursive: true, force: true }); });

test('replaying the whole log names each transition and each refusal with its invariant', async () => {
  const { steps, summary } = replayLog(PCH, await readBack(root));
  assert.equal(steps.map((s) => s.position), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'one step per record, in WAL order');
  assert.equal(transitions(steps), [`1 ${VCH} absent->live by CreateCollection`, `10 ${VCH} live->dropped by DropCollection`]);
  assert.equal(rejections(steps), [
    `4 ${VCH} Insert: partition-must-exist`,
    `6 ${OTHER} Insert: collection-must-exist`,
    `11 ${VCH} Insert: nothing-after-drop`,
  ]);
  assert.equal(effects(steps), ['7 segment-sealed 1', '8 segment-flushed 1'], 'offline replay reports seals and flushes, never a dispatch');
  assert.equal(steps.filter((s) => s.verdict === 'tick').map((s) => s.position), [0, 9]);
  assert.is(summary.messages, 12);
  assert.is(summary.accepted, 7);
  assert.is(summary.rejected, 3);
  assert.is(summary.ticks, 2);
  assert.is(summary.lastPosition, 11);
  assert.is(summary.lastTso, tsoOf(12));
});

test('the end state is the machine fold of the accepted messages', async () => {
  const { summary } = replayLog(PCH, await readBack(root));
  const accepted = sampleLog().filter((_, i) => [1, 2, 3, 5, 7, 8, 10].includes(i)).map((x) => x as AnyMessage);
  const folded = foldVchannel(initialVchannel(VCH), accepted);
  assert.ok(folded.ok);
  const v = summary.vchannels.find((x) => x.view.vchannel === VCH)!;
  assert.equal(v.view, vchannelView(folded.ok ? folded.snapshot : initialVchannel(VCH)));
  assert.is(v.view.state, 'dropped');
  assert.equal(summary.vchannels.map((x) => `${x.view.vchannel}:${x.view.state}`), [`${VCH}:dropped`], 'a vchannel whose every message was refused has no state to show');
});

test('--to-position stops after that record: the state of a live collection with its rows and deletes', async () => {
  const { steps, summary } = replayLog(PCH, await readBack(root), { toPosition: 5 });
  assert.equal(steps.map((s) => s.position), [0, 1, 2, 3, 4, 5]);
  const v = summary.vchannels[0]!;
  assert.is(v.view.state, 'live');
  assert.equal(v.segments, [{ id: 1, rows: 3, sealed: false, flushed: false }]);
  assert.equal(v.view.segments.map((s) => [s.id, s.status, s.rows]), [[1, 'growing', 3]]);
  assert.is(v.deletes, 1);
});

test('--to-tso stops before the first message above it; --vchannel keeps one vchannel and drops ticks', async () => {
  const log = await readBack(root);
  const byTso = replayLog(PCH, log, { toTso: tsoOf(9) });
  assert.is(byTso.summary.lastPosition, 8);
  assert.equal(byTso.summary.vchannels[0]!.view.segments.map((s) => s.status), ['flushed']);
  const one = replayLog(PCH, log, { vchannel: OTHER });
  assert.equal(one.steps.map((s) => `${s.position} ${s.verdict}`), ['6 rejected']);
});

test('a record the codec cannot read is reported and replay goes on', async () => {
  const dir = `${root}-bad`;
  await writeLog(dir, PCH, sampleLog().slice(0, 3));
  const wal = new LocalWalBackend(dir);
  const w = await wal.openWriter(PCH, 2);
  await w.append({ tso: tsoOf(50), payload: new Uint8Array([0x4e, 99, 1, 2]) });
  await w.close();
  await wal.close();
  const { steps, summary } = replayLog(PCH, await readBack(dir));
  await rm(dir, { recursive: true, force: true });
  const bad = steps.find((s) => s.verdict === 'undecodable')!;
  assert.ok(bad, 'the bad record is a step');
  assert.is(bad.position, 3);
  assert.match(bad.error!, /unknown message format 99/);
  assert.is(summary.undecodable, 1);
  assert.match(formatStep(bad), /UNDECODABLE/);
});

test('the text rendering shows refusals with their invariant and the end state', async () => {
  const { steps, summary } = replayLog(PCH, await readBack(root));
  const text = steps.map(formatStep).join('\n');
  assert.match(text, /#11 .* Insert +REJECTED \[nothing-after-drop\]/);
  assert.match(text, /transition live -> dropped \(DropCollection\)/);
  const end = formatSummary(summary);
  assert.match(end, /12 messages \(7 accepted, 3 rejected, 2 ticks\)/);
  assert.match(end, /vchannel dml_0_100v0: dropped, collection books/);
  assert.match(end, /segments: #1 flushed 3 rows/);
  assert.match(end, /deletes: 0/); // the delete at #5 went with the drop: a dropped shard holds no deletes
});

test.run();
