/**
 * Recorded logs (STYLE.md point 10): every WAL under test/fixtures/recorded-logs/
 * replays to what it replayed to when it was recorded. A failure here means old
 * logs no longer replay the same: fix the change (or upcast), or, if the new
 * report is intended, rewrite expected.json with recordLogs.js --expected and
 * review the diff.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIXTURES, recordedLogs, replayRecorded, type ReplayRecord } from './recordedLogs.js';

const names = await recordedLogs();

test('the recorded logs are there', () => {
  assert.ok(names.includes('standalone-v1') && names.includes('handmade-v1'), `found ${names.join(', ')}`);
});

for (const name of names) {
  test(`recorded log ${name} replays as recorded`, async () => {
    const expected = JSON.parse(await readFile(join(FIXTURES, name, 'expected.json'), 'utf8')) as ReplayRecord;
    const actual = await replayRecorded(join(FIXTURES, name));
    assert.equal(Object.keys(actual), Object.keys(expected), 'the same pchannels');
    for (const p of Object.keys(expected)) {
      assert.equal(actual[p]!.steps, expected[p]!.steps, `${p}: every message does what it did`);
      assert.equal(actual[p]!.summary, expected[p]!.summary, `${p}: the same end state`);
    }
  });
}

test('the hand-made log still shows its three refusals and both transitions', async () => {
  const r = await replayRecorded(join(FIXTURES, 'handmade-v1'));
  const lines = r.dml_0!.steps;
  assert.equal(lines.filter((l) => l.includes('REJECTED')).map((l) => l.split(' REJECTED ')[1]), ['partition-must-exist', 'collection-must-exist', 'nothing-after-drop']);
  assert.equal(lines.filter((l) => /absent->live|live->dropped/.test(l)).length, 2);
});

test('the standalone log ends with books live (a flushed segment, a dropped partition) and scratch dropped', async () => {
  const r = await replayRecorded(join(FIXTURES, 'standalone-v1'));
  type V = { view: { collection: { name: string } | null; state: string; partitions: { name: string; status: string }[]; segments: { status: string; rows: number }[] }; deletes: number };
  const all = Object.values(r).flatMap((x) => (x.summary as { vchannels: V[] }).vchannels);
  const books = all.filter((v) => v.view.collection?.name === 'books');
  assert.is(books.length, 2, 'two shards');
  assert.ok(books.every((v) => v.view.state === 'live'));
  assert.ok(books.every((v) => v.view.partitions.some((p) => p.name === 'b' && p.status === 'dropped')));
  assert.ok(books.some((v) => v.view.segments.some((s) => s.status === 'flushed' && s.rows > 0)));
  const rows = books.flatMap((v) => v.view.segments).reduce((n, s) => n + s.rows, 0);
  assert.is(rows, 6 + 2 + 2, 'inserted rows plus the upsert (deletes hide rows, they do not remove them)');
  assert.equal(all.filter((v) => v.view.collection?.name === 'scratch').map((v) => v.view.state), ['dropped']);
});

test.run();
