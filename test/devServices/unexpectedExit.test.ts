/**
 * A dev server that dies on its own is reported on stderr with the tail of its
 * log (a shared test server dying mid-suite otherwise shows only as connection
 * refused, its log gone with its dir), and started again if it is kept alive;
 * one we stop ourselves is not.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNats } from '../../runtime/devServices/natsServer.js';

/** Runs `body` with console.error captured; returns what was written. */
async function capturingStderr(body: () => Promise<void>): Promise<string> {
  const original = console.error;
  let out = '';
  console.error = (...args: unknown[]) => { out += `${args.map(String).join(' ')}\n`; };
  try { await body(); } finally { console.error = original; }
  return out;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

test('a server killed behind its handle is reported, with its log', async () => {
  const server = await startNats();
  const out = await capturingStderr(async () => {
    const pid = server.pid();
    assert.ok(pid !== undefined, 'running');
    process.kill(pid!, 'SIGKILL');
    for (let i = 0; i < 50 && server.pid() !== undefined; i++) await settle();
    await settle();
  });
  await server.stop();
  assert.match(out, `nats-server on ${server.port} exited unexpectedly`);
  assert.match(out, 'SIGKILL');
  assert.match(out, /Server is ready|Listening/i, 'the log tail');
});

test('a kept-alive server killed behind its handle is started again on the same port', async () => {
  const server = await startNats();
  server.keepAlive();
  const first = server.pid()!;
  const out = await capturingStderr(async () => {
    process.kill(first, 'SIGKILL');
    for (let i = 0; i < 100 && (server.pid() === undefined || server.pid() === first); i++) await settle();
  });
  try {
    assert.match(out, 'starting it again');
    const again = server.pid();
    assert.ok(again !== undefined && again !== first, 'a new process runs');
    const { connect } = await import('@nats-io/transport-node');
    let nc;
    for (let i = 0; i < 50 && !nc; i++) { nc = await connect({ servers: server.url }).catch(() => undefined); if (!nc) await settle(); }
    assert.ok(nc, 'it answers on the same port');
    await nc!.close();
  } finally { await server.stop(); }
});

test('halt, restart and stop are not reported', async () => {
  const server = await startNats();
  const out = await capturingStderr(async () => {
    await server.halt();
    await server.start();
    await server.stop();
    await settle();
  });
  assert.not.match(out, 'unexpectedly');
});

test.run();
