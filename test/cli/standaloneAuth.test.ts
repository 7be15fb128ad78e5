import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kill, spawnStandalone } from '../crash/standaloneProcess.js';

/** `nuthatch standalone --auth --root-password P`: the HTTP API wants root's configured password. */
test('--auth requires credentials; --root-password sets root\'s first password', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-auth-cli-'));
  const p = await spawnStandalone(dataDir, ['--auth', '--root-password', 'Sekret-1']);
  const list = (headers: Record<string, string>) => fetch(`${p.url}/v2/vectordb/collections/list`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
  try {
    const none = await list({});
    assert.is(none.status, 401);
    assert.is(((await none.json()) as { code: number }).code, 2000);
    assert.is((await list({ Authorization: 'Bearer root:Milvus' })).status, 401, 'the default password was replaced');
    const ok = await list({ Authorization: 'Bearer root:Sekret-1' });
    assert.is(ok.status, 200);
    assert.equal(await ok.json(), { code: 0, data: [] });
  } finally {
    await kill(p, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
});

test.run();
