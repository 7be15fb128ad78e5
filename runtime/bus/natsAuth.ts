import { ValidationError } from '../../messages/errors.js';

/**
 * Credentials for a NATS server that requires them: a user and password, or a
 * token. NATS is the trusted internal network of a cluster (the HTTP gateway is
 * where users are checked); credentials are what keep others off it.
 */
export interface NatsAuth { user?: string; pass?: string; token?: string }

/**
 * The credentials to connect with: `given`, or else NUTHATCH_NATS_USER /
 * NUTHATCH_NATS_PASSWORD / NUTHATCH_NATS_TOKEN from the environment; `{}` for none.
 */
export function natsAuth(given?: NatsAuth, env: NodeJS.ProcessEnv = process.env): NatsAuth {
  const a = given ?? { user: env.NUTHATCH_NATS_USER || undefined, pass: env.NUTHATCH_NATS_PASSWORD || undefined, token: env.NUTHATCH_NATS_TOKEN || undefined };
  if (a.token !== undefined && (a.user !== undefined || a.pass !== undefined)) throw new ValidationError('NATS credentials: give a user and password, or a token, not both');
  if (a.pass !== undefined && a.user === undefined) throw new ValidationError('NATS credentials: a password needs a user (NUTHATCH_NATS_USER)');
  return { ...(a.user !== undefined ? { user: a.user } : {}), ...(a.pass !== undefined ? { pass: a.pass } : {}), ...(a.token !== undefined ? { token: a.token } : {}) };
}
