import { NuthatchError } from '../../../messages/errors.js';

/** Milvus's message for a request without valid credentials. */
export const NOT_AUTHENTICATED = "user hasn't authenticated";

/**
 * The user and password of an `Authorization` header, as Milvus's REST API
 * takes them: `Bearer <user>:<password>` (the token form of the SDKs) or
 * `Basic base64(<user>:<password>)`. The password may hold ':'; the user may not.
 */
export function credentialsOf(header: string | undefined): { user: string; password: string } {
  if (header === undefined || header.trim() === '') throw new NuthatchError('Unauthenticated', `${NOT_AUTHENTICATED}: send 'Authorization: Bearer <user>:<password>'`);
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  let pair: string;
  if (/^bearer$/i.test(scheme!)) pair = value;
  else if (/^basic$/i.test(scheme!)) pair = Buffer.from(value, 'base64').toString('utf8');
  else throw new NuthatchError('Unauthenticated', `${NOT_AUTHENTICATED}: the Authorization scheme must be Bearer or Basic`);
  const colon = pair.indexOf(':');
  if (colon <= 0) throw new NuthatchError('Unauthenticated', `${NOT_AUTHENTICATED}: the token must be '<user>:<password>'`);
  return { user: pair.slice(0, colon), password: pair.slice(colon + 1) };
}
