/** The ObjectStore contract against the local-disk store (a temp directory per test). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { objectStoreContract } from './objectStoreContract.js';

objectStoreContract('local', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-objects-'));
  const store = await LocalObjectStore.open(join(dir, 'root'));
  return { store, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}).run();
