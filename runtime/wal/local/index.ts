/**
 * The local-disk WAL backend. `createLocalWalBackend` is the factory a child
 * process uses to build one from JSON (see test/wal/conformanceChild.ts).
 */
import { LocalWalBackend, type LocalWalOptions } from './LocalWalBackend.js';

export { LocalWalBackend, type LocalWalOptions } from './LocalWalBackend.js';

/** JSON configuration of a local backend: its root directory and options. */
export interface LocalWalConfig extends LocalWalOptions { root: string }

/** Builds a local backend from its JSON configuration. */
export function createLocalWalBackend(config: LocalWalConfig): LocalWalBackend {
  const { root, ...opts } = config;
  return new LocalWalBackend(root, opts);
}
