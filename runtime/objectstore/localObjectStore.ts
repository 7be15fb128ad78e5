/**
 * The local-disk object store, the embedded default. Every object is a file under
 * the root (names from objectKeyPath.ts). A put writes a temp file in the target
 * directory, fsyncs it, then renames it into place (or, for ifAbsent, hard-links
 * it, which fails if the name exists: an atomic create-if-absent) and fsyncs the
 * directory, so a resolved put survives a crash and a reader never sees half an
 * object.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NuthatchError } from '../../messages/errors.js';
import type { ListOptions, ObjectInfo, ObjectStore } from '../ports/objectStore.js';
import { OBJECT_SUFFIX, decodeSegment, encodeSegment, keyToPath } from './objectKeyPath.js';

const byKey = (a: ObjectInfo, b: ObjectInfo): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

/** An ObjectStore on a local directory. */
export class LocalObjectStore implements ObjectStore {
  readonly supportsConditionalPut = true;

  /** A store rooted at `root`; directories are created on the first put. */
  constructor(readonly root: string) {}

  /** Opens the store rooted at `root`, creating the directory now. */
  static async open(root: string): Promise<LocalObjectStore> {
    await mkdir(root, { recursive: true });
    return new LocalObjectStore(root);
  }

  async put(key: string, data: Uint8Array, opts: { ifAbsent?: boolean } = {}): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    await this.ensureDir(dir);
    const tmp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.ifAbsent) {
      try {
        await link(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new NuthatchError('Conflict', `object ${key} already exists`, { key });
        throw e;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    } else {
      await rename(tmp, path);
    }
    await syncDir(dir);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0)) throw new NuthatchError('InvalidArgument', `bad range ${offset}+${length}`, { key });
    let fh;
    try {
      fh = await open(this.pathOf(key), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NuthatchError('NotFound', `object ${key} not found`, { key });
      throw e;
    }
    try {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ObjectInfo[]> {
    // Walk only below the directory of the prefix's complete segments.
    const segs = prefix.split('/');
    segs.pop();
    const out: ObjectInfo[] = [];
    await this.walk(join(this.root, ...segs.map(encodeSegment)), segs.length ? `${segs.join('/')}/` : '', prefix, out);
    out.sort(byKey);
    const after = opts.startAfter === undefined ? undefined : Buffer.from(opts.startAfter);
    const page = after ? out.filter((o) => Buffer.compare(Buffer.from(o.key), after) > 0) : out;
    return opts.limit === undefined ? page : page.slice(0, opts.limit);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    await syncDir(dirname(path));
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    return join(this.root, ...keyToPath(key));
  }

  private async walk(dir: string, keyPrefix: string, want: string, out: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw e;
    }
    for (const ent of entries) {
      const isObject = ent.isFile() && ent.name.endsWith(OBJECT_SUFFIX);
      const seg = decodeSegment(isObject ? ent.name.slice(0, -OBJECT_SUFFIX.length) : ent.name);
      if (seg === undefined) continue; // temp files and strangers
      const key = keyPrefix + seg;
      if (ent.isDirectory()) {
        // Descend only where keys can still match the prefix.
        const sub = `${key}/`;
        if (sub.startsWith(want) || want.startsWith(sub)) await this.walk(join(dir, ent.name), sub, want, out);
      } else if (isObject && key.startsWith(want)) {
        const st = await stat(join(dir, ent.name)).catch(() => undefined);
        if (st) out.push({ key, size: st.size });
      }
    }
  }

  /** mkdir -p, then fsync the parents of every directory it created so the new names are durable. */
  private async ensureDir(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let d = dir; ; d = dirname(d)) {
      await syncDir(dirname(d));
      if (d === first || d === dirname(d)) break;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}
