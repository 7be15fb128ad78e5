/**
 * The HTTP black-box suite against a real `nuthatch standalone` process: the
 * README's main command, spoken to only over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, spawnStandalone } from '../crash/standaloneProcess.js';
import { httpBlackBox } from './blackbox.js';

httpBlackBox('nuthatch standalone process', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-http-'));
  const p = await spawnStandalone(dataDir, ['--seal-idle-ms', '2000']);
  return { url: p.url, async stop() { await kill(p, 'SIGTERM'); await rm(dataDir, { recursive: true, force: true }); } };
});
