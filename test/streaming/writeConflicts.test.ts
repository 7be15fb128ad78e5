import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashKey, newConflictTable, recordWrites, writtenSince } from '../../actors/streaming-node/core/writeConflicts.js';

/** The write-conflict table (pure): no write after a read is ever missed; a false conflict needs a shared bucket. */

test('a key written after the read conflicts; one written at or before it does not; a read older than the table does', () => {
  const t = newConflictTable(100n, 1024);
  assert.is(writtenSince(t, [1, 'a'], 99n), 1, 'the table knows nothing before it was made');
  assert.is(writtenSince(t, [1, 'a'], 100n), undefined);
  recordWrites(t, [7, 'x'], 150n);
  assert.is(writtenSince(t, [7], 149n), 7);
  assert.is(writtenSince(t, ['x'], 149n), 'x');
  assert.is(writtenSince(t, [7, 'x'], 150n), undefined, 'a write at the read TSO was seen by the read');
  recordWrites(t, [7], 120n);
  assert.is(writtenSince(t, [7], 149n), 7, 'a bucket keeps its latest write');
});

test('over many random keys and writes, every real conflict is found, and false ones stay rare', () => {
  let seed = 42;
  const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
  const t = newConflictTable(0n, 1 << 14);
  const last = new Map<number | string, bigint>();
  let falseConflicts = 0, checks = 0;
  for (let tso = 1n; tso <= 20_000n; tso++) {
    const key = rand() < 0.5 ? Math.floor(rand() * 2 ** 40) - 2 ** 39 : `k${Math.floor(rand() * 50_000)}`;
    recordWrites(t, [key], tso);
    last.set(key, tso);
    if (tso % 10n === 0n) {
      // A read 5 TSOs ago, of keys some of which were written since.
      const since = tso - 5n;
      const probe = [...last.keys()].slice(-20);
      const truly = probe.find((k) => last.get(k)! > since);
      const said = writtenSince(t, probe, since);
      checks++;
      if (truly !== undefined) assert.ok(said !== undefined, `missed a write of ${String(truly)}`);
      else if (said !== undefined) falseConflicts++;
    }
  }
  assert.ok(falseConflicts / checks < 0.05, `false conflicts ${falseConflicts} of ${checks}`);
});

test('keys spread over the buckets: integers near each other, large ones, negative ones and strings', () => {
  const mask = (1 << 14) - 1;
  const spread = (keys: Array<number | string>) => new Set(keys.map((k) => hashKey(k) & mask)).size / keys.length;
  assert.ok(spread(Array.from({ length: 4096 }, (_, i) => i)) > 0.85);
  assert.ok(spread(Array.from({ length: 4096 }, (_, i) => 2 ** 40 + i * 2 ** 20)) > 0.85, 'keys differing only in their high half');
  assert.ok(spread(Array.from({ length: 4096 }, (_, i) => -i - 1)) > 0.85);
  assert.ok(spread(Array.from({ length: 4096 }, (_, i) => `user-${i}`)) > 0.85);
  assert.is(hashKey(5), hashKey(5));
  assert.throws(() => newConflictTable(0n, 1000), /power of two/);
});

test.run();
