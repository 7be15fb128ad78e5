import { Worker } from 'node:worker_threads';
import { errorFromWire, NuthatchError } from '../../../messages/errors.js';
import type { IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import type { BuildReply, BuildRequest } from './buildWorker.js';

/**
 * Runs vector index builds on a worker thread (buildWorker.ts), so a build
 * of minutes neither stalls nor is stalled by the actors sharing the process:
 * in standalone every actor answers on one event loop, and on a cluster node
 * the loop also keeps the session lease alive. The thread starts with the
 * first build and is replaced if it dies; a build it was running fails with
 * Unavailable (the coordinator asks again).
 */
export class BuildThread {
  private worker?: Worker;
  private nextId = 0;
  private closed = false;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();

  build(segment: Uint8Array, task: IndexNodeProtocol['buildIndex']['req']): Promise<Uint8Array> {
    // A build queued behind the one a stop cut off must not start a thread nobody closes.
    if (this.closed) return Promise.reject(new NuthatchError('Unavailable', 'the index node stopped'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // a build under way keeps the process alive, as an inline one would
      worker.postMessage({ id, segment, task } satisfies BuildRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new NuthatchError('Unavailable', 'the index node stopped while it built'));
    await w?.terminate();
  }

  private start(): Worker {
    const w = new Worker(new URL('./buildWorker.js', import.meta.url));
    w.on('message', (r: BuildReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) w.unref();
      if ('bytes' in r) p.resolve(r.bytes); else p.reject(errorFromWire(r.error));
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new NuthatchError('Unavailable', `the index build thread ${why}`));
    };
    w.on('error', (e) => lost(`failed: ${e.message}`));
    w.on('exit', (code) => lost(`exited (${code})`));
    // After the listeners (a 'message' listener refs the thread's port again): an idle build thread never keeps the process alive.
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
