/**
 * What the embedded metadata store keeps across a restart: every acknowledged
 * write, revisions that keep increasing, no leased key (its holder died with the
 * process), a whole log after a torn tail or a compaction; and how a lost lease
 * ends a leadership.
 */
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { rejection, settled } from '../support/until.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const s = (u: Uint8Array | undefined): string | undefined => (u ? new TextDecoder().decode(u) : undefined);
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'nuthatch-meta-'));

test('a reopened store has every write and continues the revisions', async () => {
  const dir = tempDir();
  try {
    let m = await EmbeddedMeta.open(dir);
    await m.put('a', b('1'));
    const rb = await m.put('b', b('2'));
    await m.delete('a');
    const rc = await m.compareAndSwap('c', 0, b('3'));
    await m.close();
    m = await EmbeddedMeta.open(dir);
    assert.equal((await m.list('')).map((e) => [e.key, s(e.value), e.modRevision]), [['b', '2', rb], ['c', '3', rc]]);
    const next = await m.put('d', b('4'));
    assert.ok(next > rc!, `revision ${next} after restart exceeds ${rc}`);
    await m.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a torn tail is cut off at open and the writes before it survive', async () => {
  const dir = tempDir();
  try {
    let m = await EmbeddedMeta.open(dir);
    await m.put('kept', b('yes'));
    await m.close();
    // A crash in the middle of appending a frame: a header promising more bytes than exist.
    appendFileSync(join(dir, 'meta.log'), new Uint8Array([1, 2, 3, 4, 200, 0, 0, 0, 9, 9]));
    m = await EmbeddedMeta.open(dir);
    assert.is(m.tornBytesAtOpen, 10);
    assert.is(s((await m.get('kept'))?.value), 'yes');
    await m.put('after', b('ok'));
    await m.close();
    m = await EmbeddedMeta.open(dir);
    assert.is(m.tornBytesAtOpen, 0);
    assert.equal((await m.list('')).map((e) => e.key), ['after', 'kept']);
    await m.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('keys of leases from an earlier run are gone after reopening', async () => {
  const dir = tempDir();
  const crashed = tempDir();
  try {
    const m = await EmbeddedMeta.open(dir);
    const lease = await m.grantLease(5_000);
    await m.put('session/node-1', b('alive'), { lease });
    await m.put('plain', b('stays'));
    // What a crash leaves: the log as it is now, leased key included.
    copyFileSync(join(dir, 'meta.log'), join(crashed, 'meta.log'));
    await m.close();
    const again = await EmbeddedMeta.open(crashed);
    assert.is(await again.get('session/node-1'), undefined);
    assert.is(s((await again.get('plain'))?.value), 'stays');
    await again.close();
  } finally { rmSync(dir, { recursive: true, force: true }); rmSync(crashed, { recursive: true, force: true }); }
});

test('the log is compacted when it holds many overwritten entries, and the state survives', async () => {
  const dir = tempDir();
  try {
    let m = await EmbeddedMeta.open(dir);
    let last = 0;
    for (let i = 0; i < 1_200; i++) last = await m.put('counter', b(String(i)));
    await m.delete('gone');
    await m.put('x', b('x'));
    await m.delete('x'); // the revision counter must survive a compaction that drops this key
    const size = statSync(join(dir, 'meta.log')).size;
    assert.ok(size < 1_200 * 20, `log of ${size} bytes was compacted`);
    await m.close();
    m = await EmbeddedMeta.open(dir);
    const e = await m.get('counter');
    assert.equal([s(e?.value), e?.modRevision], ['1199', last]);
    assert.ok((await m.put('y', b('y'))) > last + 2);
    await m.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("a second open of a directory in use fails with 'Conflict'", async () => {
  const dir = tempDir();
  try {
    const m = await EmbeddedMeta.open(dir);
    const e = await rejection(EmbeddedMeta.open(dir));
    assert.is(e.code, 'Conflict');
    await m.close();
    await (await EmbeddedMeta.open(dir)).close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an expired lease resolves lost, deletes its keys, and hands leadership to the next candidate', async () => {
  const dir = tempDir();
  try {
    const m = await EmbeddedMeta.open(dir);
    const lease = await m.grantLease(1_000);
    await m.put('eph', b('1'), { lease });
    await m.expireLease(lease.id);
    await lease.lost;
    assert.is(await m.get('eph'), undefined);

    const first = await m.campaign('coord', 'first', 1_000);
    const second = m.campaign('coord', 'second', 1_000);
    assert.is(await settled(second), false);
    const keys = (await m.list('election/coord/')).map((e) => s(e.value));
    assert.equal(keys, ['first', 'second']);
    const firstLease = (await m.list('election/coord/'))[0]!.key.split('/').pop()!;
    await m.expireLease(firstLease);
    await first.lost;
    const led = await second;
    assert.is(await settled(led.lost), false);
    assert.equal((await m.list('election/coord/')).map((e) => s(e.value)), ['second']);
    await m.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
