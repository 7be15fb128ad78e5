/**
 * A NATS server that requires credentials: the bus (and the JetStream WAL)
 * connect with a user and password or a token, given or from the environment;
 * without them the server refuses. Uses private nats-servers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import { natsAuth } from '../../runtime/bus/natsAuth.js';
import { startNats } from '../../runtime/devServices/natsServer.js';
import { NuthatchError } from '../../messages/errors.js';

const enc = new TextEncoder(), dec = new TextDecoder();

async function echoes(a: NatsBus, b: NatsBus): Promise<void> {
  b.serve('echo', (d) => d);
  await b.flush();
  assert.is(dec.decode(await a.request('echo', enc.encode('ping'), { timeoutMs: 5_000 })), 'ping');
}

async function refusedWithout(url: string, auth: Parameters<typeof NatsBus.connect>[0]['auth']): Promise<void> {
  try {
    const bus = await NatsBus.connect({ servers: url, auth });
    await bus.close();
  } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, 'Unavailable');
    assert.match((e as Error).message, /auth|authorization/i);
    return;
  }
  assert.unreachable('connected without valid credentials');
}

test('user and password: refused without or with wrong ones; served with them, given or from the environment', async () => {
  const server = await startNats({ auth: { user: 'nuthatch', password: 's3cret-pw' } });
  try {
    await refusedWithout(server.url, {});
    await refusedWithout(server.url, { user: 'nuthatch', pass: 'wrong' });
    const a = await NatsBus.connect({ servers: server.url, auth: { user: 'nuthatch', pass: 's3cret-pw' } });
    const b = await NatsBus.connect({ servers: server.url, auth: natsAuth(undefined, { NUTHATCH_NATS_USER: 'nuthatch', NUTHATCH_NATS_PASSWORD: 's3cret-pw' }) });
    try { await echoes(a, b); } finally { await a.close(); await b.close(); }
  } finally {
    await server.stop();
  }
});

test('token: refused without it, served with it', async () => {
  const server = await startNats({ auth: { token: 't0ken-value' } });
  try {
    await refusedWithout(server.url, { token: 'other' });
    const a = await NatsBus.connect({ servers: server.url, auth: { token: 't0ken-value' } });
    const b = await NatsBus.connect({ servers: server.url, auth: natsAuth(undefined, { NUTHATCH_NATS_TOKEN: 't0ken-value' }) });
    try { await echoes(a, b); } finally { await a.close(); await b.close(); }
  } finally {
    await server.stop();
  }
});

test('credentials from the environment are checked: a token with a user, or a password without one, is refused', () => {
  assert.equal(natsAuth(undefined, {}), {});
  assert.throws(() => natsAuth(undefined, { NUTHATCH_NATS_TOKEN: 't', NUTHATCH_NATS_USER: 'u' }), /not both/);
  assert.throws(() => natsAuth(undefined, { NUTHATCH_NATS_PASSWORD: 'p' }), /needs a user/);
});

test.run();
