import { createHash, randomUUID } from 'node:crypto';
import { closeSync, open as openCallback, readFile as readFdCallback, writeFile as writeFdCallback } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { CachePolicy } from '../core/cachePolicy.js';
import { decodeDiskCacheFile, encodeDiskCacheFile } from '../core/diskCacheFile.js';
import type { TieredStorageConfig } from '../core/tieredStorageConfig.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { HeldFile } from '../../../runtime/vectorIndex/vectorIndex.js';

/** An object's bytes, and (when the disk tier holds them) its file, open until `release` (vectorIndex.ts HeldFile). */
export interface HeldObject { body: Uint8Array; file?: HeldFile; release(): void }

/** What the disk tier tells its node: for its metrics and log. */
export interface DiskTierEvents {
  /** A file was read back from disk (whole, its checksum right). */
  hit(): void;
  /** A file on disk was truncated, damaged or of another key: discarded and fetched again. */
  corrupt(problem: string): void;
  evicted(): void;
  /** The bytes on disk, after each change. */
  bytes(n: number): void;
}

/**
 * The disk tier of a tiered-storage query node (Milvus's local disk cache): every
 * file fetched from object storage is also written to a local directory, under a
 * checksum (core/diskCacheFile.ts), so a read of a file memory evicted loads it
 * from disk. Files go least recently used first past `diskHighWatermarkRatio` of
 * the budget, down to `diskLowWatermarkRatio`. A read opens and reads a file
 * whole (one unlinked meanwhile is fetched again); a file held open (`hold`: a
 * DISKANN index reading its records in place) is pinned, never evicted.
 *
 * At start the directory is kept and validated lazily: object keys are immutable
 * (a segment or index file is never rewritten under its key), so a file from a
 * previous run is still right when its checksum is; each read verifies it, and
 * half-written files (`.tmp`) are removed. The files are admitted by their
 * modification time, so the LRU order survives a restart roughly.
 */
export class DiskTier {
  private readonly policy: CachePolicy<string>;
  /** Bytes past which a file evicts others: one bigger is never written. */
  private readonly high: number;

  private constructor(private readonly dir: string, readonly budget: number, config: TieredStorageConfig, private readonly events: DiskTierEvents) {
    this.high = budget * config.diskHighWatermarkRatio;
    this.policy = new CachePolicy<string>({ budget, high: config.diskHighWatermarkRatio, low: config.diskLowWatermarkRatio, eviction: true, ttlMs: 0 });
  }

  /** The disk tier in `dir` (created), its files from an earlier run kept. */
  static async open(dir: string, config: TieredStorageConfig, events: DiskTierEvents): Promise<DiskTier> {
    await mkdir(dir, { recursive: true });
    const t = new DiskTier(dir, await diskBudget(dir, config), config, events);
    const kept: Array<{ name: string; size: number; at: number }> = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.endsWith('.tmp')) { await unlink(path).catch(() => {}); continue; }
      const s = await stat(path).catch(() => undefined);
      if (s?.isFile()) kept.push({ name, size: s.size, at: s.mtimeMs });
    }
    for (const f of kept.sort((a, b) => a.at - b.at)) await t.removeAll(t.policy.admit(f.name, f.size, f.at));
    events.bytes(t.policy.bytes);
    return t;
  }

  get bytes(): number { return this.policy.bytes; }

  /** Object `key`: from disk when held there and whole, else from `objects` (then written to disk). */
  async get(objects: ObjectStore, key: string): Promise<Uint8Array | undefined> {
    const name = fileName(key);
    if (this.policy.has(name)) {
      const file = await readFile(join(this.dir, name)).catch(() => undefined);
      const read = file ? decodeDiskCacheFile(file, key) : { problem: 'gone' };
      if ('body' in read) {
        this.policy.touch(name, Date.now());
        this.events.hit();
        return read.body;
      }
      if (file) this.events.corrupt(`${key}: ${read.problem}`);
      await this.removeAll(this.policy.remove(name) ? [name] : [], false);
    }
    const body = await objects.get(key);
    if (body) await this.put(name, key, body);
    return body;
  }

  /**
   * Object `key` as `get` gives it, with its disk file open for reading (`file`): read through the
   * very descriptor its checked bytes came from (a file replaced or unlinked meanwhile is not this
   * one), or written through it when fetched. While open (the caller's hold, and each `retain`), the
   * file is pinned: the disk tier's own eviction passes it by; a release of its segment still
   * unlinks it, and the open descriptor keeps reading what it held. No file when the disk tier
   * cannot hold it (too big, a write failed): the bytes alone.
   */
  async hold(objects: ObjectStore, key: string): Promise<HeldObject | undefined> {
    const name = fileName(key), path = join(this.dir, name);
    if (this.policy.has(name)) {
      const fd = await openFd(path, 'r').catch(() => undefined);
      const file = fd === undefined ? undefined : await readFd(fd).catch(() => undefined);
      const read = file ? decodeDiskCacheFile(file, key) : { problem: 'gone' };
      if ('body' in read && this.policy.has(name)) {
        this.policy.touch(name, Date.now());
        this.policy.pin(name);
        this.events.hit();
        return this.held(fd!, name, read.body, file!.length - read.body.length);
      }
      if (fd !== undefined) closeQuietly(fd);
      if ('problem' in read && file) this.events.corrupt(`${key}: ${read.problem}`);
      await this.removeAll(this.policy.remove(name) ? [name] : [], false);
    }
    const body = await objects.get(key);
    if (!body) return undefined;
    const file = encodeDiskCacheFile(key, body);
    if (file.length > this.high) return { body, release: () => {} };
    const tmp = `${path}.${randomUUID()}.tmp`;
    let fd: number | undefined;
    try {
      fd = await openFd(tmp, 'wx+', 0o600);
      await writeFd(fd, file);
      await rename(tmp, path);
    } catch {
      if (fd !== undefined) closeQuietly(fd);
      await unlink(tmp).catch(() => {});
      return { body, release: () => {} };
    }
    // Admitted pinned: what it evicts to make room are other files.
    await this.removeAll(this.policy.admit(name, file.length, Date.now(), true));
    return this.held(fd, name, body, file.length - body.length);
  }

  /**
   * The object held open: counted holds (the caller's, then each retain); the last one closes the
   * descriptor (at once: no read can be issued on it after) and unpins the file.
   */
  private held(fd: number, name: string, body: Uint8Array, offset: number): HeldObject {
    let holds = 1;
    const drop = () => {
      if (--holds > 0) return;
      closeQuietly(fd);
      void this.removeAll(this.policy.unpin(name));
    };
    const once = () => { let done = false; return () => { if (!done) { done = true; drop(); } }; };
    return { body, file: { fd, offset, retain: () => { holds++; return once(); } }, release: once() };
  }

  /** Forgets the files of `keys` (their segment was released or reloaded from other files). */
  async forget(keys: readonly string[]): Promise<void> {
    await this.removeAll(keys.map(fileName).filter((n) => this.policy.remove(n)), false);
  }

  /** Writes a file (to a temporary name, then renamed: a reader never sees half of it) and admits it. */
  private async put(name: string, key: string, body: Uint8Array): Promise<void> {
    const file = encodeDiskCacheFile(key, body);
    // A file the budget cannot hold at all is not written (it would evict everything, then itself).
    if (file.length > this.high) return;
    const path = join(this.dir, name);
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, file);
      await rename(tmp, path);
    } catch {
      // A full or read-only disk only costs the tier this file: the read has its bytes already.
      await unlink(tmp).catch(() => {});
      return;
    }
    await this.removeAll(this.policy.admit(name, file.length, Date.now()));
  }

  /** Unlinks files the policy let go (`evicted`: by the watermarks, counted as evictions). */
  private async removeAll(names: readonly string[], evicted = true): Promise<void> {
    for (const n of names) { await unlink(join(this.dir, n)).catch(() => {}); if (evicted) this.events.evicted(); }
    this.events.bytes(this.policy.bytes);
  }
}

const openFd = promisify(openCallback);
const readFd = promisify(readFdCallback) as (fd: number) => Promise<Uint8Array>;
const writeFd = promisify(writeFdCallback) as (fd: number, data: Uint8Array) => Promise<void>;
function closeQuietly(fd: number): void { try { closeSync(fd); } catch { /* already closed */ } }

/** A disk file's name: a digest of its object key (keys hold slashes; the file's header holds the key itself). */
const fileName = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 40);

/**
 * The disk tier's budget: `diskCapacityBytes`, else `evictableDiskCacheRatio` of the capacity of
 * the disk holding `dir` (Milvus's share), never more than that disk has free now.
 */
export async function diskBudget(dir: string, c: TieredStorageConfig): Promise<number> {
  if (c.diskCapacityBytes !== undefined) return c.diskCapacityBytes;
  const s = await statfs(dir);
  return Math.floor(Math.min(s.blocks * s.bsize * c.evictableDiskCacheRatio, s.bavail * s.bsize));
}

/** `objects` with its whole-object reads answered by `get` (the disk tier's, once open); every other call goes straight through. */
export function readingThrough(objects: ObjectStore, get: (key: string) => Promise<Uint8Array | undefined>): ObjectStore {
  return {
    supportsConditionalPut: objects.supportsConditionalPut,
    put: (k, d, o) => objects.put(k, d, o), getRange: (k, o, l) => objects.getRange(k, o, l),
    list: (p, o) => objects.list(p, o), delete: (k) => objects.delete(k), close: () => objects.close(),
    get,
  };
}
