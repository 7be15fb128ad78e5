/**
 * Seeded random vchannel messages for the replay and robustness specs. `propose`
 * looks at the current context and mostly proposes messages that fit it (so logs
 * get deep: txns, seals, flushes, partition drops); with `chaos` > 0 it also
 * proposes broken ones (stale TSOs, unknown ids, wrong vchannel, bad payloads).
 */
import type { AnyMessage } from '../../messages/types.js';
import type { VchannelSnapshot } from '../../actors/streaming-node/core/vchannel/index.js';
import { DEFAULT, at, m, rows } from './fixtures.js';

import { mulberry32 as prng } from '../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { prng };

export class RandomLog {
  private ms = 1;
  private nextId = 2000;
  constructor(private readonly rand: () => number, private readonly chaos = 0) {}

  private int(n: number): number { return Math.floor(this.rand() * n); }
  private pick<T>(xs: readonly T[]): T | undefined { return xs.length ? xs[this.int(xs.length)] : undefined; }
  private tick(): number { this.ms += 1 + this.int(40); return this.ms; }

  /** A message for the vchannel in state `s`. */
  propose(s: VchannelSnapshot): AnyMessage {
    const msg = this.rand() < this.chaos ? this.broken(s) : this.fitting(s);
    return msg;
  }

  private fitting(s: VchannelSnapshot): AnyMessage {
    const c = s.context, t = this.tick();
    if (c.collection === null) return m.createCollection(t, [{ id: DEFAULT, name: '_default' }, { id: 1001, name: 'b' }]);
    const parts = Object.values(c.partitions).filter((p) => p.status === 'live');
    const growing = Object.values(c.segments).filter((x) => x.status === 'growing');
    const sealed = Object.values(c.segments).filter((x) => x.status === 'sealed');
    const open = Object.values(c.txns).filter((x) => x.status === 'open' && t <= Number(x.expiresTso >> 18n));
    const r = this.rand();
    if (r < 0.35) {
      const seg = this.pick(growing);
      if (!seg) return m.createSegment(t, this.nextId++, this.pick(parts)!.id);
      const txn = this.rand() < 0.4 ? this.pick(open)?.id : undefined;
      return m.insert(t, seg.id, { partition: seg.partitionId, rows: rows(1 + this.int(4), this.int(1000)), txn });
    }
    if (r < 0.42) return m.delete(t, { partition: this.rand() < 0.3 ? -1 : this.pick(parts)!.id, pks: [this.int(1000)], txn: this.rand() < 0.3 ? this.pick(open)?.id : undefined });
    if (r < 0.50) return m.createSegment(t, this.nextId++, this.pick(parts)!.id);
    if (r < 0.56 && growing.length) return m.seal(t, this.pick(growing)!.id);
    if (r < 0.62 && sealed.length) return m.flush(t, this.pick(sealed)!.id);
    if (r < 0.70) return m.begin(t, this.nextId++, 20 + this.int(200));
    if (r < 0.80 && open.length) return this.rand() < 0.75 ? m.commit(t, this.pick(open)!.id) : m.rollback(t, this.pick(open)!.id);
    if (r < 0.83) { const id = this.nextId++; return m.createPartition(t, id, `p${id}`); }
    if (r < 0.85 && parts.length > 1) return m.dropPartition(t, this.pick(parts.filter((p) => p.id !== DEFAULT))!.id);
    if (r < 0.87) return m.manualFlush(t);
    if (r < 0.90) return m.createIndex(t, `i${this.int(3)}`, this.pick(['vec', 'tag', 'id'])!);
    if (r < 0.93) return m.dropIndex(t, `i${this.int(3)}`);
    if (r < 0.932) return m.dropCollection(t);
    return m.delete(t);
  }

  /** A message that probably breaks something. */
  private broken(s: VchannelSnapshot): AnyMessage {
    const good = this.fitting(s);
    switch (this.int(8)) {
      case 0: return at(Math.max(0, this.ms - this.int(50)), good);                 // stale or equal TSO
      case 1: good.header.vchannel = 'elsewhere'; return good;
      case 2: return m.timeTick(this.ms, this.rand() < 0.5 ? '' : good.header.vchannel);
      case 3: return m.insert(this.ms, this.int(5), { partition: this.int(3) + 999, txn: this.rand() < 0.5 ? this.int(4) : undefined });
      case 4: {
        const seg = this.pick(Object.values(s.context.segments).filter((x) => x.status === 'growing'));
        return m.insert(this.ms, seg?.id ?? 1, { partition: seg?.partitionId, rows: { ...rows(2), vectors: new Float32Array(this.int(12)) } });
      }
      case 5: if (this.rand() < 0.5) {
        const txn = this.pick(Object.values(s.context.txns))?.id ?? 1;  // open, expired or aborted
        return this.rand() < 0.5 ? m.commit(this.tick(), txn) : m.delete(this.tick(), { txn });
      }
      good.header.txn = { id: this.int(3000) }; return good;
      case 6: return [m.commit(this.ms, this.int(2010)), m.seal(this.ms, this.int(2010)), m.flush(this.ms, this.int(2010)), m.dropPartition(this.ms, this.int(1002))][this.int(4)]!;
      default: return this.rand() < 0.5 ? m.createCollection(this.ms) : m.begin(this.ms, this.int(2010), this.pick([-5, Number.NaN, 0, 10])!);
    }
  }
}
