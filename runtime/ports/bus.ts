/**
 * The message bus port. Subjects follow NATS semantics: tokens separated by '.',
 * '*' matches exactly one token, '>' matches one or more trailing tokens. A
 * subscription with a queue group shares messages with the other members of that
 * group (each message goes to one member). Payloads are bytes: the typed layer
 * (runtime/bus/typed.ts) encodes every request and reply through the one codec.
 * Adapters: in-process (runtime/bus/memoryBus.ts) and NATS (runtime/bus/natsBus.ts).
 */
export interface BusSubscription {
  unsubscribe(): void;
}

export interface SubscribeOptions {
  /** Queue group: each message reaches one subscriber of the group. */
  queue?: string;
}

export interface RequestOptions {
  /** Default 10 s. A timeout rejects with NuthatchError code 'Timeout'. */
  timeoutMs?: number;
}

export type MessageHandler = (data: Uint8Array, subject: string) => void;
/** A responder: its resolved bytes are the reply; a throw is a transport error (prefer encoding errors in the reply). */
export type RequestHandler = (data: Uint8Array, subject: string) => Promise<Uint8Array> | Uint8Array;

export interface Bus {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, handler: MessageHandler, opts?: SubscribeOptions): BusSubscription;
  /** Serves request/reply on a subject (usually with a queue group). */
  serve(subject: string, handler: RequestHandler, opts?: SubscribeOptions): BusSubscription;
  /**
   * Sends a request and waits for one reply. With no responder on the subject it
   * rejects at once with NuthatchError code 'Unavailable' (NATS "no responders").
   */
  request(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<Uint8Array>;
  /** Resolves when everything published so far has been handed to the transport. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
