import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Credential } from '../core/rbac.js';

/** scrypt's cost: 2^14 rounds of 8-block mixing, about 16 MiB and tens of milliseconds a hash. */
const COST = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...o, maxmem: 64 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))));
}

/** A fresh salted scrypt hash of `password`; only this is ever stored. */
export async function hashPassword(password: string): Promise<Credential> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, COST);
  return { algorithm: 'scrypt', salt: salt.toString('base64'), hash: hash.toString('base64'), ...COST };
}

/** Whether `password` matches the stored credential, compared in constant time. */
export async function verifyPassword(password: string, c: Credential): Promise<boolean> {
  const expected = Buffer.from(c.hash, 'base64');
  const got = await derive(password, Buffer.from(c.salt, 'base64'), { N: c.N, r: c.r, p: c.p });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A credential no password matches: verified against when a user is unknown, so the answer takes as long as for a known one. */
export const DECOY_CREDENTIAL: Credential = { algorithm: 'scrypt', salt: Buffer.alloc(SALT_BYTES).toString('base64'), hash: Buffer.alloc(KEY_BYTES).toString('base64'), ...COST };
