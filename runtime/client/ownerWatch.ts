import { NuthatchError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { PchannelAssignment } from '../../messages/rpc/records.js';
import { streamingOwnerSubject, streamingSubject } from '../../messages/rpc/streamingNode.js';
import { EVENTS } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import type { Bus, BusSubscription } from '../ports/bus.js';
import { client } from '../rpc/typedBus.js';

/**
 * Follows the coordinator's pchannel assignments. Requests go to the subject of
 * the current owner's term, so a stale owner that still holds a subscription (a
 * paused process) gets none of them; a request in flight to a node that lost its
 * pchannel (crashed, or paused and fenced) is given up as soon as the pchannel
 * moves, rather than when its timeout expires. It is then retried on the new
 * owner; appends carry append ids, so a retry of an append the old owner made
 * durable is answered, not repeated.
 */
export class OwnerWatch {
  private readonly terms = new Map<string, number>();
  /** Per pchannel, its follower delegators as the newest assignment lists them. */
  private readonly followers = new Map<string, string>();
  private readonly waiters = new Map<string, Set<(a: PchannelAssignment) => void>>();
  private sub?: BusSubscription;
  private refreshing = false;
  private refreshedAt = 0;

  constructor(private readonly bus: Bus) {}

  /**
   * Sends `request` to the pchannel's owner (`subject` is the owner's term
   * subject when the term is known); fails with a retryable NotOwner as soon as
   * the pchannel gets a newer term than it had at the start.
   */
  guard<T>(pchannel: string, request: (subject: string) => Promise<T>): Promise<T> {
    this.start();
    const term = this.terms.get(pchannel);
    if (term === undefined) return request(streamingSubject(pchannel));
    const p = request(streamingOwnerSubject(pchannel, term));
    // Nobody serves that term: the owner is opening, or we missed a move.
    p.catch((e: NuthatchError) => { if (e.code === 'Unavailable') this.refresh(); });
    return new Promise<T>((resolve, reject) => {
      const set = this.waiters.get(pchannel) ?? new Set();
      this.waiters.set(pchannel, set);
      const onMove = (a: PchannelAssignment) => {
        if (a.term <= term) return;
        set.delete(onMove);
        reject(new NuthatchError('NotOwner', `pchannel ${pchannel} moved to ${a.nodeId} (term ${a.term}) while a request was in flight`, { pchannel, term: a.term }));
      };
      set.add(onMove);
      p.then(resolve, reject).finally(() => set.delete(onMove));
    });
  }

  /**
   * Sends a read to any of the pchannel's delegators (the owner or a follower);
   * fails with a retryable NotOwner as soon as the pchannel gets a new term or a
   * different set of followers (the delegator asked may be one that died).
   */
  guardRead<T>(pchannel: string, request: () => Promise<T>): Promise<T> {
    this.start();
    const term = this.terms.get(pchannel);
    const followers = this.followers.get(pchannel);
    const p = request();
    if (term === undefined) return p;
    p.catch((e: NuthatchError) => { if (e.code === 'Unavailable') this.refresh(); });
    return new Promise<T>((resolve, reject) => {
      const set = this.waiters.get(pchannel) ?? new Set();
      this.waiters.set(pchannel, set);
      const onChange = (a: PchannelAssignment) => {
        if (a.term <= term && followersKey(a) === followers) return;
        set.delete(onChange);
        reject(new NuthatchError('NotOwner', `the delegators of pchannel ${pchannel} changed while a read was in flight`, { pchannel, term: a.term }));
      };
      set.add(onChange);
      p.then(resolve, reject).finally(() => set.delete(onChange));
    });
  }

  private start(): void {
    if (this.sub) return;
    this.sub = this.bus.subscribe(EVENTS.assignments, (data) => {
      const v = decodeValue(data) as unknown as { pchannels: PchannelAssignment[] };
      this.apply(v.pchannels);
    });
    // The current terms, so that the first move after start is noticed too.
    this.refresh();
  }

  /** Asks the coordinator for the assignments (at most one request at a time, twice a second). */
  private refresh(): void {
    if (this.refreshing || Date.now() - this.refreshedAt < 500) return;
    this.refreshing = true;
    this.refreshedAt = Date.now();
    client<CoordinatorProtocol>(this.bus, COORDINATOR_SUBJECT)('assignments', {}, 10_000)
      .then((a) => this.apply(a.pchannels), () => {})
      .finally(() => { this.refreshing = false; });
  }

  private apply(list: PchannelAssignment[]): void {
    for (const a of list) {
      const known = this.terms.get(a.pchannel);
      const newer = known === undefined || a.term > known;
      if (!newer && !(a.term === known && followersKey(a) !== this.followers.get(a.pchannel))) continue;
      this.terms.set(a.pchannel, a.term);
      this.followers.set(a.pchannel, followersKey(a));
      for (const w of [...(this.waiters.get(a.pchannel) ?? [])]) w(a);
    }
  }

  close(): void { this.sub?.unsubscribe(); this.sub = undefined; }
}

const followersKey = (a: PchannelAssignment) => [...(a.followers ?? [])].sort().join(',');
