import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CachePolicy } from '../core/cachePolicy.js';
import { decodeDiskCacheFile, encodeDiskCacheFile } from '../core/diskCacheFile.js';
import type { TieredStorageConfig } from '../core/tieredStorageConfig.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';

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
 * the budget, down to `diskLowWatermarkRatio` (nothing pins a disk file: a read
 * opens and reads it whole, and a file unlinked meanwhile is fetched again).
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
