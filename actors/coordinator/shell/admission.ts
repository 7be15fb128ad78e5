import type { AdmissionSnapshot, QuotaDefaults } from '../../../messages/admission.js';
import { dbOf } from '../../../messages/database.js';
import { policyOf } from '../../../messages/databaseProperties.js';
import { EVENTS } from '../../../messages/rpc/workers.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import { allCollections, namespaceOf } from '../core/databases.js';
import { decideAdmission, storedBytes, type QuotaInput } from '../core/quotaDecision.js';
import type { CoordinatorContext } from './context.js';

/** Milvus's quotaCenterCollectInterval: how often stored sizes are looked at again. */
export const DEFAULT_ADMISSION_INTERVAL_MS = 3000;

/**
 * The coordinator's quota centre: decides each collection's admission
 * (core/quotaDecision.ts) from the catalogue, its databases' properties and the
 * flushed segments, and publishes the snapshot on `EVENTS.admission` to the
 * streaming nodes, which enforce it. Published at once after a catalogue
 * change (before the DDL's reply, so a client that saw its alter succeed never
 * gets a request through under the old switches), and every `intervalMs`:
 * stored sizes change as segments flush and compact, and a node that missed
 * an event catches up.
 */
export class AdmissionCentre {
  private seq = 0;
  private last?: AdmissionSnapshot;
  private timer?: NodeJS.Timeout;
  constructor(private readonly ctx: CoordinatorContext, private readonly epoch: bigint, private readonly defaults: QuotaDefaults) {}

  /** The newest snapshot published (what the `admission` request answers), published first if none was. */
  current(): AdmissionSnapshot {
    return this.last ?? this.publish();
  }

  /** Decides and publishes a new snapshot. */
  publish(): AdmissionSnapshot {
    const inputs: QuotaInput[] = allCollections(this.ctx.catalog).filter((r) => r.state !== 'dropping').map((record) => {
      const name = dbOf(record);
      return { record, db: { name, policy: policyOf(namespaceOf(this.ctx.catalog, name).record.properties) } };
    });
    const collections = decideAdmission(inputs, storedBytes(inputs, this.ctx.segments.values()), this.defaults);
    this.last = { epoch: this.epoch, seq: ++this.seq, collections };
    if (!this.ctx.stopped) this.ctx.opts.bus.publish(EVENTS.admission, encodeValue(this.last));
    return this.last;
  }

  start(intervalMs: number): void {
    this.publish();
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => { try { this.publish(); } catch (e) { this.ctx.log('admission publish failed:', (e as Error).message); } }, intervalMs);
    this.timer.unref();
  }

  stop(): void { clearInterval(this.timer); }
}
