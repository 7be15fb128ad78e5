/**
 * etcd-only behaviour of the etcd metadata store: a lease that etcd ends (here
 * revoked behind the client's back, as when keep-alives stop reaching etcd)
 * resolves `lost`, and a leader whose lease is lost loses leadership to the next
 * candidate; a watch made on a brand-new client sees that client's next write.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstValueFrom } from 'rxjs';
import { EtcdMeta } from '../../runtime/meta/etcdMeta.js';
import { requireService } from '../support/requireService.js';
import { settled } from '../support/until.js';

const url = requireService('NUTHATCH_TEST_ETCD', 'etcd leases');
const b = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Revokes a lease as another client would, leaving the owner to find out through its keep-alive. */
async function revokeBehindTheBack(admin: EtcdMeta, key: string): Promise<void> {
  const kv = (await admin.client.get(key).exec()).kvs[0];
  assert.ok(kv && kv.lease !== '0', `${key} has a lease`);
  await admin.client.leaseClient.leaseRevoke({ ID: kv!.lease });
}

if (url) {
  test('a lease revoked by someone else resolves lost and its keys are gone', async () => {
    const p = `lease-${randomUUID().slice(0, 8)}/`;
    const [owner, admin] = [new EtcdMeta({ hosts: url }), new EtcdMeta({ hosts: url })];
    try {
      const lease = await owner.grantLease(2_000);
      await owner.put(`${p}session`, b('me'), { lease });
      await revokeBehindTheBack(admin, `${p}session`);
      await lease.lost; // keep-alive answers TTL 0 within a third of the TTL
      assert.is(await owner.get(`${p}session`), undefined);
    } finally {
      await owner.close(); await admin.close();
    }
  });

  test("a watch on a client that has done nothing yet sees the client's next write", async () => {
    const p = `fresh-${randomUUID().slice(0, 8)}/`;
    for (let i = 0; i < 10; i++) {
      const m = new EtcdMeta({ hosts: url }); // not connect(): nothing read yet when watch() is called
      try {
        const first = firstValueFrom(m.watch(p));
        const r = await m.put(`${p}${i}`, b('x'));
        let guard: NodeJS.Timeout | undefined;
        const e = await Promise.race([first, new Promise<never>((_, reject) => { guard = setTimeout(() => reject(new Error(`round ${i}: watch missed revision ${r}`)), 20_000); })]);
        clearTimeout(guard);
        assert.equal([e.key, e.modRevision], [`${p}${i}`, r]);
      } finally {
        await m.close();
      }
    }
  });

  test("a leader whose lease is lost hears it, and the waiting candidate leads", async () => {
    const name = `elect-${randomUUID().slice(0, 8)}`;
    const [a, c, admin] = [new EtcdMeta({ hosts: url }), new EtcdMeta({ hosts: url }), new EtcdMeta({ hosts: url })];
    try {
      const first = await a.campaign(name, 'a', 2_000);
      const second = c.campaign(name, 'c', 2_000);
      assert.is(await settled(second), false);
      const keys = await admin.list(`election/${name}/`);
      const leaderKey = keys.find((k) => new TextDecoder().decode(k.value) === 'a')!.key;
      await revokeBehindTheBack(admin, leaderKey);
      await first.lost;
      const led = await second;
      await led.resign();
    } finally {
      await a.close(); await c.close(); await admin.close();
    }
  });
}

test.run();
