import { NuthatchError, asNuthatchError } from '../../messages/errors.js';
import { decodeReply, decodeRequest, encodeErrorReply, encodeReply, encodeRequest, type Checks, type Protocol, type RequestOf } from '../../messages/rpc/protocol.js';
import { checkFence, type Fence } from '../../messages/fence.js';
import type { Bus, BusSubscription } from '../ports/bus.js';

/**
 * Typed request/reply over the Bus port: every request and reply goes through the
 * one codec and the protocol's checks, so a malformed request is answered with a
 * typed error and an actor never sees bytes.
 */
export type Handlers<P extends Protocol> = { [K in keyof P & string]: (req: { op: K } & P[K]['req']) => Promise<P[K]['res']> | P[K]['res'] };

/**
 * How a server serves a request carrying a fencing token (messages/fence.ts):
 * it runs `handle` (the request's handler) and checks the token where the
 * write it guards is made (runtime/rpc/fence.ts), refusing with StaleFence.
 */
export type FenceServe = <T>(fence: Fence, handle: () => Promise<T>) => Promise<T>;

/**
 * `fences`: how this server serves a request with a `fence` (its shape is
 * checked here; the field stays on the request, for handlers that check it in
 * their own serial step). A server without one refuses fenced requests: it
 * could not honour the token.
 */
export function serveProtocol<P extends Protocol>(bus: Bus, subject: string, checks: Checks<P>, handlers: Handlers<P>, opts: { queue?: string; fences?: FenceServe } = {}): BusSubscription {
  return bus.serve(subject, async (data) => {
    try {
      const req = decodeRequest<P>(data, checks);
      const h = handlers[req.op as keyof P & string] as (r: RequestOf<P>) => Promise<unknown>;
      const fenced = req as { fence?: unknown };
      if (fenced.fence === undefined || fenced.fence === null) { delete fenced.fence; return encodeReply(await h(req)); }
      checkFence(fenced.fence);
      if (!opts.fences) throw new NuthatchError('InvalidArgument', `${subject} does not serve fenced requests`);
      return encodeReply(await opts.fences(fenced.fence, async () => h(req)));
    } catch (e) {
      return encodeErrorReply(e);
    }
  }, opts);
}

/** A typed caller for one subject. */
export function client<P extends Protocol>(bus: Bus, subject: string | (() => string), defaultTimeoutMs = 30_000) {
  return async function call<K extends keyof P & string>(op: K, req: P[K]['req'], timeoutMs = defaultTimeoutMs): Promise<P[K]['res']> {
    const subj = typeof subject === 'string' ? subject : subject();
    let bytes: Uint8Array;
    try {
      bytes = await bus.request(subj, encodeRequest<P, K>(op, req), { timeoutMs });
    } catch (e) {
      throw asNuthatchError(e);
    }
    return decodeReply<P[K]['res']>(bytes);
  };
}

export type Caller<P extends Protocol> = ReturnType<typeof client<P>>;

/** Retries an operation on retryable errors with capped exponential backoff. */
export async function withRetry<T>(fn: () => Promise<T>, opts: { attempts?: number; baseMs?: number; maxMs?: number; deadlineMs?: number; signal?: { aborted: boolean }; retryIf?: (e: NuthatchError) => boolean } = {}): Promise<T> {
  const base = opts.baseMs ?? 50, max = opts.maxMs ?? 2000;
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  let delay = base;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const err = asNuthatchError(e);
      const last = attempt >= (opts.attempts ?? Infinity) || Date.now() + delay > deadline || opts.signal?.aborted;
      if (!err.retryable || last || opts.retryIf?.(err) === false) throw err;
      // A backoff alone never keeps a process alive: a stopped node's retries die with it.
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(max, delay * 2);
    }
  }
}
export { NuthatchError };
