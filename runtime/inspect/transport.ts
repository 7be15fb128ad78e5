/**
 * The inspection stream on the bus: each emitter publishes its events on
 * `nuthatch.inspect.<actor>.<nodeId>` through the value codec, so the inspector
 * reads the in-process bus (standalone) and NATS (cluster) the same way. An
 * inspector that connects late publishes on the sync subject; every emitter then
 * repeats the latest snapshot of each vchannel and the latest tick and open of each
 * pchannel it knows, so the page starts from the current state, not from empty.
 */
import { Observable } from 'rxjs';
import { DecodeError } from '../../messages/errors.js';
import { decodeValue, encodeValue } from '../../messages/valueCodec.js';
import type { Bus } from '../ports/bus.js';
import { InspectKind, type InspectEnvelope, type InspectEvent, type InspectHook } from './events.js';

/** Every inspection subject (subscribe pattern). */
export const INSPECT_SUBJECTS = 'nuthatch.inspect.>';
/** Published by an inspector that wants the current state repeated. */
export const INSPECT_SYNC_SUBJECT = 'nuthatch.inspector.sync';

/** A subject token: NATS forbids '.', '*', '>' and whitespace inside one. */
function token(s: string): string { return s.replace(/[.*>\s]/g, '_') || '_'; }

export function inspectSubject(actor: string, nodeId: string): string { return `nuthatch.inspect.${token(actor)}.${token(nodeId)}`; }

/** An emitter: `hook` goes into the actor (NodeContext.inspect); `close` stops answering sync requests. */
export interface InspectPublisher { hook: InspectHook; close(): void }

/** Key of the state an emitter repeats on sync: the latest event per vchannel or pchannel. */
function retainKey(e: InspectEvent): string | null {
  if (e.kind === 'snapshot') return `snapshot/${e.view.vchannel}`;
  if (e.kind === 'tick') return `tick/${e.pchannel}`;
  if (e.kind === 'effect' && e.what === 'wal-opened') return `opened/${e.pchannel}`;
  if (e.kind === 'effect' && e.what === 'wal-truncated') return `truncated/${e.pchannel}`;
  return null;
}

/** Publishes an actor's events on the bus. `now` is the wall clock stamped on envelopes. */
export function createInspectPublisher(bus: Bus, actor: string, nodeId: string, now: () => number = Date.now): InspectPublisher {
  const subject = inspectSubject(actor, nodeId);
  const retained = new Map<string, InspectEvent>();
  let seq = 0;
  const publish = (event: InspectEvent) => {
    const env: InspectEnvelope = { actor, nodeId, seq: seq++, atMs: now(), event };
    try { bus.publish(subject, encodeValue(env)); } catch { /* inspection never breaks the actor (bus closing) */ }
  };
  const hook: InspectHook = (e) => {
    const k = retainKey(e);
    if (k) { retained.delete(k); retained.set(k, e); }
    publish(e);
  };
  const sub = bus.subscribe(INSPECT_SYNC_SUBJECT, () => { for (const e of retained.values()) publish(e); });
  return { hook, close: () => sub.unsubscribe() };
}

const KINDS: ReadonlySet<string> = new Set(Object.values(InspectKind));

/** Decodes one published envelope; anything else is a DecodeError. */
export function decodeEnvelope(bytes: Uint8Array): InspectEnvelope {
  const v = decodeValue(bytes) as Record<string, unknown> | null;
  const e = v?.event as Record<string, unknown> | undefined;
  if (!v || typeof v.actor !== 'string' || typeof v.nodeId !== 'string' || typeof v.seq !== 'number' || typeof v.atMs !== 'number'
    || !e || typeof e !== 'object' || !KINDS.has(e.kind as string) || typeof e.pchannel !== 'string') {
    throw new DecodeError('not an inspection envelope');
  }
  return v as unknown as InspectEnvelope;
}

/**
 * Every inspection event on the bus, as an Observable. Subscribing asks the
 * emitters for their current state (sync); undecodable payloads are skipped.
 */
export function inspectStream(bus: Bus): Observable<InspectEnvelope> {
  return new Observable<InspectEnvelope>((sub) => {
    const s = bus.subscribe(INSPECT_SUBJECTS, (data) => {
      let env: InspectEnvelope;
      try { env = decodeEnvelope(data); } catch { return; }
      sub.next(env);
    });
    bus.publish(INSPECT_SYNC_SUBJECT, new Uint8Array(0));
    return () => s.unsubscribe();
  });
}
