/**
 * The caller floor of the local WAL at a size case: the benchmark's callers
 * (walDrive.ts: one promise per append, awaited) driving the barest durable
 * log writer there is: entries queued by reference, written with one O_DSYNC
 * writev per third of what is in flight (as the WAL does at small entries),
 * callers resolved in call order once their write and every earlier one have
 * returned. No framing, checksum, index, buffer or fence. It is not a limit of
 * the disk but of any log writer that acknowledges each call in this process:
 * what is left between it and the disk's raw limit is the cost of a promise
 * per call on the one JS thread, and of waiting for the call's group to fill.
 *
 * In order, as a log must: concurrent O_DSYNC writes finish out of order (a
 * third of them here), and a writer that acknowledged a later write first
 * could lose that acknowledged entry to a crash that tore the earlier one
 * (recovery stops at the tear). An earlier version resolved each write's
 * callers as soon as it returned; it measured lower, not higher (callers set
 * free together form fuller groups), so it understated the floor.
 */
import { constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { closeFd, openFd, writevAt } from '../../runtime/wal/local/fsUtil.js';
import { driveAppends } from './walDrive.js';

/**
 * Payload bytes per second of the bare writer under the benchmark's callers,
 * writing `inFlight / split` appends per write (3, as the WAL; bench/walDisk.ts tries others).
 */
export async function callerFloor(base: string, entryBytes: number, totalBytes: number, inFlight: number, split = 3): Promise<number> {
  const dir = await mkdtemp(join(base, 'nuthatch-walfloor-'));
  try {
    const fd = await openFd(join(dir, 'floor'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC);
    const part = Math.max(1, Math.floor(inFlight / split));
    let bufs: Uint8Array[] = [];
    let resolvers: (() => void)[] = [];
    let pos = 0;
    let scheduled = false;
    // Writes in submission order; the finished prefix is acknowledged.
    const writes: { resolvers: (() => void)[]; done: boolean }[] = [];
    const write = (): void => {
      const w = { resolvers, done: false };
      const b = bufs;
      bufs = [];
      resolvers = [];
      const at = pos;
      pos += b.length * entryBytes;
      writes.push(w);
      void writevAt(fd, b, at).then(() => {
        w.done = true;
        while (writes.length > 0 && writes[0]!.done) for (const f of writes.shift()!.resolvers) f();
      });
    };
    const endOfTurn = (): void => { scheduled = false; if (bufs.length > 0) write(); };
    const append = (payload: Uint8Array): Promise<void> => new Promise<void>((resolve) => {
      bufs.push(payload);
      resolvers.push(resolve);
      if (bufs.length >= part) write();
      else if (!scheduled) { scheduled = true; setImmediate(endOfTurn); }
    });
    const r = await driveAppends(append, entryBytes, inFlight, totalBytes);
    await closeFd(fd);
    return (r.done * entryBytes) / r.seconds;
  } finally { await rm(dir, { recursive: true, force: true }); }
}
