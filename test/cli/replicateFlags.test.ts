import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/** `nuthatch replicate` refuses bad flags with a usage error (exit 2) before it connects to anything. */
const CLI = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'replicate', ...args], { encoding: 'utf8', timeout: 20_000 });
const ok = ['--source-nats', 'nats://127.0.0.1:1', '--target-nats', 'nats://127.0.0.1:2', '--target-etcd', 'http://127.0.0.1:3'];

for (const [args, message] of [
  [['--target-nats', 'nats://x', '--target-etcd', 'http://y'], /replicate needs --source-nats/],
  [['--source-nats', 'nats://x', '--target-nats', 'nats://y'], /replicate needs --target-etcd/],
  [[...ok, '--lease-ttl-ms', '10'], /--lease-ttl-ms must be a whole number of milliseconds from 1000/],
  [[...ok, '--lease-ttl-ms', 'soon'], /--lease-ttl-ms must be/],
  [[...ok, '--metrics-port', '70000'], /--metrics-port must be a port number/],
  [[...ok, '--target-collection', 'b'], /--target-collection needs --collection/],
  // It never read the source's etcd (the WAL comes over NATS): an unknown flag now, not one silently ignored.
  [[...ok, '--source-etcd', 'http://z'], /Unknown option '--source-etcd'/],
] as const) {
  test(`replicate ${args.slice(-2).join(' ')}: usage error`, () => {
    const r = run(...args);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /nuthatch replicate --source-nats URL/);
  });
}

test.run();
