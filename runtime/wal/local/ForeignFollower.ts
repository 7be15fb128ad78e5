/**
 * Feeds a pchannel's write-ahead buffer with records that another writer (another
 * process, or another backend instance) appends, while tail readers are
 * subscribed and this instance has no live writer of its own.
 *
 * Notification, not polling (REFERENCE.md, Woodpecker's idle pollers): fs.watch
 * on the pchannel directory (inotify on Linux) reports every write to a segment
 * and every new file; each report schedules one catch-up read (coalesced). The
 * watch runs only while no writer of this instance is alive (that writer pushes
 * into the buffer itself). A slow safety poll (default every 500 ms) covers file
 * systems where watch events are lost or unsupported, and the moment our own
 * writer stops (the pchannel calls poll()).
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { LocalPchannel } from './LocalPchannel.js';

export class ForeignFollower {
  private users = 0;
  private ready: Promise<void> | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  /** The last error met while catching up; the next poll retries. */
  lastError: unknown;

  constructor(private readonly pch: LocalPchannel, private readonly pollMs: number) {}

  /** One more reader: the first starts watching and positions the buffer at the end of storage. */
  start(): Promise<void> {
    if (this.users++ === 0) this.ready = this.begin();
    return this.ready!;
  }

  private async begin(): Promise<void> {
    await mkdir(this.pch.dir, { recursive: true });
    if (!this.pch.writer?.alive && this.pch.buffer.length === 0) this.pch.buffer.reset(await this.pch.end());
    if (this.users === 0 || this.timer) return; // the readers left while we waited, or another start runs
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.poll();
    await this.polling;
  }

  /** One reader fewer: stops watching after the last. */
  stop(): void {
    if (--this.users > 0) return;
    this.ready = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops watching whatever the count of readers (backend close). */
  close(): void {
    this.users = 1;
    this.stop();
  }

  /**
   * Watches the directory only while no writer of ours feeds the buffer: our own
   * appends would otherwise wake us on every write.
   */
  private watchIfForeign(): void {
    const foreign = this.users > 0 && !this.pch.writer?.alive;
    if (foreign && !this.watcher) {
      this.watcher = watch(this.pch.dir, () => this.poll());
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = undefined; });
    } else if (!foreign && this.watcher) {
      this.watcher.close();
      this.watcher = undefined;
    }
  }

  /** Reads whatever storage has past the buffer into it; coalesces overlapping requests. */
  poll(): void {
    if (this.users === 0) return;
    this.watchIfForeign();
    if (this.polling) { this.again = true; return; }
    this.polling = this.catchUp().finally(() => {
      this.polling = undefined;
      if (this.again && this.users > 0) { this.again = false; this.poll(); }
    });
  }

  private async catchUp(): Promise<void> {
    try {
      if (this.pch.writer?.alive) return; // our own writer feeds the buffer
      const end = await this.pch.end();
      const buf = this.pch.buffer;
      if (end <= buf.next) return;
      const first = await this.pch.firstPosition();
      if (buf.next < first) buf.reset(first);
      for await (const batch of this.pch.read(buf.next, end)) {
        if (this.pch.writer?.alive || batch[0]!.position !== buf.next) return;
        buf.push(batch);
      }
      this.lastError = undefined;
    } catch (e) {
      this.lastError = e;
    }
  }
}
