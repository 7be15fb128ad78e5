import { NuthatchError } from '../../messages/errors.js';
import type { MetaStore } from '../ports/metaStore.js';

const KEY = 'cluster/wal-backend';

/**
 * Records which WAL backend a data directory (or cluster) uses, and refuses to
 * start with another one: a restart on the wrong backend would look empty.
 */
export async function checkWalKind(meta: MetaStore, kind: string): Promise<void> {
  const cur = await meta.get(KEY);
  if (!cur) { await meta.compareAndSwap(KEY, 0, new TextEncoder().encode(kind)); return; }
  const was = new TextDecoder().decode(cur.value);
  if (was !== kind) throw new NuthatchError('StorageMismatch', `this data was written with the '${was}' WAL backend; start with --wal ${was} (asked for '${kind}')`, { recorded: was, requested: kind });
}
