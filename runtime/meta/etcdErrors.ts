/**
 * The one place etcd3 client errors become NuthatchErrors (STYLE point 7).
 */
import * as etcd from 'etcd3';
import { NuthatchError } from '../../messages/errors.js';

/** Maps an error thrown by the etcd3 client to a NuthatchError with a stable code. */
export function mapEtcdError(e: unknown, what: string): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  if (e instanceof etcd.EtcdLeaseInvalidError) return new NuthatchError('NotFound', msg, { reason: 'lease-not-found' }, e);
  if (e instanceof etcd.ClientClosedError) return new NuthatchError('Unavailable', msg, { reason: 'closed' }, e);
  if (e instanceof etcd.GRPCDeadlineExceededError) return new NuthatchError('Timeout', msg, {}, e);
  if (e instanceof etcd.GRPCInvalidArgumentError) return new NuthatchError('InvalidArgument', msg, {}, e);
  if (e instanceof etcd.GRPCResourceExhastedError) return new NuthatchError('PayloadTooLarge', msg, {}, e);
  // The client's circuit breaker (cockatiel, not a dependency of ours: matched by
  // its marker) refuses calls for a while after etcd stopped answering: etcd is
  // unavailable, not broken.
  if ((e as { isBrokenCircuitError?: boolean })?.isBrokenCircuitError === true) return new NuthatchError('Unavailable', msg, { reason: 'circuit-open' }, e);
  if (etcd.isRecoverableError(e as Error) || e instanceof etcd.GRPCUnavailableError || e instanceof etcd.GRPCCancelledError) {
    return new NuthatchError('Unavailable', msg, {}, e);
  }
  return new NuthatchError('Internal', msg, {}, e);
}
