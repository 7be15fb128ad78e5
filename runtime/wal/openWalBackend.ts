import type { MetaStore } from '../ports/metaStore.js';
import type { ObjectStore } from '../ports/objectStore.js';
import type { WalBackend } from '../ports/walBackend.js';
import { LocalWalBackend } from './local/LocalWalBackend.js';

/** Which WAL backend to run, with what it needs. */
export type WalChoice =
  | { kind: 'local'; dir: string; /** Segment file size (LocalWalOptions.segmentBytes). */ segmentBytes?: number }
  | { kind: 'object' }
  | { kind: 'jetstream'; natsUrl: string; /** Default 'replicated' (see JetStreamDurability). */ durability?: 'replicated' | 'sync-always' | 'unsynced' };

/** Opens the chosen backend; `object` stores fragments in the given object store with its index in the meta store. */
export async function openWalBackend(c: WalChoice, deps: { meta: MetaStore; objects: ObjectStore }): Promise<WalBackend> {
  switch (c.kind) {
    case 'local': return new LocalWalBackend(c.dir, c.segmentBytes === undefined ? {} : { segmentBytes: c.segmentBytes });
    case 'object': {
      const { ObjectWalBackend } = await import('./object/ObjectWalBackend.js' as string);
      return new ObjectWalBackend(deps.objects, deps.meta);
    }
    case 'jetstream': {
      const { JetStreamWalBackend } = await import('./jetstream/JetStreamWalBackend.js' as string);
      return JetStreamWalBackend.connect({ servers: c.natsUrl, durability: c.durability });
    }
  }
}
