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
