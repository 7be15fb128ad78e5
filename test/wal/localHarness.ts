/**
 * A local WAL backend over a fresh temporary directory, in the shape the
 * conformance suite wants, plus the child spec that builds the same backend in
 * another process.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WalBackend } from '../../runtime/ports/walBackend.js';
import { LocalWalBackend, type LocalWalOptions } from '../../runtime/wal/local/index.js';
import type { WalChildSpec, WalHarness } from './conformance.js';

export interface LocalHarness extends WalHarness { root: string; opts: LocalWalOptions }

/** A harness over a new temporary root; every backend it makes is closed by cleanup(). */
export async function localHarness(opts: LocalWalOptions = {}): Promise<LocalHarness> {
  const root = await mkdtemp(join(tmpdir(), 'nuthatch-wal-'));
  const made: WalBackend[] = [];
  const mk = (): LocalWalBackend => { const b = new LocalWalBackend(root, opts); made.push(b); return b; };
  return {
    root,
    opts,
    backend: mk(),
    reopen: async () => mk(),
    cleanup: async () => {
      for (const b of made) await b.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** How the crash child builds the same backend. */
export function localChildSpec(h: LocalHarness): WalChildSpec {
  return {
    module: new URL('../../runtime/wal/local/index.js', import.meta.url).href,
    factory: 'createLocalWalBackend',
    config: { root: h.root, ...h.opts },
  };
}

/** Bytes of all files in a pchannel's directory. */
export async function pchannelBytes(root: string, pchannel: string): Promise<number> {
  const dir = join(root, pchannel);
  let sum = 0;
  for (const n of await readdir(dir)) sum += (await stat(join(dir, n))).size;
  return sum;
}
