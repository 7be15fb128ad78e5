/**
 * The local backend in the WAL benchmark, and its raw limit: plain positional
 * writev of the same entries to a fresh file in the same directory, one
 * fdatasync per batch, no framing, no checksums, no promises per entry.
 *
 * The batch is not copied from the backend's groups (a backend that syncs too
 * often would then lower its own bar): it is the best an ideal writer with the
 * case's appends in flight can do. With N appends of one entry each in flight,
 * a sync can cover at most N entries: serially (write N, sync, repeat);
 * pipelined, N/2 written while the other N/2 sync (syncs one at a time, in
 * order, as the WAL does); or through O_DSYNC, each write durable on return,
 * two writes of N/2 in flight, or three of N/3 (the WAL writes small groups
 * that way). The best of the four is the limit.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WalWriter } from '../../runtime/ports/walBackend.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import type { GroupCommitStats } from '../../runtime/wal/local/LocalWalWriter.js';
import { closeFd, datasync, openFd, readAt, writevAt } from '../../runtime/wal/local/fsUtil.js';
import { callerFloor } from './walFloor.js';
import type { WalBenchStore, WalBenchTarget } from './walTargets.js';

const base = process.env.NUTHATCH_BENCH_DIR ?? tmpdir();

/**
 * Deletes a run's files and waits for the file system to settle: with the
 * `discard` mount option, freed blocks are trimmed at the next journal commit,
 * which would otherwise slow down whichever measurement comes next.
 */
async function remove(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await settle();
}

/** Flushes whatever is dirty (and the trims of deleted files), then lets the disk rest a moment. */
async function settle(): Promise<void> {
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 100));
}

/** How the raw writer makes its batches durable (see the file comment). */
type RawWay = 'serial' | 'pipelined' | 'dsync' | 'dsync3';

/**
 * `totalBytes` of `entryBytes` entries appended to a fresh file, `batchEntries`
 * per writev, each batch made durable the given way. Returns bytes per second.
 */
async function rawFile(entryBytes: number, batchEntries: number, totalBytes: number, way: RawWay): Promise<number> {
  const dir = await mkdtemp(join(base, 'nuthatch-walraw-'));
  try {
    await settle();
    const dsync = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;
    const fd = await openFd(join(dir, 'raw'), way === 'dsync' || way === 'dsync3' ? dsync : 'wx');
    const payload = Buffer.alloc(entryBytes, 0x5a);
    const batch = Array.from({ length: batchEntries }, () => payload);
    const batchBytes = entryBytes * batchEntries;
    const t0 = performance.now();
    let pos = 0;
    let pending: Promise<unknown> = Promise.resolve();
    let older: Promise<unknown> = Promise.resolve();
    while (pos < totalBytes) {
      if (way === 'dsync3') {
        // Three writes in flight: start this one, then wait for the one two before.
        const write = writevAt(fd, batch, pos);
        await older;
        older = pending;
        pending = write;
      } else if (way === 'dsync') {
        // Two writes in flight: start this one, then wait for the one before.
        const write = writevAt(fd, batch, pos);
        await pending;
        pending = write;
      } else {
        await writevAt(fd, batch, pos);
        if (way === 'pipelined') { await pending; pending = datasync(fd); } else await datasync(fd);
      }
      pos += batchBytes;
    }
    await Promise.all([older, pending]);
    const s = (performance.now() - t0) / 1000;
    await closeFd(fd);
    return pos / s;
  } finally { await remove(dir); }
}

export function localWalTarget(): WalBenchTarget {
  let root = '';
  return {
    name: 'local',
    unavailable: () => undefined,
    async open(): Promise<WalBenchStore> {
      await settle();
      root = await mkdtemp(join(base, 'nuthatch-walbench-'));
      const made: LocalWalBackend[] = [];
      const mk = (): LocalWalBackend => { const b = new LocalWalBackend(root); made.push(b); return b; };
      return {
        backend: mk(),
        reopen: async () => mk(),
        cleanup: async () => { for (const b of made) await b.close(); await remove(root); },
      };
    },
    groupStats: (w: WalWriter) => (w as unknown as { stats?: GroupCommitStats }).stats,
    async rawWrite(entryBytes, _batchEntries, totalBytes, inFlight = 1) {
      const half = Math.max(1, Math.floor(inFlight / 2));
      const serial = await rawFile(entryBytes, inFlight, totalBytes, 'serial');
      const pipelined = await rawFile(entryBytes, half, totalBytes, 'pipelined');
      const dsync = await rawFile(entryBytes, half, totalBytes, 'dsync');
      const dsync3 = await rawFile(entryBytes, Math.max(1, Math.floor(inFlight / 3)), totalBytes, 'dsync3');
      return { bytesPerSec: Math.max(serial, pipelined, dsync, dsync3), variants: { serial, pipelined, dsync, dsync3 } };
    },
    rawNote: (entryBytes, inFlight) => {
      const kb = (n: number) => `${Math.round((n * entryBytes) / 1024)} KiB`;
      const half = kb(Math.max(1, Math.floor(inFlight / 2)));
      return `raw = plain writev of a fresh file, the best of: serial (write ${kb(inFlight)} = all ${inFlight} in flight, fdatasync, repeat), `
        + `pipelined (${half} per fdatasync, the next ${half} written during it), dsync (O_DSYNC writes of ${half}, two in flight), `
        + `dsync3 (O_DSYNC writes of ${kb(Math.max(1, Math.floor(inFlight / 3)))}, three in flight)`;
    },
    async floorWrite(entryBytes, totalBytes, inFlight) {
      // Only where the WAL writes through O_DSYNC as the floor writer does
      // (little in flight; GroupCommit's DSYNC_BELOW): with more, plain writes
      // and fdatasync beat it, and it would be no floor.
      if (entryBytes * inFlight >= 2 * 1024 * 1024) return undefined;
      await settle();
      try { return await callerFloor(base, entryBytes, totalBytes, inFlight); } finally { await settle(); }
    },
    async rawRead(_store, pchannel) {
      const dir = join(root, pchannel);
      const files = (await readdir(dir)).filter((n) => n.endsWith('.wal')).sort();
      const t0 = performance.now();
      let bytes = 0;
      for (const f of files) {
        const fd = await openFd(join(dir, f), 'r');
        const size = (await stat(join(dir, f))).size;
        for (let at = 0; at < size; at += 1 << 20) bytes += (await readAt(fd, at, Math.min(1 << 20, size - at))).length;
        await closeFd(fd);
      }
      return bytes / ((performance.now() - t0) / 1000);
    },
  };
}
