import { parentPort } from 'node:worker_threads';
import { asNuthatchError } from '../../../messages/errors.js';
import type { IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import { vectorIndexes } from '../../../runtime/vectorIndex/vectorIndexes.js';
import { decodeSegmentFile } from '../../shared/segment/segmentFile.js';
import { vectorIndexFile } from './vectorIndexFile.js';

/** A build asked of the thread: the segment file's bytes and the task naming the index. */
export interface BuildRequest { id: number; segment: Uint8Array; task: IndexNodeProtocol['buildIndex']['req'] }
/** The thread's answer: the index file's bytes, or the error as it goes on the wire. */
export type BuildReply = { id: number; bytes: Uint8Array } | { id: number; error: { code: string; message: string; details?: Record<string, unknown> } };

/**
 * The index node's build thread: builds one vector index at a time with the
 * default index types, off the event loop every actor of the process shares.
 */
parentPort?.on('message', async (req: BuildRequest) => {
  try {
    const bytes = await vectorIndexFile(decodeSegmentFile(req.segment), req.task, vectorIndexes);
    // Handed over, not copied, when the bytes own their buffer.
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    parentPort!.postMessage({ id: req.id, bytes } satisfies BuildReply, owned ? [bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: asNuthatchError(e).toWire() } satisfies BuildReply);
  }
});
