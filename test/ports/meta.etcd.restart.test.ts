/**
 * The etcd store rides out an etcd restart: the client reconnects, writes work
 * again, and a watch opened before the restart reports writes made after it.
 * Uses a private etcd it can stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EtcdMeta } from '../../runtime/meta/etcdMeta.js';
import type { MetaEvent } from '../../runtime/ports/metaStore.js';
import { startEtcd } from '../support/services.js';
import { until } from '../support/until.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

test('writes and watches work again after etcd restarts', async () => {
  const etcd = await startEtcd();
  const m = new EtcdMeta({ hosts: etcd.url });
  try {
    const seen: MetaEvent[] = [];
    const sub = m.watch('r/').subscribe((e) => seen.push(e));
    const r1 = await m.put('r/before', b('1'));
    await until(() => seen.length === 1, 'event before the restart');

    await etcd.halt();
    await etcd.start();

    // Calls during reconnection fail with a retryable code; retry until one lands.
    let r2 = 0;
    await until(async () => {
      try { r2 = await m.put('r/after', b('2')); return true; } catch (e) {
        assert.ok(['Unavailable', 'Timeout'].includes((e as { code: string }).code), `retryable code, got ${(e as Error).message}`);
        return false;
      }
    }, 'a put after the restart', 60_000);
    assert.ok(r2 > r1);
    assert.is(new TextDecoder().decode((await m.get('r/before'))?.value), '1');
    await until(() => seen.some((e) => e.key === 'r/after'), 'watch event after the restart', 60_000);
    sub.unsubscribe();
  } finally {
    await m.close();
    await etcd.stop();
  }
});

test.run();
