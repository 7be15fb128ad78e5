/**
 * The embedded metadata store's one file: an append-only log of frames
 * `crc32(payload) u32 | length u32 | payload`, fdatasync'ed before a write is
 * acknowledged. open() keeps the frames up to the first bad one and truncates the
 * rest (a torn tail after a crash). Compaction rewrites the live state to a temp
 * file, fsyncs it and renames it over the log, so a crash leaves either file whole.
 * A LOCK file holding the owner's pid keeps a second process off the directory.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NuthatchError } from '../../messages/errors.js';
import { crc32 } from '../crc32.js';

const LOG = 'meta.log';
const TMP = 'meta.log.tmp';
const LOCK = 'LOCK';
const HEADER = 8;
/** Directories this process has open: a LOCK holding our own pid is stale unless listed here. */
const openHere = new Set<string>();

/** Frames one payload. */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, crc32(payload), true);
  v.setUint32(4, payload.length, true);
  out.set(payload, HEADER);
  return out;
}

/** Splits a log into payloads up to the first damaged or unfinished frame. */
export function readFrames(buf: Uint8Array): { payloads: Uint8Array[]; goodBytes: number } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const payloads: Uint8Array[] = [];
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    const crc = v.getUint32(pos, true);
    const len = v.getUint32(pos + 4, true);
    if (pos + HEADER + len > buf.length) break;
    const payload = buf.subarray(pos + HEADER, pos + HEADER + len);
    if (crc32(payload) !== crc) break;
    payloads.push(payload);
    pos += HEADER + len;
  }
  return { payloads, goodBytes: pos };
}

/** The open log file of one directory. */
export class MetaLogFile {
  private constructor(private readonly dir: string, private fh: FileHandle, public frames: number) {}

  /** Opens (creating) the log in `dir`; returns the intact payloads and how many torn bytes were cut off. */
  static async open(dir: string): Promise<{ log: MetaLogFile; payloads: Uint8Array[]; tornBytes: number }> {
    await mkdir(dir, { recursive: true });
    await takeLock(dir);
    await rm(join(dir, TMP), { force: true }); // an unfinished compaction; meta.log is still whole
    const path = join(dir, LOG);
    const buf = await readFile(path).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return new Uint8Array(0); throw e; });
    const { payloads, goodBytes } = readFrames(buf);
    const fh = await open(path, 'a+');
    if (goodBytes < buf.length) { await fh.truncate(goodBytes); await fh.datasync(); }
    if (buf.length === 0) await syncDir(dir);
    return { log: new MetaLogFile(dir, fh, payloads.length), payloads, tornBytes: buf.length - goodBytes };
  }

  /** Appends payloads as frames and waits for fdatasync. */
  async append(payloads: readonly Uint8Array[]): Promise<void> {
    const frames = payloads.map(frame);
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let pos = 0;
    for (const f of frames) { all.set(f, pos); pos += f.length; }
    await this.fh.write(all);
    await this.fh.datasync();
    this.frames += payloads.length;
  }

  /** Replaces the whole log with these payloads (compaction), atomically. */
  async rewrite(payloads: readonly Uint8Array[]): Promise<void> {
    const tmp = await open(join(this.dir, TMP), 'w');
    try {
      for (const p of payloads) await tmp.write(frame(p));
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    await rename(join(this.dir, TMP), join(this.dir, LOG));
    await syncDir(this.dir);
    await this.fh.close();
    this.fh = await open(join(this.dir, LOG), 'a+');
    this.frames = payloads.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
    await rm(join(this.dir, LOCK), { force: true });
    openHere.delete(resolve(this.dir));
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}

/** Takes the directory lock, or fails with 'Conflict' while a live process (or this one) holds it. */
async function takeLock(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  const abs = resolve(dir);
  if (openHere.has(abs)) throw new NuthatchError('Conflict', `metadata dir ${dir} is already open in this process`, { dir });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      openHere.add(abs);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // Our own pid in the lock is a previous incarnation's (pids get reused), not us.
    if (pid > 0 && pid !== process.pid && isAlive(pid)) throw new NuthatchError('Conflict', `metadata dir ${dir} is in use by process ${pid}`, { dir, pid });
    await rm(path, { force: true }); // left by a process that died
  }
  throw new NuthatchError('Conflict', `could not lock metadata dir ${dir}`, { dir });
}

/** Whether a process runs; a zombie (killed, not yet reaped by its parent) does not. */
function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
  try { return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; }
}
