import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskTier } from '../../actors/query-node/shell/diskTier.js';
import { tieredStorageConfig } from '../../actors/query-node/core/tieredStorageConfig.js';
import type { ObjectStore } from '../../runtime/ports/objectStore.js';

/**
 * The disk tier's shell on a temp directory (no servers): a fetched object is
 * written and read back from disk; a new tier on the same directory (a restart)
 * serves the files already there, after removing half-written ones; past its
 * high watermark the least recently used file goes; a damaged file is refetched.
 */
function objects(data: Record<string, Uint8Array>) {
  const o = { gets: 0, store: { get: async (k: string) => { o.gets++; return data[k]; } } as unknown as ObjectStore };
  return o;
}
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed) % 256);
const events = () => { const e = { hits: 0, corrupt: 0, evicted: 0, bytes: 0 }; return { e, ev: { hit: () => e.hits++, corrupt: () => e.corrupt++, evicted: () => e.evicted++, bytes: (n: number) => { e.bytes = n; } } }; };

test('kept across a restart; half-written files removed; a damaged file refetched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-disktier-'));
  try {
    const cfg = tieredStorageConfig({ enabled: true, diskCacheEnabled: true, diskCapacityBytes: 1_000_000 });
    const src = objects({ a: bytes(1000, 7), b: bytes(500, 3) });
    const first = events();
    const t1 = await DiskTier.open(dir, cfg, first.ev);
    assert.equal([...(await t1.get(src.store, 'a'))!], [...bytes(1000, 7)]);
    assert.equal([...(await t1.get(src.store, 'a'))!], [...bytes(1000, 7)]);
    assert.is(src.gets, 1, 'the second read came from disk');
    assert.is(first.e.hits, 1);
    await t1.get(src.store, 'b');
    await writeFile(join(dir, 'junk.123.tmp'), 'half');

    const again = events();
    const t2 = await DiskTier.open(dir, cfg, again.ev);
    assert.not.ok((await readdir(dir)).some((f) => f.endsWith('.tmp')), 'half-written files removed');
    assert.is(again.e.bytes, t1.bytes, 'the files of the earlier run are counted');
    assert.equal([...(await t2.get(src.store, 'b'))!], [...bytes(500, 3)]);
    assert.is(src.gets, 2, 'served from the earlier run\'s file');

    for (const f of await readdir(dir)) { const b = await readFile(join(dir, f)); b[b.length - 1] ^= 1; await writeFile(join(dir, f), b); }
    assert.equal([...(await t2.get(src.store, 'a'))!], [...bytes(1000, 7)], 'a damaged file is never served');
    assert.is(again.e.corrupt, 1);
    assert.is(src.gets, 3, 'fetched again');
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('past the high watermark the least recently used file goes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-disktier-'));
  try {
    // Each file is its body plus a small header (~920 bytes): a third passes 0.8 x 3000, and one must go to reach 0.75 x 3000.
    const cfg = tieredStorageConfig({ enabled: true, diskCacheEnabled: true, diskCapacityBytes: 3000, diskHighWatermarkRatio: 0.8, diskLowWatermarkRatio: 0.75 });
    const src = objects({ a: bytes(900, 1), b: bytes(900, 2), c: bytes(900, 3) });
    const { e, ev } = events();
    const t = await DiskTier.open(dir, cfg, ev);
    await t.get(src.store, 'a');
    await t.get(src.store, 'b');
    await t.get(src.store, 'a'); // a is now the most recently used
    assert.is(src.gets, 2);
    await t.get(src.store, 'c');
    assert.ok(e.evicted >= 1 && t.bytes <= 3000 * 0.8, `evicted ${e.evicted}, ${t.bytes} bytes`);
    await t.get(src.store, 'a');
    assert.is(src.gets, 3, 'a stayed (recently used)');
    await t.get(src.store, 'b');
    assert.is(src.gets, 4, 'b went first');
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test.run();
