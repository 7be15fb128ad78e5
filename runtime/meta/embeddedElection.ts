/**
 * Elections for the embedded store. In one process the candidates of a name form
 * a queue: the first leads, the others wait. Each candidate holds a lease and a
 * key `election/<name>/<lease id>` (the layout etcd3's Election uses), so the
 * contenders are visible with list(); a lost lease takes its candidate out of
 * the queue, and the next one leads.
 */
import { NuthatchError } from '../../messages/errors.js';
import type { Lease, MetaStore } from '../ports/metaStore.js';

interface Candidate {
  lease: Lease;
  elect: () => void;
  fail: (e: Error) => void;
  resolveLost: () => void;
  lost: Promise<void>;
}

export class EmbeddedElections {
  private readonly queues = new Map<string, Candidate[]>();
  private closed = false;

  constructor(private readonly store: Pick<MetaStore, 'grantLease' | 'put'>) {}

  async campaign(name: string, value: string, ttlMs: number): Promise<{ resign(): Promise<void>; lost: Promise<void> }> {
    if (this.closed) throw new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' });
    const lease = await this.store.grantLease(ttlMs);
    await this.store.put(`election/${name}/${lease.id}`, new TextEncoder().encode(value), { lease });
    let resolveLost!: () => void;
    const lost = new Promise<void>((r) => { resolveLost = r; });
    let c!: Candidate;
    const elected = new Promise<void>((elect, fail) => { c = { lease, elect, fail, resolveLost, lost }; });
    const q = this.queues.get(name) ?? [];
    this.queues.set(name, q);
    q.push(c);
    void lease.lost.then(() => {
      if (this.leave(name, c)) c.resolveLost();
      c.fail(new NuthatchError('Unavailable', `lease of candidate '${value}' for '${name}' was lost before it was elected`));
    });
    if (q[0] === c) c.elect();
    await elected;
    return {
      lost,
      resign: async () => {
        // The key goes first, so the next leader never sees its predecessor's key.
        await lease.revoke();
        this.leave(name, c);
      },
    };
  }

  /** Rejects the campaigns still waiting. */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) for (const c of q.slice(1)) c.fail(new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' }));
    this.queues.clear();
  }

  /** Removes a candidate; returns whether it was the leader (and elects the next one). */
  private leave(name: string, c: Candidate): boolean {
    const q = this.queues.get(name);
    const i = q?.indexOf(c) ?? -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) this.queues.delete(name);
    if (i === 0 && q.length > 0) q[0]!.elect();
    return i === 0;
  }
}
