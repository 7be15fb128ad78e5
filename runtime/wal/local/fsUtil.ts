/**
 * The few file-system calls the local WAL needs beyond node:fs, as promises:
 * a directory fsync (so a created, renamed or deleted file survives an OS crash)
 * and positional writev/read/fdatasync on raw descriptors, which avoid the
 * FileHandle wrapper's extra work on the hot path.
 */
import { close, fdatasync, fsync, open, read, writev } from 'node:fs';
import { open as openP } from 'node:fs/promises';

/** fsyncs a directory, making entries created, renamed or removed in it durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await openP(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Opens a file and returns its descriptor. */
export function openFd(path: string, flags: string | number): Promise<number> {
  return new Promise((res, rej) => open(path, flags, 0o644, (e, fd) => (e ? rej(e) : res(fd))));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((res, rej) => close(fd, (e) => (e ? rej(e) : res())));
}

/** Writes all buffers at `position` (libuv loops over short writes and IOV_MAX). */
export function writevAt(fd: number, bufs: readonly NodeJS.ArrayBufferView[], position: number): Promise<number> {
  return new Promise((res, rej) => writev(fd, bufs, position, (e, n) => (e ? rej(e) : res(n))));
}

export function datasync(fd: number): Promise<void> {
  return new Promise((res, rej) => fdatasync(fd, (e) => (e ? rej(e) : res())));
}

export function fullSync(fd: number): Promise<void> {
  return new Promise((res, rej) => fsync(fd, (e) => (e ? rej(e) : res())));
}

/** Reads up to `length` bytes at `position` into a new buffer; shorter at end of file. */
export async function readAt(fd: number, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await new Promise<number>((res, rej) => read(fd, buf, got, length - got, position + got, (e, k) => (e ? rej(e) : res(k))));
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}
