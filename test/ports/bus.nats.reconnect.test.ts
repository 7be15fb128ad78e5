/**
 * The NATS bus survives a server restart: it reconnects on its own and its
 * subscriptions and responders work again afterwards (a node never has to
 * rebuild them). Uses a private nats-server it can stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import { startNats } from '../support/services.js';
import { until } from '../support/until.js';

const enc = new TextEncoder();

test('subscriptions and responders come back after nats-server restarts', async () => {
  const server = await startNats();
  const [a, b] = [await NatsBus.connect({ servers: server.url }), await NatsBus.connect({ servers: server.url })];
  try {
    const got: string[] = [];
    b.subscribe('events.>', (d) => got.push(new TextDecoder().decode(d)));
    b.serve('echo', (d) => d);
    await b.flush();
    a.publish('events.one', enc.encode('before'));
    await until(() => got.length === 1, 'first message');

    await server.halt();
    await server.start();

    // Publishes made while reconnecting may be lost (core NATS is at-most-once): retry until one lands.
    await until(async () => {
      a.publish('events.two', enc.encode('after'));
      await new Promise((r) => setTimeout(r, 50));
      return got.includes('after');
    }, 'a message after the restart');
    const r = await a.request('echo', enc.encode('ping'), { timeoutMs: 5_000 });
    assert.is(new TextDecoder().decode(r), 'ping');
  } finally {
    await a.close(); await b.close();
    await server.stop();
  }
});

test("a request in flight when the connection drops, or sent while it is down, fails at once with a retryable 'Unavailable', not at its timeout", async () => {
  const server = await startNats();
  const [a, b] = [await NatsBus.connect({ servers: server.url }), await NatsBus.connect({ servers: server.url })];
  try {
    let asked = false;
    b.serve('never', () => { asked = true; return new Promise<Uint8Array>(() => {}); }); // never answers
    await b.flush();
    const pending = a.request('never', enc.encode('x'), { timeoutMs: 120_000 });
    const failed = pending.then(() => undefined, (e: { code?: string; info?: { reason?: string }; retryable?: boolean }) => e);
    await until(() => asked, 'the request to reach the responder');
    await server.halt();
    const e = await failed;
    assert.is(e?.code, 'Unavailable');
    assert.is(e?.info?.reason, 'disconnected');
    assert.ok(e?.retryable, 'retryable');
    // Sent while the server is away: the client would buffer it and send it before the responders are back.
    const whileDown = await a.request('never', enc.encode('y'), { timeoutMs: 120_000 }).then(() => undefined, (x: { code?: string; info?: { reason?: string } }) => x);
    assert.is(whileDown?.code, 'Unavailable');
    assert.is(whileDown?.info?.reason, 'disconnected');
    await server.start();
    // The bus works again afterwards.
    b.serve('echo2', (d) => d);
    await until(async () => {
      try { return new TextDecoder().decode(await a.request('echo2', enc.encode('ok'), { timeoutMs: 1_000 })) === 'ok'; } catch { return false; }
    }, 'a request after the restart');
  } finally {
    await a.close(); await b.close();
    await server.stop();
  }
});

test("connecting to a port where no server listens fails with 'Unavailable'", async () => {
  const server = await startNats();
  const url = server.url;
  await server.stop();
  try {
    await NatsBus.connect({ servers: url });
    assert.unreachable('connected to a stopped server');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'Unavailable');
  }
});

test.run();
