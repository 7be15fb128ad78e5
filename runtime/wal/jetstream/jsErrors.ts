/**
 * The one place JetStream failures become nuthatch errors (STYLE.md point 7).
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { ConnectionError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { NuthatchError } from '../../../messages/errors.js';

/** JetStream API error codes this backend reacts to. */
export const JsCode = {
  /** A publish's Nats-Expected-Last-Sequence did not match: our fencing conflict. */
  WrongLastSequence: 10071,
  /** A publish's Nats-Expected-Last-Msg-Id did not match: the same conflict, seen by id. */
  WrongLastMsgId: 10070,
  StreamNotFound: 10059,
  /** "replicas > 1 not supported in non-clustered mode". */
  ReplicasNotSupported: 10074,
  InsufficientResources: 10023,
} as const;

/** The JetStream API error code of an error, if it is one. */
export function jsCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.code : undefined;
}

/**
 * True when a publish lost its place in the stream: its expected last sequence
 * (10071) or expected last message id (10070) did not match. Our one conflict.
 */
export function isWrongLast(e: unknown): boolean {
  const code = jsCode(e);
  return code === JsCode.WrongLastSequence || code === JsCode.WrongLastMsgId;
}

/**
 * True for a failure that says nothing about the stream, only that the server
 * did not answer now: a timeout, no responders (JetStream not up yet, as after
 * a server restart; the client names it JetStreamNotEnabled and does not export
 * the class), a disconnected request. A request on a connection that was
 * closed on purpose is not one: nothing will answer it.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof TimeoutError || e instanceof ConnectionError) return true;
  if (e instanceof Error && e.name === 'JetStreamNotEnabled') return true;
  return e instanceof RequestError && e.message !== 'connection closed';
}

/** Wraps any other failure talking to JetStream as a retryable 'WalUnavailable'. */
export function unavailable(what: string, e: unknown): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new NuthatchError('WalUnavailable', `jetstream WAL: ${what}: ${msg}`, { jsCode: jsCode(e) }, e);
}
