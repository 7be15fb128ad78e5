import { randomUUID } from 'node:crypto';
import { encodeMessage } from '../../messages/codec.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { blockDim, LIMITS, primaryField, type PrimaryKey, type Rows } from '../../messages/schema.js';
import { newMessage, type Tso } from '../../messages/types.js';
import { type RowObject, type UpsertOptions, type WriteResult } from './api.js';
import { mergePartialRows, partialKeys } from './partialUpsert.js';
import { shardOf, sliceRows, toColumns } from './rows.js';
import { sizingDim } from '../../actors/shared/segment/segmentSize.js';
import { partitionIdOf, refuseNamedPartitions, writePartitions } from './keyRouting.js';
import { refuseDenied, timezoneOf } from './recordChecks.js';
import { QueryClient } from './queryClient.js';
import { appendMessage } from './clientBase.js';
import { SentRows, type Sent } from './staleWrites.js';

/** Rows per insert message: keeps each message well under the bus's payload limit. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Reads and merges a partial upsert tries before it reports WriteConflict (each after losing to a write of its keys). */
const PARTIAL_UPSERT_ATTEMPTS = 20;
/**
 * How many times, in all, a write's rows refused as shaped against an older schema are sent: each refusal
 * means the schema changed again since they were shaped, so a few DDLs in a row are outlasted, a stream
 * of them is not.
 */
const STALE_SENDINGS = 5;

/** Primary keys cut into runs of at most about MAX_MESSAGE_BYTES (a string key counts 3 bytes a character). */
function pagesOf(pks: PrimaryKey[]): PrimaryKey[][] {
  const out: PrimaryKey[][] = [];
  let page: PrimaryKey[] = [], bytes = 0;
  for (const k of pks) {
    const size = typeof k === 'string' ? 4 + 3 * k.length : 8;
    if (bytes + size > MAX_MESSAGE_BYTES && page.length > 0) { out.push(page); page = []; bytes = 0; }
    page.push(k);
    bytes += size;
  }
  if (page.length > 0) out.push(page);
  return out;
}

/** The schema version a write's messages carry: the record's it was shaped against (absent in old records: none). */
function versionOf(r: CollectionRecord): { schemaVersion?: Tso } {
  return r.schemaVersion === undefined ? {} : { schemaVersion: r.schemaVersion };
}

/** The rows without their primary key (an autoID upsert's rows are inserted under generated keys). */
function withoutKeys(pkName: string, data: RowObject[]): RowObject[] {
  return data.map((row) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
    const { [pkName]: _, ...rest } = row;
    return rest;
  });
}

const isKeyOf = (type: string, k: unknown): k is PrimaryKey => (type === 'Int64' ? typeof k === 'number' && Number.isSafeInteger(k) : typeof k === 'string');

/**
 * An upsert on an autoID collection without allow_insert_auto_id: the keys of the rows it replaces, one per
 * row, as each row gives it (Milvus deletes those and inserts the rows under generated keys). Else undefined.
 */
function replacedKeys(r: CollectionRecord, data: RowObject[]): PrimaryKey[] | undefined {
  const pk = primaryField(r.schema);
  if (!pk.autoId || r.allowInsertAutoId === true || !Array.isArray(data)) return undefined;
  const seen = new Set<PrimaryKey>();
  return data.map((row, i) => {
    const k = row !== null && typeof row === 'object' ? row[pk.name] : undefined;
    if (!isKeyOf(pk.dataType, k)) throw new ValidationError(`upsert needs the primary key '${pk.name}' in every row (${pk.dataType === 'Int64' ? 'an integer' : 'a string'}): it names the row the upsert replaces, got ${k === undefined ? 'none' : JSON.stringify(k)} in row ${i}`, { field: pk.name });
    if (seen.has(k)) throw new ValidationError(`duplicate primary key ${JSON.stringify(k)} in one upsert`, { field: pk.name });
    seen.add(k);
    return k;
  });
}

/** Writes: insert, upsert (whole rows, or merged into the stored rows), delete, split by partition, shard and message size. */
export abstract class WriteClient extends QueryClient {
  /**
   * Splits a batch by partition (the named one, or each row's key partition),
   * then by shard and by message size: [vchannel, partitionId, rows, the rows' indices in the batch][]
   */
  private split(r: CollectionRecord, rows: Rows, partitionName?: string): Array<[string, number, Rows, number[]]> {
    const dim = blockDim(r.schema);
    const perMessage = Math.max(1, Math.floor(MAX_MESSAGE_BYTES / (sizingDim(r.schema) * 4 + 64)));
    const out: Array<[string, number, Rows, number[]]> = [];
    for (const [partitionId, inPartition] of writePartitions(r, rows, partitionName)) {
      const byShard: number[][] = r.vchannels.map(() => []);
      for (const i of inPartition) byShard[shardOf(rows.pks[i]!, r.shards)]!.push(i);
      byShard.forEach((idx, s) => {
        for (let i = 0; i < idx.length; i += perMessage) { const part = idx.slice(i, i + perMessage); out.push([r.vchannels[s]!, partitionId, sliceRows(rows, part, dim), part]); }
      });
    }
    return out;
  }

  /**
   * The rows as columns shaped by `r`'s schema (defaults, function outputs, checks). `keys`: the
   * keys a first shaping gave them (a resend after a stale-schema refusal keeps generated keys).
   */
  protected async columns(r: CollectionRecord, data: RowObject[], upsert: boolean, keys?: PrimaryKey[]): Promise<Rows> {
    const pk = primaryField(r.schema);
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    if (!pk.autoId || data.length === 0 || data.length > LIMITS.maxBatchRows) return toColumns(r.schema, data, null, timezoneOf(r));
    // allow_insert_auto_id: a row that gives its key keeps it (an insert or an upsert); the others get generated ones.
    const given = r.allowInsertAutoId === true ? data.map((row) => row !== null && typeof row === 'object' && row[pk.name] !== undefined) : data.map(() => false);
    if (upsert && r.allowInsertAutoId === true && given.includes(false)) throw new ValidationError(`upsert needs the primary key '${pk.name}' in every row: it names the row the upsert replaces`);
    // An upsert without allow_insert_auto_id replaces the row its key names with one under a generated key (as Milvus does).
    const shaped = upsert && r.allowInsertAutoId !== true ? withoutKeys(pk.name, data) : data;
    if (keys) return toColumns(r.schema, shaped, given.map((g, i) => (g ? undefined : keys[i])), timezoneOf(r));
    const wanted = given.filter((g) => !g).length;
    const ids = wanted > 0 ? await this.call('allocIds', { count: wanted }, 10_000) : { first: 0 };
    let next = ids.first;
    return toColumns(r.schema, shaped, given.map((g) => (g ? undefined : next++)), timezoneOf(r));
  }

  /**
   * `opts.appendId`: the insert's messages carry append ids made of it, so the
   * same insert sent again (a bulk import's batch retried) is not written twice.
   */
  async insert(collection: string, data: RowObject[], partitionName?: string, opts: { appendId?: string } = {}): Promise<WriteResult> {
    const cached = await this.record(collection);
    refuseDenied(cached, 'writing');
    refuseNamedPartitions(cached, partitionName);
    partitionIdOf(cached, partitionName);
    const { r, rows } = await this.checkedColumns(collection, cached, data, false);
    const first = await this.appendInserts(r, rows, partitionName, opts.appendId);
    const tso = await this.resendStale(collection, r, data, rows, first, false, (fresh, again) =>
      this.appendInserts(fresh, again, partitionName, opts.appendId === undefined ? undefined : `${opts.appendId}/v${fresh.schemaVersion ?? 0n}`));
    return { count: rows.count, ids: rows.pks, tso };
  }

  /** Each message of an insert appended; the rows of those a shard refused for a stale schema are returned, not thrown. */
  private async appendInserts(r: CollectionRecord, rows: Rows, partitionName: string | undefined, appendId?: string): Promise<Sent> {
    const appends = this.split(r, rows, partitionName).map(([vchannel, partitionId, part, idx], i) => ({
      vchannel, idx,
      message: appendMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part, ...versionOf(r) }), appendId === undefined ? randomUUID() : `${appendId}/${i}`),
    }));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'insertMb', bytes: a.message.byteLength })));
    const sent = new SentRows();
    await Promise.all(appends.map((a) => sent.track(a.idx, this.appendEncoded(a.vchannel, a.message, reservation))));
    return sent.result();
  }

  /**
   * After a write's first sending: rows a shard refused because they were shaped against an older schema
   * (messages/schemaVersion.ts) are shaped again against the record read anew (function outputs,
   * defaults and checks of the schema that refused them) and sent again; the rows that landed stay.
   * A schema changed again meanwhile refuses them again: they are sent up to STALE_SENDINGS times in all.
   * The write's TSO; the refusal is thrown when resending is off or the last sending is refused too.
   */
  private async resendStale(name: string, r: CollectionRecord, data: RowObject[], rows: Rows, first: Sent, upsert: boolean, send: (fresh: CollectionRecord, rows: Rows) => Promise<Sent>): Promise<Tso> {
    this.noteWrite(r, first.tso);
    let sent = first, rec = r, tso = first.tso;
    // Which of `data` each row of the last sending is.
    let of = rows.pks.map((_, i) => i);
    for (let sendings = 1; sent.stale; sendings++) {
      if (!this.reshapesStaleWrites || sendings >= STALE_SENDINGS) throw sent.stale.error;
      rec = await this.recordAfter(name, rec.schemaVersion);
      of = sent.stale.rows.map((i) => of[i]!);
      sent = await send(rec, await this.columns(rec, of.map((i) => data[i]!), upsert, of.map((i) => rows.pks[i]!)));
      this.noteWrite(rec, sent.tso);
      if (sent.tso > tso) tso = sent.tso;
    }
    return tso;
  }

  async upsert(collection: string, data: RowObject[], partitionName?: string, opts: UpsertOptions = {}): Promise<WriteResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, partitionName);
    partitionIdOf(r, partitionName);
    if (opts.partialUpdate === true) return this.partialUpsert(collection, r, data, partitionName);
    const replaced = replacedKeys(r, data);
    const checked = await this.checkedColumns(collection, r, data, true);
    const replacing = replaced && new Map(checked.rows.pks.map((k, i) => [k, replaced[i]!]));
    const first = await this.appendUpserts(checked.r, checked.rows, partitionName, undefined, replacing);
    const tso = await this.resendStale(collection, checked.r, data, checked.rows, first, true, (fresh, again) => this.appendUpserts(fresh, again, partitionName, undefined, replacing));
    return { count: checked.rows.count, ids: checked.rows.pks, tso };
  }

  /**
   * Rows checked against the cached record; refused, checked once more
   * against a fresh one (its schema may have changed since: a raised
   * max_length, a dropped field), so a stale cache never refuses a good write.
   */
  private async checkedColumns(name: string, r: CollectionRecord, data: RowObject[], upsert: boolean): Promise<{ r: CollectionRecord; rows: Rows }> {
    try {
      return { r, rows: await this.columns(r, data, upsert) };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const fresh = await this.record(name, true);
      if (JSON.stringify(fresh.schema) === JSON.stringify(r.schema)) throw e;
      return { r: fresh, rows: await this.columns(fresh, data, upsert) };
    }
  }

  /**
   * Each shard's rows as one transaction: a Delete of their keys, then an
   * Insert. With `unchangedSince`, a shard's transaction commits only if no
   * key of it was written after that TSO; the shards where one was are returned,
   * and the rows of those that refused them for a stale schema (nothing of such a shard's rows is written).
   * `replacing` (an autoID upsert): each generated key with the key of the row it replaces, whose Delete goes
   * to that key's shard (a transaction there; not atomic with the Insert when the shards differ, as in Milvus).
   */
  private async appendUpserts(r: CollectionRecord, rows: Rows, partitionName: string | undefined, unchangedSince?: Tso, replacing?: ReadonlyMap<PrimaryKey, PrimaryKey>): Promise<Sent & { conflicts: Set<string> }> {
    const byShard = new Map<string, { messages: Uint8Array[]; idx: number[] }>();
    const shard = (vchannel: string) => { const s = byShard.get(vchannel) ?? { messages: [], idx: [] }; byShard.set(vchannel, s); return s; };
    const parts = this.split(r, rows, partitionName);
    const deletes = new Map<string, PrimaryKey[]>();
    for (const [vchannel, , part] of parts) {
      for (const k of part.pks) {
        const old = replacing ? replacing.get(k)! : k;
        const at = replacing ? r.vchannels[shardOf(old, r.shards)]! : vchannel;
        deletes.set(at, [...(deletes.get(at) ?? []), old]);
      }
    }
    for (const [vchannel, pks] of deletes) shard(vchannel).messages.push(encodeMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId: -1, pks })));
    for (const [vchannel, partitionId, part, idx] of parts) {
      const s = shard(vchannel);
      s.messages.push(encodeMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part, ...versionOf(r) })));
      s.idx.push(...idx);
    }
    const conflicts = new Set<string>();
    const sent = new SentRows();
    const reservation = await this.reserveWrite(r, [...byShard].map(([vchannel, { messages }]) => ({ vchannel, collectionId: r.collectionId, kind: 'upsertMb', bytes: messages.reduce((n, m) => n + m.byteLength, 0) })));
    await Promise.all([...byShard].map(async ([vchannel, { messages, idx }]) => {
      try {
        await sent.track(idx, this.onShard(vchannel, 'appendTxn', { vchannel, messages, appendId: randomUUID(), ...(unchangedSince === undefined ? {} : { unchangedSince }), ...(reservation === undefined ? {} : { reservation }) }));
      } catch (e) {
        if (!(e instanceof NuthatchError && e.code === 'WriteConflict')) throw e;
        conflicts.add(vchannel);
      }
    }));
    return { ...sent.result(), conflicts };
  }

  /**
   * An upsert in merge mode (partialUpsert.ts), atomic per row: the stored
   * rows of its keys are read at one TSO, the given fields laid over them,
   * and each shard's rows written on condition that none of their keys was
   * written since that TSO. A shard where one was reads and merges its rows
   * again (a concurrent write is merged into, never overwritten unseen).
   */
  private async partialUpsert(collection: string, cached: CollectionRecord, data: RowObject[], partitionName?: string): Promise<WriteResult> {
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    let r = cached;
    // A partial upsert lays its fields over the whole stored row: a row read without its unloaded fields would lose them.
    if (r.loaded && r.loadFields) throw new NuthatchError('FieldNotLoaded', `a partial upsert reads whole rows, and collection ${r.name} is loaded with some fields only: release it and load every field first`, { collection: r.name });
    const keys = partialKeys(r.schema, data, r.allowInsertAutoId === true);
    let pending = data, tso = 0n, reshaped = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const since = await this.guarantee(r, 'Strong');
      const rows = await this.columns(r, await this.mergeStored(collection, r, pending, since, partitionName), true);
      const done = await this.appendUpserts(r, rows, partitionName, since);
      if (done.tso > tso) tso = done.tso;
      const pk = primaryField(r.schema).name;
      // Rows refused for a stale schema are read, merged and shaped again against the record read anew.
      const stale = new Set(done.stale?.rows.map((i) => rows.pks[i]));
      pending = pending.filter((row) => stale.has(row[pk] as PrimaryKey) || done.conflicts.has(r.vchannels[shardOf(row[pk] as PrimaryKey, r.shards)]!));
      if (done.stale) {
        if (!this.reshapesStaleWrites || ++reshaped >= STALE_SENDINGS) throw done.stale.error;
        this.noteWrite(r, tso);
        r = await this.recordAfter(collection, r.schemaVersion);
      }
      if (pending.length > 0 && attempt >= PARTIAL_UPSERT_ATTEMPTS) {
        throw new NuthatchError('WriteConflict', `a partial upsert lost to concurrent writes of its keys ${attempt} times: ${pending.length} of its rows were not written`, { rows: pending.length });
      }
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
    this.noteWrite(r, tso);
    return { count: keys.length, ids: keys, tso };
  }

  /** A partial upsert's whole rows: the stored rows of its keys, read at exactly `at`, with the given fields laid over them. */
  private async mergeStored(collection: string, r: CollectionRecord, data: RowObject[], at: Tso, partitionName?: string): Promise<RowObject[]> {
    const keys = partialKeys(r.schema, data, r.allowInsertAutoId === true);
    const pk = primaryField(r.schema).name;
    const stored = await this.queryPartitions(collection, {
      filter: `${pk} in {keys}`, filterParams: { keys }, outputFields: ['*'], limit: 0,
      ...(partitionName ? { partitionNames: [partitionName] } : {}),
    }, undefined, at);
    return mergePartialRows(r.schema, data, stored);
  }

  /**
   * Deletes by keys or by a filter. A filter's deletes carry the schema version it was read against
   * (a field it names may have changed since): refused for a stale schema, the filter is read again
   * against the record read anew, and the keys it finds on the refusing shards deleted (up to
   * STALE_SENDINGS sendings in all).
   */
  async delete(collection: string, req: { ids?: PrimaryKey[]; filter?: string; filterParams?: Record<string, unknown>; partitionName?: string }): Promise<{ count: number; tso: Tso }> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, req.partitionName);
    if (req.ids === undefined && (typeof req.filter !== 'string' || req.filter.trim() === '')) throw new ValidationError('delete needs ids or a non-empty filter');
    const ids = req.ids ?? await this.filtered(collection, r, req);
    const first = await this.appendDeletes(r, ids, req.partitionName, req.ids === undefined);
    this.noteWrite(r, first.tso);
    let sent = first, rec = r, keys = ids, tso = first.tso, count = ids.length;
    for (let sendings = 1; sent.stale; sendings++) {
      if (!this.reshapesStaleWrites || sendings >= STALE_SENDINGS) throw sent.stale.error;
      rec = await this.recordAfter(collection, rec.schemaVersion);
      const shards = rec.shards, vchannels = rec.vchannels;
      const refused = new Set(sent.stale.rows.map((i) => vchannels[shardOf(keys[i]!, shards)]));
      count -= sent.stale.rows.length;
      keys = (await this.filtered(collection, rec, req)).filter((k) => refused.has(vchannels[shardOf(k, shards)]));
      count += keys.length;
      sent = await this.appendDeletes(rec, keys, req.partitionName, true);
      this.noteWrite(rec, sent.tso);
      if (sent.tso > tso) tso = sent.tso;
    }
    return { count, tso };
  }

  /** The keys of the rows a delete's filter matches now. */
  private async filtered(collection: string, r: CollectionRecord, req: { filter?: string; filterParams?: Record<string, unknown>; partitionName?: string }): Promise<PrimaryKey[]> {
    const pk = primaryField(r.schema);
    const rows = await this.query(collection, { filter: req.filter!, ...(req.filterParams ? { filterParams: req.filterParams } : {}), outputFields: [pk.name], consistencyLevel: 'Strong', partitionNames: req.partitionName ? [req.partitionName] : undefined });
    return rows.map((x) => x[pk.name] as PrimaryKey);
  }

  /** Deletes of the keys, a few appends per shard; `versioned`: they carry `r`'s schema version (a filter's). */
  private async appendDeletes(r: CollectionRecord, ids: PrimaryKey[], partitionName: string | undefined, versioned: boolean): Promise<Sent> {
    const pk = primaryField(r.schema);
    for (const k of ids) if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`ids must be ${pk.dataType === 'Int64' ? 'integers' : 'strings'}`);
    const partitionId = partitionName ? partitionIdOf(r, partitionName) : -1;
    // Each key with its index in `ids` (a key given twice is deleted once, under its first index).
    const byShard = new Map<string, Map<PrimaryKey, number>>();
    ids.forEach((k, i) => {
      const v = r.vchannels[shardOf(k, r.shards)]!;
      const keys = byShard.get(v) ?? new Map<PrimaryKey, number>();
      if (!keys.has(k)) keys.set(k, i);
      byShard.set(v, keys);
    });
    // Bounded messages, as inserts are split: a delete of millions of ids is several appends.
    const appends = [...byShard].flatMap(([vchannel, keys]) => pagesOf([...keys.keys()]).map((page) => ({
      vchannel, idx: page.map((k) => keys.get(k)!),
      message: appendMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId, pks: page, ...(versioned ? versionOf(r) : {}) }), randomUUID()),
    })));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'deleteMb', bytes: a.message.byteLength })));
    const sent = new SentRows();
    await Promise.all(appends.map((a) => sent.track(a.idx, this.appendEncoded(a.vchannel, a.message, reservation))));
    return sent.result();
  }
}
