/** The ObjectStore contract against S3 (NUTHATCH_TEST_S3, an s3rver started by test/support/services.ts). */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import { requireService } from '../support/requireService.js';
import { objectStoreContract } from './objectStoreContract.js';

const url = requireService('NUTHATCH_TEST_S3', 'object store contract: s3');
if (url) {
  const credentials = {
    accessKeyId: process.env.NUTHATCH_TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
    secretAccessKey: process.env.NUTHATCH_TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
  };
  objectStoreContract('s3', async () => {
    // A bucket per test keeps tests apart and exercises bucket creation.
    const store = await S3ObjectStore.open({ endpoint: url, bucket: `t-${randomUUID().slice(0, 12)}`, credentials });
    return {
      store,
      dispose: async () => {
        for (const o of await store.list('')) await store.delete(o.key);
        await store.close();
      },
    };
  }).run();
} else {
  test.run();
}
