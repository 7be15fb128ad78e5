import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Longest stretch a build keeps the event loop busy before yielding. */
const BUILD_SLICE_MS = 20;

/**
 * Splits a CPU-heavy index build into slices of ~20 ms, so the process keeps
 * answering while it builds (the index node shares it with every actor in
 * standalone), and stops it between slices when its signal aborts. Loops ask
 * `due` (cheap) every few rows and await `pause()` only when it is true.
 */
export class BuildPacer {
  private sliceStart = performance.now();
  constructor(private readonly signal?: AbortSignal) {}

  get due(): boolean { return performance.now() - this.sliceStart > BUILD_SLICE_MS; }

  /** Yields to the event loop; rejects with the signal's reason once it aborted. */
  async pause(): Promise<void> {
    await yieldToLoop();
    this.signal?.throwIfAborted();
    this.sliceStart = performance.now();
  }

  /** Rejects with the signal's reason once it aborted (the end of a build). */
  check(): void { this.signal?.throwIfAborted(); }
}
