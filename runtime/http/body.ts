import type { IncomingMessage } from 'node:http';
import { NuthatchError } from '../../messages/index.js';

/** Largest request body accepted by default: the size of one WAL message. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Reads a request body, refusing more than `limit` bytes: a declared
 * Content-Length over the limit is refused before a byte is read, and a body
 * that grows past it while streaming is refused as soon as it does.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    throw new NuthatchError('MalformedRequest', `Content-Encoding '${encoding}' is not supported; send plain JSON`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * Parses a body as JSON. A Content-Type, when given, must be JSON. An empty
 * body counts as `{}` so that `list` works from a bare `curl -X POST`.
 */
export function parseJsonBody(buf: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined && contentType !== '') {
    const mime = contentType.split(';')[0]!.trim().toLowerCase();
    if (mime !== 'application/json' && !mime.endsWith('+json')) {
      throw new NuthatchError('MalformedRequest', `Content-Type must be application/json, got '${contentType}'`);
    }
  }
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new NuthatchError('MalformedRequest', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function tooLarge(limit: number, declared?: number): NuthatchError {
  const got = declared === undefined ? 'more' : `${declared} bytes`;
  return new NuthatchError('PayloadTooLarge', `the request body may hold at most ${limit} bytes, got ${got}: split the request`, { limit });
}
