import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempStandalone } from './harness.js';

/**
 * stop() leaves nothing running: a pchannel still opening when stop is called
 * (its assignment arrived, its WAL not yet open) is closed by the open itself,
 * and no file appears in the data directory afterwards.
 */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  return out.sort();
}

test('a standalone stopped right after it starts writes nothing after stop()', async () => {
  for (let i = 0; i < 5; i++) {
    const s = await tempStandalone();
    try {
      await s.stop();
      const after = await files(s.dataDir);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await files(s.dataDir), after, `round ${i}: files changed after stop()`);
    } finally { await s.cleanup(); }
  }
});

test.run();
