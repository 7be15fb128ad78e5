import { randomUUID } from 'node:crypto';
import { isNewer, type AdmissionSnapshot } from '../../messages/admission.js';
import { NuthatchError } from '../../messages/errors.js';
import { pchannelOf, type WritePart } from '../../messages/rpc/streamingNode.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { EVENTS } from '../../messages/rpc/workers.js';
import type { Bus } from '../ports/bus.js';

/**
 * The coordinator's admission snapshot as a client sees it (the bus event
 * streaming nodes follow; asked for once if none came yet). It only tells
 * whether a collection has any admission rule: a write spanning several
 * appends of a collection without one needs no reservation.
 */
export class AdmissionView {
  private snapshot?: AdmissionSnapshot;
  private asked?: Promise<void>;

  constructor(bus: Bus, private readonly ask: () => Promise<AdmissionSnapshot>) {
    bus.subscribe(EVENTS.admission, (data) => this.offer(decodeValue(data) as unknown as AdmissionSnapshot));
  }

  private offer(s: AdmissionSnapshot): void {
    if (isNewer(s, this.snapshot)) this.snapshot = s;
  }

  /** Whether writes of the collection may be refused by a streaming node (force-deny, disk quota or a rate). */
  async ruled(collectionId: number): Promise<boolean> {
    if (!this.snapshot) {
      this.asked ??= this.ask().then((s) => this.offer(s), () => { this.asked = undefined; });
      await this.asked;
      // No snapshot to be had: assume rules, the safe side.
      if (!this.snapshot) return true;
    }
    return this.snapshot.collections[String(collectionId)] !== undefined;
  }
}

/** One pchannel's reservation call and its release, as the client sends them to the owner. */
export interface ReservationPorts {
  reserve(pchannel: string, req: { reservation: string; parts: WritePart[] }): Promise<unknown>;
  release(pchannel: string, reservation: string): Promise<unknown>;
}


/**
 * Reserves a write on every owner its parts reach, all or nothing: if any
 * owner refuses, those that admitted are released (their tokens given back)
 * and the refusal is thrown — a non-retryable one (ForceDenied,
 * QuotaExceeded) before a RateLimited one. Resolves to the reservation id.
 */
export async function reserveAll(ports: ReservationPorts, parts: readonly WritePart[]): Promise<string> {
  const reservation = randomUUID();
  const byPchannel = new Map<string, WritePart[]>();
  for (const p of parts) {
    const k = pchannelOf(p.vchannel);
    const list = byPchannel.get(k);
    if (list) list.push(p); else byPchannel.set(k, [p]);
  }
  const results = await Promise.allSettled([...byPchannel].map(([pchannel, ps]) => ports.reserve(pchannel, { reservation, parts: ps })));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return reservation;
  // Released everywhere, also where the answer was lost: releasing what was never reserved is a no-op.
  await Promise.all([...byPchannel.keys()].map((pchannel) => ports.release(pchannel, reservation).catch(() => {})));
  const typed = failures.filter((e): e is NuthatchError => e instanceof NuthatchError);
  throw typed.find((e) => !e.retryable) ?? typed[0] ?? failures[0];
}
