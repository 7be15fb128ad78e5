/**
 * The Bus contract: what every adapter (in-process, NATS) must do, as one suite
 * run against each. A "world" is one transport; `connect()` gives a party on it
 * (the in-process bus may hand out the same instance, NATS a new connection).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bus } from '../../runtime/ports/bus.js';
import { NuthatchError } from '../../messages/errors.js';
import { rejection, until } from '../support/until.js';

export interface BusWorld {
  connect(): Promise<Bus>;
  dispose(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const s = (u: Uint8Array): string => dec.decode(u);

/** Registers the contract on a new uvu suite; the caller runs it. */
export function busContract(label: string, newWorld: () => Promise<BusWorld>) {
  const t = suite<{ world: BusWorld }>(`bus contract: ${label}`, {} as { world: BusWorld });
  t.before.each(async (ctx) => { ctx.world = await newWorld(); });
  t.after.each(async (ctx) => { await ctx.world.dispose(); });

  /** Publishes `marker` on `subject` and waits for it: everything sent before it on this path has been delivered. */
  async function barrier(pub: Bus, sub: Bus, subject: string): Promise<void> {
    let seen = false;
    const m = sub.subscribe(subject, () => { seen = true; });
    await sub.flush();
    pub.publish(subject, b('barrier'));
    await until(() => seen, 'barrier');
    m.unsubscribe();
  }

  t('a message published on a subject reaches a subscriber on another connection, bytes intact', async ({ world }) => {
    const [a, c] = [await world.connect(), await world.connect()];
    const got: Array<[string, string]> = [];
    c.subscribe('orders.created', (d, subj) => got.push([subj, s(d)]));
    await c.flush();
    a.publish('orders.created', b('hello'));
    const bin = new Uint8Array([0, 255, 1, 254, 0]);
    const bins: Uint8Array[] = [];
    c.subscribe('bin', (d) => bins.push(d));
    await c.flush();
    a.publish('bin', bin);
    await until(() => got.length === 1 && bins.length === 1, 'both messages');
    assert.equal(got, [['orders.created', 'hello']]);
    assert.equal([...bins[0]!], [...bin]);
  });

  t("'*' matches exactly one token and '>' one or more trailing tokens", async ({ world }) => {
    const bus = await world.connect();
    const star: string[] = [], tail: string[] = [];
    bus.subscribe('a.*.c', (_d, subj) => star.push(subj));
    bus.subscribe('a.>', (_d, subj) => tail.push(subj));
    await bus.flush();
    for (const subj of ['a', 'a.b', 'a.b.c', 'a.x.c', 'a.b.c.d', 'b.b.c']) bus.publish(subj, b(subj));
    await barrier(bus, bus, 'done');
    assert.equal(star.sort(), ['a.b.c', 'a.x.c']);
    assert.equal(tail.sort(), ['a.b', 'a.b.c', 'a.b.c.d', 'a.x.c']);
  });

  t('delivery is asynchronous: no handler runs inside publish', async ({ world }) => {
    const bus = await world.connect();
    let n = 0;
    bus.subscribe('async', () => { n++; });
    await bus.flush();
    bus.publish('async', b('x'));
    assert.is(n, 0);
    await until(() => n === 1, 'delivery');
  });

  t('each subscriber gets its own copy of the bytes', async ({ world }) => {
    const bus = await world.connect();
    const seen: Uint8Array[] = [];
    bus.subscribe('copy', (d) => { seen.push(d); d[0] = 99; });
    bus.subscribe('copy', (d) => { seen.push(d); d[0] = 77; });
    await bus.flush();
    const payload = Buffer.from([1, 2, 3]); // a Buffer, whose slice() is a view: adapters must really copy
    bus.publish('copy', payload);
    payload[0] = 42; // the publisher reuses its buffer at once
    await until(() => seen.length === 2, 'two copies');
    assert.is(payload[0], 42);
    assert.is.not(seen[0]!.buffer, seen[1]!.buffer);
    assert.equal([...seen[0]!.subarray(1)], [2, 3]);
    assert.ok(seen.every((d) => d[0] === 99 || d[0] === 77), 'each subscriber mutated only its own copy');
    assert.ok(seen.some((d) => d[0] === 99) && seen.some((d) => d[0] === 77));
  });

  t("one publisher's messages arrive in publish order", async ({ world }) => {
    const [a, c] = [await world.connect(), await world.connect()];
    const got: number[] = [];
    c.subscribe('seq', (d) => got.push(Number(s(d))));
    await c.flush();
    for (let i = 0; i < 200; i++) a.publish('seq', b(String(i)));
    await until(() => got.length === 200, '200 messages');
    assert.equal(got, Array.from({ length: 200 }, (_, i) => i));
  });

  t('a queue group delivers each message to exactly one member; plain subscribers get all', async ({ world }) => {
    const [a, m1, m2] = [await world.connect(), await world.connect(), await world.connect()];
    const g1: number[] = [], g2: number[] = [], other: number[] = [], plain: number[] = [];
    m1.subscribe('work', (d) => g1.push(Number(s(d))), { queue: 'workers' });
    m2.subscribe('work', (d) => g2.push(Number(s(d))), { queue: 'workers' });
    m2.subscribe('work', (d) => other.push(Number(s(d))), { queue: 'auditors' });
    m1.subscribe('work', (d) => plain.push(Number(s(d))));
    await m1.flush(); await m2.flush();
    for (let i = 0; i < 60; i++) a.publish('work', b(String(i)));
    await until(() => plain.length === 60 && other.length === 60 && g1.length + g2.length === 60, 'all deliveries');
    await barrier(a, m1, 'work.done'); await barrier(a, m2, 'work.done');
    assert.is(g1.length + g2.length, 60, 'no duplicates in the group');
    assert.equal([...g1, ...g2].sort((x, y) => x - y), Array.from({ length: 60 }, (_, i) => i));
    assert.ok(g1.length > 0 && g2.length > 0, 'both members get work');
  });

  t('unsubscribe stops delivery', async ({ world }) => {
    const bus = await world.connect();
    const got: string[] = [];
    const sub = bus.subscribe('unsub', (d) => got.push(s(d)));
    await bus.flush();
    bus.publish('unsub', b('1'));
    await until(() => got.length === 1, 'first');
    sub.unsubscribe();
    await bus.flush();
    bus.publish('unsub', b('2'));
    await barrier(bus, bus, 'unsub');
    assert.equal(got, ['1']);
  });

  t('request/reply: concurrent requests each get their own reply', async ({ world }) => {
    const [client, server] = [await world.connect(), await world.connect()];
    server.serve('math.double', async (d) => b(String(Number(s(d)) * 2)));
    await server.flush();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request('math.double', b(String(i)))));
    assert.equal(replies.map((r) => Number(s(r))), Array.from({ length: 20 }, (_, i) => i * 2));
  });

  t('a served queue group answers each request once', async ({ world }) => {
    const [client, r1, r2] = [await world.connect(), await world.connect(), await world.connect()];
    let calls = 0;
    const handler = async (d: Uint8Array): Promise<Uint8Array> => { calls++; return d; };
    r1.serve('svc.echo', handler, { queue: 'svc' });
    r2.serve('svc.echo', handler, { queue: 'svc' });
    await r1.flush(); await r2.flush();
    for (let i = 0; i < 10; i++) assert.is(s(await client.request('svc.echo', b(`m${i}`))), `m${i}`);
    await barrier(client, r1, 'svc.done'); await barrier(client, r2, 'svc.done');
    assert.is(calls, 10);
  });

  t("a request with no responder fails at once with 'Unavailable', not after its timeout", async ({ world }) => {
    const bus = await world.connect();
    const e = await rejection(bus.request('nobody.home', b('?'), { timeoutMs: 600_000 }));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'Unavailable');
  });

  t("a request nobody answers fails with 'Timeout'", async ({ world }) => {
    const [client, server] = [await world.connect(), await world.connect()];
    server.serve('slow', () => new Promise<Uint8Array>(() => {}));
    await server.flush();
    const e = await rejection(client.request('slow', b('?'), { timeoutMs: 300 }));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'Timeout');
  });

  t('a responder that throws reaches the requester as a typed error', async ({ world }) => {
    const [client, server] = [await world.connect(), await world.connect()];
    server.serve('fails', () => { throw new NuthatchError('NotFound', 'no such thing', { what: 'x' }); });
    await server.flush();
    const e = await rejection(client.request('fails', b('?')));
    assert.instance(e, NuthatchError);
    assert.is(e.code, 'NotFound');
    assert.match(e.message, 'no such thing');
  });

  t('payloads of several MB travel (the server allows 8 MB)', async ({ world }) => {
    const [client, server] = [await world.connect(), await world.connect()];
    server.serve('big', (d) => d.subarray(0, 16));
    await server.flush();
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    const r = await client.request('big', big);
    assert.equal([...r], [...big.subarray(0, 16)]);
  });

  t("invalid subjects are refused with 'InvalidArgument'", async ({ world }) => {
    const bus = await world.connect();
    for (const bad of ['', 'a..b', 'a.*', 'a.>', 'has space', '.a', 'a.']) {
      let code: string | undefined;
      try { bus.publish(bad, b('x')); } catch (e) { code = (e as NuthatchError).code; }
      assert.is(code, 'InvalidArgument', `publish '${bad}'`);
    }
    for (const bad of ['', 'a..b', 'a.>.c']) {
      let code: string | undefined;
      try { bus.subscribe(bad, () => {}); } catch (e) { code = (e as NuthatchError).code; }
      assert.is(code, 'InvalidArgument', `subscribe '${bad}'`);
    }
  });

  t("after close, publishing throws and requesting rejects with 'Unavailable'", async ({ world }) => {
    const bus = await world.connect();
    await bus.close();
    let code: string | undefined;
    try { bus.publish('x', b('x')); } catch (e) { code = (e as NuthatchError).code; }
    assert.is(code, 'Unavailable');
    const e = await rejection(bus.request('x', b('x')));
    assert.is(e.code, 'Unavailable');
  });

  return t;
}
