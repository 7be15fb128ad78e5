/** The MetaStore contract against etcd (NUTHATCH_TEST_ETCD, started by test/support/services.ts). */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import { EtcdMeta } from '../../runtime/meta/etcdMeta.js';
import { requireService } from '../support/requireService.js';
import { metaContract } from './metaContract.js';

const url = requireService('NUTHATCH_TEST_ETCD', 'meta contract: etcd');
if (url) {
  metaContract('etcd', async () => {
    const prefix = `test-${randomUUID().slice(0, 8)}/`;
    const open: EtcdMeta[] = [];
    return {
      prefix,
      open: async () => { const m = await EtcdMeta.connect({ hosts: url }); open.push(m); return m; },
      dispose: async () => {
        await open[0]?.client.delete().prefix(prefix).exec().catch(() => undefined);
        await Promise.all(open.map((m) => m.close()));
      },
    };
  }).run();
} else {
  test.run();
}
