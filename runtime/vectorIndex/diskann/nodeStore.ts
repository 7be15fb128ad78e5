import { closeSync, openSync, read as readCallback, readdirSync, readSync, unlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a DISKANN index's node records (full-precision vectors and
 * adjacency lists, diskannFile.ts) are read from during a search, one
 * record at a time: memory for an index just built (the index node
 * serializes it), a local file for an index a query node loaded.
 */
export interface NodeStore {
  /** Copies row `row`'s record into `into` at `at` (recordBytes of it). */
  read(row: number, into: Uint8Array, at: number): void;
  /** The same, without blocking the thread: a beam step's reads are issued together (a file's run on libuv's thread pool). */
  readAsync(row: number, into: Uint8Array, at: number): Promise<void>;
  /** Every record, row 0 first (serialize). */
  all(): Uint8Array;
  /** Bytes it keeps in this process's memory. */
  readonly residentBytes: number;
  /** Lets its resources go (a file: closed and removed); reads after it throw. Idempotent. */
  close(): void;
}

/** The records held in memory. */
export class MemoryNodes implements NodeStore {
  constructor(private readonly nodes: Uint8Array, private readonly size: number) {}
  get residentBytes(): number { return this.nodes.byteLength; }
  read(row: number, into: Uint8Array, at: number): void { into.set(this.nodes.subarray(row * this.size, (row + 1) * this.size), at); }
  readAsync(row: number, into: Uint8Array, at: number): Promise<void> { this.read(row, into, at); return Promise.resolve(); }
  all(): Uint8Array { return this.nodes; }
  close(): void { /* memory goes with the index */ }
}

/** The directory a query node keeps DISKANN files in when none is named: NUTHATCH_DISKANN_DIR, else the OS's temp dir. */
export function defaultDiskannDir(): string {
  return process.env.NUTHATCH_DISKANN_DIR ?? join(tmpdir(), 'nuthatch-diskann');
}

/** Records read with positioned reads (pread) from an open file, starting `base` bytes in: nothing of them held in memory. */
abstract class PositionedNodes implements NodeStore {
  readonly residentBytes = 0;
  protected closed = false;
  protected constructor(private readonly fd: number, private readonly base: number, protected readonly size: number, private readonly count: number, private readonly name: string) {}

  read(row: number, into: Uint8Array, at: number): void {
    if (this.closed) throw this.closedError();
    const n = readSync(this.fd, into, at, this.size, this.base + row * this.size);
    if (n !== this.size) throw new Error(`DISKANN file ${this.name} ended inside node ${row}`);
  }

  readAsync(row: number, into: Uint8Array, at: number): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => readCallback(this.fd, into, at, this.size, this.base + row * this.size, (err, n) => {
      if (err) reject(err);
      else if (n !== this.size) reject(new Error(`DISKANN file ${this.name} ended inside node ${row}`));
      else resolve();
    }));
  }

  all(): Uint8Array {
    if (this.closed) throw this.closedError();
    const out = new Uint8Array(this.count * this.size);
    for (let at = 0; at < out.length;) {
      const n = readSync(this.fd, out, at, out.length - at, this.base + at);
      if (n === 0) throw new Error(`DISKANN file ${this.name} is shorter than its ${this.count} nodes`);
      at += n;
    }
    return out;
  }

  abstract close(): void;

  private closedError(): Error { return new Error(`DISKANN file ${this.name} was closed (its index was released)`); }
}

/**
 * The records in a file of a node-local directory, read with positioned
 * reads (pread): nothing of them is held in memory. Files are named
 * `<pid>-<n>.diskann`; a file goes when its holder closes it (the query
 * node releases the segment, once no search holds the index), else when
 * its index is garbage-collected or the process exits; files of processes
 * that died without exiting (a crash) are removed when this process first
 * writes to the directory.
 */
export class FileNodes extends PositionedNodes {
  private constructor(private readonly fd0: number, readonly path: string, size: number, count: number) { super(fd0, 0, size, count, path); }

  /** Writes the records to a new file in `dir` and opens it for reading. */
  static async create(dir: string, nodes: Uint8Array, size: number): Promise<FileNodes> {
    await mkdir(dir, { recursive: true });
    if (!swept.has(dir)) { swept.add(dir); sweepDead(dir); }
    const path = join(dir, `${process.pid}-${++written}.diskann`);
    live.add(path);
    await writeFile(path, nodes, { flag: 'wx', mode: 0o600 });
    const fd = openSync(path, 'r');
    const store = new FileNodes(fd, path, size, nodes.length / size);
    reclaim.register(store, { fd, path }, store);
    return store;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    reclaim.unregister(this);
    removeFile(this.fd0, this.path);
  }
}

/**
 * A file some other owner keeps open (the tiered storage disk tier's copy of
 * the index file: runtime/vectorIndex/vectorIndex.ts HeldFile), its records
 * read in place from `base` on, nothing written or copied. Closing lets the
 * owner's file go (`letGo`), never removes it; an index dropped unclosed lets
 * it go once collected.
 */
export class HeldFileNodes extends PositionedNodes {
  constructor(fd: number, base: number, size: number, count: number, private readonly letGo: () => void) {
    super(fd, base, size, count, `(held, fd ${fd})`);
    letGoOnCollect.register(this, letGo, this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    letGoOnCollect.unregister(this);
    this.letGo();
  }
}
/** As reclaim, for held files: a search that took the index before its holder dropped it may still read it. */
const letGoOnCollect = new FinalizationRegistry<() => void>((letGo) => letGo());

let written = 0;
/** Directories this process swept of dead processes' files (once each: a process that crashes later is swept by the next one to start). */
const swept = new Set<string>();
/** Files of this process still open: removed at exit. */
const live = new Set<string>();
/**
 * An index its holder dropped without closing it closes and removes its
 * file once collected, not when dropped: a search that took the index
 * before may still be reading it, and a closed fd's number may already name
 * another file. (The query node closes what it releases itself, once no
 * search holds it: query-node/core/indexRetirement.ts.)
 */
const reclaim = new FinalizationRegistry<{ fd: number; path: string }>(({ fd, path }) => removeFile(fd, path));

function removeFile(fd: number, path: string): void {
  live.delete(path);
  try { closeSync(fd); } catch { /* already closed */ }
  try { unlinkSync(path); } catch { /* already gone */ }
}
process.once('exit', () => { for (const path of live) { try { unlinkSync(path); } catch { /* already gone */ } } });

/** Removes files whose writer process is gone (it crashed before removing them). */
function sweepDead(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^(\d+)-\d+\.diskann$/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    try { unlinkSync(join(dir, name)); } catch { /* another sweeper was first */ }
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
