/**
 * The ObjectStore contract: what every adapter (local disk, S3) must do, as one
 * suite run against each. Each test gets a fresh, empty store.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ObjectStore } from '../../runtime/ports/objectStore.js';
import { NuthatchError } from '../../messages/errors.js';
import { rejection } from '../support/until.js';

export interface ObjectStoreWorld {
  store: ObjectStore;
  dispose(): Promise<void>;
}

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const s = (u: Uint8Array | undefined): string | undefined => (u ? new TextDecoder().decode(u) : undefined);

/** Registers the contract on a new uvu suite; the caller runs it. */
export function objectStoreContract(label: string, newWorld: () => Promise<ObjectStoreWorld>) {
  const t = suite<{ w: ObjectStoreWorld; o: ObjectStore }>(`object store contract: ${label}`, {} as never);
  t.before.each(async (ctx) => { ctx.w = await newWorld(); ctx.o = ctx.w.store; });
  t.after.each(async (ctx) => { await ctx.w.dispose(); });

  t('a put object reads back byte for byte; a missing one reads as undefined', async ({ o }) => {
    const bin = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    await o.put('seg/1/data', bin);
    assert.equal(Buffer.compare(Buffer.from((await o.get('seg/1/data'))!), Buffer.from(bin)), 0);
    assert.is(await o.get('seg/1/none'), undefined);
    await o.put('empty', new Uint8Array(0));
    assert.is((await o.get('empty'))?.length, 0);
  });

  t('a second put replaces the object', async ({ o }) => {
    await o.put('k', b('first version, longer'));
    await o.put('k', b('second'));
    assert.is(s(await o.get('k')), 'second');
  });

  t('getRange reads a slice; a range past the end is cut short; a missing key is NotFound', async ({ o }) => {
    await o.put('r', b('0123456789'));
    assert.is(s(await o.getRange('r', 2, 3)), '234');
    assert.is(s(await o.getRange('r', 0, 10)), '0123456789');
    assert.is(s(await o.getRange('r', 7, 100)), '789');
    assert.is((await o.getRange('r', 4, 0)).length, 0);
    const e = await rejection(o.getRange('nope', 0, 1));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'NotFound');
  });

  t('list returns the objects under a prefix with sizes, sorted by key', async ({ o }) => {
    await o.put('wal/p1/000002', b('22'));
    await o.put('wal/p1/000001', b('1'));
    await o.put('wal/p10/000001', b('333'));
    await o.put('wal/p2/deep/x', b('4444'));
    await o.put('other', b('x'));
    assert.equal(await o.list('wal/p1/'), [{ key: 'wal/p1/000001', size: 1 }, { key: 'wal/p1/000002', size: 2 }]);
    assert.equal((await o.list('wal/p1')).map((i) => i.key), ['wal/p1/000001', 'wal/p1/000002', 'wal/p10/000001']);
    assert.equal((await o.list('wal/')).map((i) => i.key), ['wal/p1/000001', 'wal/p1/000002', 'wal/p10/000001', 'wal/p2/deep/x']);
    assert.equal(await o.list('nothing/'), []);
  });

  t('list pages: keys after startAfter, at most limit of them, in key order', async ({ o }) => {
    for (let i = 0; i < 25; i++) await o.put(`pg/${String(i).padStart(3, '0')}`, b('x'));
    await o.put('pgz', b('x'));
    const keys = async (opts: { startAfter?: string; limit?: number }) => (await o.list('pg/', opts)).map((i) => i.key);
    assert.equal(await keys({ limit: 3 }), ['pg/000', 'pg/001', 'pg/002']);
    assert.equal(await keys({ startAfter: 'pg/002', limit: 2 }), ['pg/003', 'pg/004']);
    assert.equal(await keys({ startAfter: 'pg/0225' }), ['pg/023', 'pg/024']); // after a key that does not exist
    assert.equal(await keys({ startAfter: 'pg/024', limit: 5 }), []);
    // Paging through gives the whole listing once.
    const all: string[] = [];
    for (let after: string | undefined; ;) {
      const page = await keys({ startAfter: after, limit: 7 });
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1);
    }
    assert.equal(all, (await o.list('pg/')).map((i) => i.key));
    assert.is(all.length, 25);
  });

  t('keys may hold any characters, and "a" and "a/b" are both objects', async ({ o }) => {
    const keys = ['a', 'a/b', 'sp ace/ü/%41', '.hidden/..', 'x/', 'c@t/z'];
    for (const k of keys) await o.put(k, b(`v:${k}`));
    for (const k of keys) assert.is(s(await o.get(k)), `v:${k}`, k);
    const listed = (await o.list('')).map((i) => i.key).filter((k) => keys.includes(k));
    assert.equal(listed, [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });

  t('delete removes an object; deleting a missing one is not an error', async ({ o }) => {
    await o.put('d/1', b('x'));
    await o.delete('d/1');
    assert.is(await o.get('d/1'), undefined);
    assert.equal(await o.list('d/'), []);
    await o.delete('d/1');
  });

  t("put with ifAbsent creates once; a second fails with 'Conflict' and changes nothing", async ({ o }) => {
    await o.put('fence/7', b('owner-a'), { ifAbsent: true });
    const e = await rejection(o.put('fence/7', b('owner-b'), { ifAbsent: true }));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'Conflict');
    assert.is(s(await o.get('fence/7')), 'owner-a');
  });

  t('with conditional put supported, exactly one of concurrent ifAbsent puts wins', async ({ o }) => {
    if (!o.supportsConditionalPut) {
      console.log(`  (${label}: server does not enforce If-None-Match; concurrent case not applicable)`);
      return;
    }
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => o.put('race', b(`w${i}`), { ifAbsent: true })));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.is(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.is((r.reason as NuthatchError).code, 'Conflict');
    assert.is(s(await o.get('race')), `w${won[0]}`);
  });

  t('stored bytes are not shared with the caller', async ({ o }) => {
    const v = b('abc');
    await o.put('c', v);
    v[0] = 0;
    const got = (await o.get('c'))!;
    got[1] = 0;
    assert.is(s(await o.get('c')), 'abc');
  });

  return t;
}
