/** The MetaStore contract against the embedded store (a temp directory per test). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { metaContract } from './metaContract.js';

metaContract('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-meta-'));
  const store = await EmbeddedMeta.open(dir);
  return {
    prefix: 'k/',
    open: async () => store,
    dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}).run();
