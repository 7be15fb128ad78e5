/**
 * The object storage port, shaped after S3. Adapters: local disk
 * (runtime/objectstore/localObjectStore.ts) and S3 (runtime/objectstore/s3ObjectStore.ts).
 * A put is durable when it resolves.
 */
export interface ObjectInfo {
  key: string;
  size: number;
}

/** A page of a listing: keys after `startAfter` (in key order), at most `limit` of them. */
export interface ListOptions { startAfter?: string; limit?: number }

export interface ObjectStore {
  /** Whether `put(..., { ifAbsent: true })` is enforced by the server. */
  readonly supportsConditionalPut: boolean;
  /**
   * With ifAbsent, fails with NuthatchError code 'Conflict' if the key exists.
   * Once it resolves, the store holds no reference to `data` (callers may reuse the buffer).
   */
  put(key: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void>;
  /** undefined when the key does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** Every object under the prefix, sorted by key; with options, one page of them. */
  list(prefix: string, opts?: ListOptions): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
