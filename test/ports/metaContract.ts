/**
 * The MetaStore contract: what every adapter (embedded, etcd) must do, as one
 * suite run against each. A "world" is one store; `open()` gives a client of it
 * (the embedded store may hand out the same instance, etcd a new connection).
 * Keys live under `world.prefix` so runs against a shared etcd do not collide.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetaEvent, MetaStore } from '../../runtime/ports/metaStore.js';
import { NuthatchError } from '../../messages/errors.js';
import { rejection, settled, until } from '../support/until.js';

export interface MetaWorld {
  prefix: string;
  open(): Promise<MetaStore>;
  dispose(): Promise<void>;
}

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const s = (u: Uint8Array | undefined): string | undefined => (u ? new TextDecoder().decode(u) : undefined);

/** Registers the contract on a new uvu suite; the caller runs it. */
export function metaContract(label: string, newWorld: () => Promise<MetaWorld>) {
  const t = suite<{ w: MetaWorld; m: MetaStore; p: string }>(`meta contract: ${label}`, {} as never);
  t.before.each(async (ctx) => { ctx.w = await newWorld(); ctx.m = await ctx.w.open(); ctx.p = ctx.w.prefix; });
  t.after.each(async (ctx) => { await ctx.w.dispose(); });

  t('a put is read back with its bytes and the revision put returned; revisions increase', async ({ m, p }) => {
    const bin = new Uint8Array([0, 1, 255, 0]);
    const r1 = await m.put(`${p}a`, bin);
    const r2 = await m.put(`${p}b`, new Uint8Array(0));
    const r3 = await m.put(`${p}a`, b('again'));
    assert.ok(r1 < r2 && r2 < r3, `revisions ${r1} < ${r2} < ${r3}`);
    const a = await m.get(`${p}a`);
    assert.equal(a && { key: a.key, value: s(a.value), modRevision: a.modRevision }, { key: `${p}a`, value: 'again', modRevision: r3 });
    const e = await m.get(`${p}b`);
    assert.is(e?.value.length, 0);
    assert.is(e?.modRevision, r2);
    await m.put(`${p}bin`, bin);
    assert.equal([...(await m.get(`${p}bin`))!.value], [0, 1, 255, 0]);
  });

  t('a missing key reads as undefined', async ({ m, p }) => {
    assert.is(await m.get(`${p}nothing`), undefined);
  });

  t('list returns the keys under a prefix, sorted, and nothing else', async ({ m, p }) => {
    for (const k of ['n/c', 'n/a', 'n/b/x', 'nn', 'm']) await m.put(`${p}${k}`, b(k));
    const got = await m.list(`${p}n/`);
    assert.equal(got.map((e) => [e.key, s(e.value)]), [[`${p}n/a`, 'n/a'], [`${p}n/b/x`, 'n/b/x'], [`${p}n/c`, 'n/c']]);
    assert.equal(await m.list(`${p}zzz/`), []);
    const one = (await m.list(`${p}m`))[0]!;
    assert.is(one.modRevision, (await m.get(`${p}m`))!.modRevision);
  });

  t('delete removes a key; deleting a missing key is not an error', async ({ m, p }) => {
    await m.put(`${p}d`, b('x'));
    await m.delete(`${p}d`);
    assert.is(await m.get(`${p}d`), undefined);
    await m.delete(`${p}d`);
    await m.delete(`${p}never`);
  });

  t('stored bytes are not shared with the caller', async ({ m, p }) => {
    const v = b('abc');
    await m.put(`${p}c`, v);
    v[0] = 0;
    const got = (await m.get(`${p}c`))!.value;
    got[1] = 0;
    assert.is(s((await m.get(`${p}c`))!.value), 'abc');
  });

  t('compareAndSwap: 0 creates only when absent; a stale revision fails and changes nothing', async ({ m, p }) => {
    const k = `${p}cas`;
    const r1 = await m.compareAndSwap(k, 0, b('one'));
    assert.type(r1, 'number');
    assert.is(await m.compareAndSwap(k, 0, b('dup')), undefined);
    const r2 = await m.compareAndSwap(k, r1!, b('two'));
    assert.ok(r2! > r1!);
    assert.is(await m.compareAndSwap(k, r1!, b('stale')), undefined);
    const cur = await m.get(k);
    assert.equal([s(cur?.value), cur?.modRevision], ['two', r2]);
    await m.delete(k);
    assert.type(await m.compareAndSwap(k, 0, b('reborn')), 'number');
  });

  t('a fenced put or delete goes through while the fence key is at its revision, and is refused as StaleFence (changing nothing) once it moved', async ({ m, p }) => {
    const term = `${p}term`, k = `${p}fenced`;
    const fence = { key: term, revision: await m.put(term, b('one')) };
    await m.put(k, b('a'), { fence });
    assert.is(s((await m.get(k))?.value), 'a');
    await m.put(term, b('two'));
    const refused = async (op: Promise<unknown>) => assert.is((await op.then(() => undefined, (e: { code?: string }) => e))?.code, 'StaleFence');
    await refused(m.put(k, b('stale'), { fence }));
    await refused(m.delete(k, { fence }));
    assert.is(s((await m.get(k))?.value), 'a', 'neither the put nor the delete changed anything');
    await refused(m.put(`${p}fenced2`, b('x'), { fence: { key: `${p}absent`, revision: 1 } }));
    assert.is(await m.get(`${p}fenced2`), undefined);
    const now = { key: term, revision: (await m.get(term))!.modRevision };
    await m.delete(k, { fence: now });
    assert.is(await m.get(k), undefined, 'a delete under the current fence goes through');
  });

  t('of concurrent compareAndSwaps on one revision, exactly one wins', async ({ w, m, p }) => {
    const other = await w.open();
    const k = `${p}race`;
    const base = await m.put(k, b('base'));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : m).compareAndSwap(k, base, b(`w${i}`))));
    const winners = results.filter((r) => r !== undefined);
    assert.is(winners.length, 1);
    assert.is((await m.get(k))!.modRevision, winners[0]);
  });

  t('watch reports puts and deletes under its prefix after the call, in order, with their revisions', async ({ w, m, p }) => {
    await m.put(`${p}w/before`, b('old'));
    const other = await w.open();
    const events = firstValueFrom(m.watch(`${p}w/`).pipe(take(3), toArray()));
    const r1 = await other.put(`${p}w/x`, b('1'));
    await other.put(`${p}elsewhere`, b('no'));
    const r2 = await other.put(`${p}w/y`, b('2'));
    await other.delete(`${p}w/x`);
    const got = await events;
    assert.equal(got.slice(0, 2).map((e: MetaEvent) => [e.type, e.key, s(e.value), e.modRevision]), [['put', `${p}w/x`, '1', r1], ['put', `${p}w/y`, '2', r2]]);
    assert.is(got[2]!.type, 'delete');
    assert.is(got[2]!.key, `${p}w/x`);
    assert.ok(got[2]!.modRevision > r2);
  });

  t('a watch on a newly opened client starts now, not at the beginning of history', async ({ w, m, p }) => {
    await m.put(`${p}h/old`, b('old'));
    await m.delete(`${p}h/old`);
    const fresh = await w.open();
    const first = firstValueFrom(fresh.watch(`${p}h/`));
    const r = await m.put(`${p}h/new`, b('new'));
    const e = await first;
    assert.equal([e.type, e.key, e.modRevision], ['put', `${p}h/new`, r]);
  });

  t('unsubscribing a watch stops its events', async ({ m, p }) => {
    const seen: string[] = [];
    const sub = m.watch(`${p}u/`).subscribe((e) => seen.push(e.key));
    await m.put(`${p}u/1`, b('1'));
    await until(() => seen.length === 1, 'first event');
    sub.unsubscribe();
    const later: string[] = [];
    const sub2 = m.watch(`${p}u/`).subscribe((e) => later.push(e.key));
    await m.put(`${p}u/2`, b('2'));
    await until(() => later.length === 1, 'event on the second watch');
    sub2.unsubscribe();
    assert.equal(seen, [`${p}u/1`]);
  });

  t("revoking a lease deletes its keys (and only its keys); a revoked lease can't be used", async ({ m, p }) => {
    const lease = await m.grantLease(10_000);
    await m.put(`${p}l/a`, b('a'), { lease });
    await m.compareAndSwap(`${p}l/b`, 0, b('b'), { lease });
    await m.put(`${p}l/keep`, b('k'));
    const deletes = firstValueFrom(m.watch(`${p}l/`).pipe(take(2), toArray()));
    await lease.revoke();
    assert.equal((await deletes).map((e) => [e.type, e.key]).sort(), [['delete', `${p}l/a`], ['delete', `${p}l/b`]]);
    assert.equal((await m.list(`${p}l/`)).map((e) => e.key), [`${p}l/keep`]);
    const e = await rejection(m.put(`${p}l/c`, b('c'), { lease }));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'NotFound');
  });

  t('a put without a lease detaches the key from its lease', async ({ m, p }) => {
    const lease = await m.grantLease(10_000);
    await m.put(`${p}d/k`, b('leased'), { lease });
    await m.put(`${p}d/k`, b('free'));
    await lease.revoke();
    assert.is(s((await m.get(`${p}d/k`))?.value), 'free');
  });

  t('campaign: the first caller leads; the next waits until the leader resigns', async ({ w, m, p }) => {
    const other = await w.open();
    const name = `${p}leader`;
    const first = await m.campaign(name, 'first', 10_000);
    const second = other.campaign(name, 'second', 10_000);
    await m.put(`${p}tick`, b('a round trip'));
    await m.get(`${p}tick`);
    assert.is(await settled(second), false, 'second must wait while first leads');
    await first.resign();
    const led = await second;
    assert.ok(!(await settled(led.lost)), 'a fresh leader has not lost');
    await led.resign();
  });

  t("after close, calls fail with 'Unavailable'", async ({ w, p }) => {
    const m = await w.open();
    await m.close();
    const e = await rejection(m.get(`${p}x`));
    assert.is(e.code, 'Unavailable');
  });

  return t;
}
