import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Access } from '../../../messages/rpc/rbac.js';

/** How long a verified password and the user's access are trusted before the coordinator is asked again. */
export const DEFAULT_ACCESS_TTL_MS = 10_000;

interface Entry { digest: Buffer; access: Access; expiresAt: number }

/**
 * Verified credentials, kept briefly so a request does not run scrypt again:
 * a user's entry holds a keyed digest of the password that was verified (never
 * the password) and the access the coordinator answered with. Entries lapse
 * after `ttlMs`; a change through this gateway forgets them at once.
 */
export class AccessCache {
  /** A per-process key: the digests mean nothing outside this process. */
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = DEFAULT_ACCESS_TTL_MS, private readonly now: () => number = Date.now) {}

  private digest(user: string, password: string): Buffer {
    return createHmac('sha256', this.key).update(user).update('\0').update(password).digest();
  }

  /** The access cached for exactly this user and password, unexpired. */
  get(user: string, password: string): Access | undefined {
    const e = this.entries.get(user);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) { this.entries.delete(user); return undefined; }
    return timingSafeEqual(e.digest, this.digest(user, password)) ? e.access : undefined;
  }

  set(user: string, password: string, access: Access): void {
    this.entries.set(user, { digest: this.digest(user, password), access, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets these users, or everyone (a role's grants changed: anyone may hold it). */
  forget(users?: readonly string[]): void {
    if (users === undefined) this.entries.clear();
    else for (const u of users) this.entries.delete(u);
  }
}
