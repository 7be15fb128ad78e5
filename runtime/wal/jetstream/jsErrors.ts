/**
 * The one place JetStream failures become nuthatch errors (STYLE.md point 7).
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { NuthatchError } from '../../../messages/errors.js';

/** JetStream API error codes this backend reacts to. */
export const JsCode = {
  /** A publish's Nats-Expected-Last-Sequence did not match: our fencing conflict. */
  WrongLastSequence: 10071,
  StreamNotFound: 10059,
  /** "replicas > 1 not supported in non-clustered mode". */
  ReplicasNotSupported: 10074,
  InsufficientResources: 10023,
} as const;

/** The JetStream API error code of an error, if it is one. */
export function jsCode(e: unknown): number | undefined {
  return e instanceof JetStreamApiError ? e.code : undefined;
}

/** True for the expected-last-sequence conflict (error 10071). */
export function isWrongLastSequence(e: unknown): boolean {
  return jsCode(e) === JsCode.WrongLastSequence;
}

/** Wraps any other failure talking to JetStream as a retryable 'WalUnavailable'. */
export function unavailable(what: string, e: unknown): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new NuthatchError('WalUnavailable', `jetstream WAL: ${what}: ${msg}`, { jsCode: jsCode(e) }, e);
}
