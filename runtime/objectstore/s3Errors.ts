/**
 * The one place S3 client errors become NuthatchErrors (STYLE point 7).
 */
import { NuthatchError } from '../../messages/errors.js';

interface S3ishError { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } }

/** The HTTP status of an S3 error, if the server answered. */
export function s3Status(e: unknown): number | undefined {
  return (e as S3ishError)?.$metadata?.httpStatusCode;
}

/** Whether the error says the object (or bucket) does not exist. */
export function isS3NotFound(e: unknown): boolean {
  const name = (e as S3ishError)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || s3Status(e) === 404;
}

/** Maps an error thrown by @aws-sdk/client-s3 to a NuthatchError with a stable code. */
export function mapS3Error(e: unknown, what: string, key?: string): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const err = e as S3ishError;
  const status = s3Status(e);
  const details = key === undefined ? {} : { key };
  const msg = `${what}: ${err?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${err?.message ?? String(e)}`;
  // 412: If-None-Match lost; 409 ConditionalRequestConflict: a concurrent conditional write (retry).
  if (status === 412 || err?.name === 'PreconditionFailed' || err?.name === 'ConditionalRequestConflict') return new NuthatchError('Conflict', msg, details, e);
  if (isS3NotFound(e)) return new NuthatchError('NotFound', msg, details, e);
  if (status === 400 && err?.name === 'EntityTooLarge') return new NuthatchError('PayloadTooLarge', msg, details, e);
  if (status === undefined || status >= 500 || status === 429 || err?.name === 'TimeoutError') return new NuthatchError('Unavailable', msg, details, e);
  return new NuthatchError('Internal', msg, details, e);
}
