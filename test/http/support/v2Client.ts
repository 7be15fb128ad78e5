import * as assert from 'uvu/assert';

/** A JSON body as the v2 API answers it. */
export interface V2Reply { code: number; message?: string; data?: any; topks?: number[]; [k: string]: unknown }

/**
 * A tiny client of the v2 HTTP API for black-box tests: plain fetch, no SDK, so
 * the tests see exactly the bytes a curl user would.
 */
export class V2Client {
  constructor(readonly url: string) {}

  /** POSTs to /v2/vectordb + path; a string body is sent as is (for malformed JSON). */
  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: V2Reply }> {
    const res = await fetch(`${this.url}/v2/vectordb${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as V2Reply };
  }

  /** Asserts success (HTTP 200, code 0) and returns `data`. */
  async ok(path: string, body: unknown): Promise<any> {
    return (await this.okReply(path, body)).data;
  }

  /** Asserts success and returns the whole reply (for `topks`). */
  async okReply(path: string, body: unknown): Promise<V2Reply> {
    const { status, json } = await this.post(path, body);
    assert.is(status, 200, `${path}: HTTP ${status}`);
    assert.is(json.code, 0, `${path} failed: ${json.code} ${json.message}`);
    return json;
  }

  /**
   * Asserts a typed failure: a non-zero code (one of `codes` when given) and a
   * message that matches `pattern`, so every refusal also says what is wrong.
   */
  async fails(path: string, body: unknown, pattern: RegExp, codes?: number[]): Promise<V2Reply> {
    const { json } = await this.post(path, body);
    assert.ok(typeof json.code === 'number' && json.code !== 0, `${path} should fail but answered ${JSON.stringify(json).slice(0, 200)}`);
    if (codes) assert.ok(codes.includes(json.code), `${path}: code ${json.code} (${json.message}) is not one of ${codes.join(', ')}`);
    assert.type(json.message, 'string');
    assert.match(json.message!, pattern, `${path}: message '${json.message}' does not match ${pattern}`);
    return json;
  }

  async healthz(): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.url}/healthz`);
    return { status: res.status, json: await res.json() };
  }

  /** Polls get_load_state until the collection is loaded (loading may be asynchronous). */
  async waitLoaded(collectionName: string, tries = 300): Promise<void> {
    for (let i = 0; i < tries; i++) {
      const d = await this.ok('/collections/get_load_state', { collectionName });
      if (d.loadState === 'LoadStateLoaded') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.unreachable(`${collectionName} did not load`);
  }
}

/** A deterministic, well-spread vector for row i: searching vec(i) finds row i first. */
export function vec(i: number, dim = 8): number[] {
  return Array.from({ length: dim }, (_, k) => Math.round((Math.sin(i * 1.37 + k * 0.91) + (k === i % dim ? 2 : 0)) * 1e4) / 1e4);
}

/** Codes of messages/errors.ts the suite names (the suite asserts numbers, as a client would). */
export const Code = {
  InvalidArgument: 1100, MalformedRequest: 1101, SchemaMismatch: 1103, PayloadTooLarge: 1104,
  CollectionNotFound: 100, CollectionExists: 101, PartitionNotFound: 200, NotFound: 1600, AliasNotFound: 1900, AliasExists: 1901,
  DatabaseNotFound: 800, DatabaseExists: 810, DatabaseNotEmpty: 811,
} as const;

/** Bad input is refused by validation: InvalidArgument, or SchemaMismatch when it is about the collection. */
export const BAD_INPUT = [Code.InvalidArgument, Code.SchemaMismatch];
