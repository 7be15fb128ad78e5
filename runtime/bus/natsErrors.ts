/**
 * The one place NATS client errors become NuthatchErrors (STYLE point 7).
 */
import { errors } from '@nats-io/transport-node';
import { NuthatchError } from '../../messages/errors.js';

/** Maps an error thrown by the NATS client to a NuthatchError with a stable code. */
export function mapNatsError(e: unknown, subject: string, timeoutMs?: number): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const details = { subject };
  const cause = e instanceof errors.RequestError ? e.cause : e;
  if (cause instanceof errors.NoRespondersError || (e instanceof errors.RequestError && e.isNoResponders())) {
    return new NuthatchError('Unavailable', `no responders on '${subject}'`, details, e);
  }
  if (cause instanceof errors.TimeoutError) {
    return new NuthatchError('Timeout', `request on '${subject}' timed out after ${timeoutMs ?? '?'} ms`, { ...details, timeoutMs }, e);
  }
  if (cause instanceof errors.InvalidSubjectError) return new NuthatchError('InvalidArgument', (cause as Error).message, details, e);
  if (cause instanceof errors.InvalidArgumentError && /max_payload/.test((cause as Error).message)) {
    return new NuthatchError('PayloadTooLarge', `payload exceeds the server's max_payload on '${subject}'`, details, e);
  }
  if (cause instanceof errors.ClosedConnectionError || cause instanceof errors.DrainingConnectionError || cause instanceof errors.ConnectionError) {
    return new NuthatchError('Unavailable', `NATS connection unavailable: ${(cause as Error).message}`, details, e);
  }
  if (e instanceof errors.RequestError) return new NuthatchError('Unavailable', `request on '${subject}' failed: ${e.message}`, details, e);
  return new NuthatchError('Internal', e instanceof Error ? e.message : String(e), details, e);
}
