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

/** Rows per insert message: keeps each message well under the bus's payload limit. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Reads and merges a partial upsert tries before it reports WriteConflict (each after losing to a write of its keys). */
const PARTIAL_UPSERT_ATTEMPTS = 20;

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

/** Writes: insert, upsert (whole rows, or merged into the stored rows), delete, split by partition, shard and message size. */
export abstract class WriteClient extends QueryClient {
  /**
   * Splits a batch by partition (the named one, or each row's key partition),
   * then by shard and by message size: [vchannel, partitionId, rows][]
   */
  private split(r: CollectionRecord, rows: Rows, partitionName?: string): Array<[string, number, Rows]> {
    const dim = blockDim(r.schema);
    const perMessage = Math.max(1, Math.floor(MAX_MESSAGE_BYTES / (sizingDim(r.schema) * 4 + 64)));
    const out: Array<[string, number, Rows]> = [];
    for (const [partitionId, inPartition] of writePartitions(r, rows, partitionName)) {
      const byShard: number[][] = r.vchannels.map(() => []);
      for (const i of inPartition) byShard[shardOf(rows.pks[i]!, r.shards)]!.push(i);
      byShard.forEach((idx, s) => { for (let i = 0; i < idx.length; i += perMessage) out.push([r.vchannels[s]!, partitionId, sliceRows(rows, idx.slice(i, i + perMessage), dim)]); });
    }
    return out;
  }

  protected async columns(r: CollectionRecord, data: RowObject[], upsert: boolean): Promise<Rows> {
    const pk = primaryField(r.schema);
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    if (!pk.autoId || data.length === 0 || data.length > LIMITS.maxBatchRows) return toColumns(r.schema, data, null, timezoneOf(r));
    // allow_insert_auto_id: a row that gives its key keeps it (an insert or an upsert); the others get generated ones.
    const given = r.allowInsertAutoId === true ? data.map((row) => row !== null && typeof row === 'object' && row[pk.name] !== undefined) : data.map(() => false);
    if (upsert && given.includes(false)) throw new ValidationError(`upsert needs the primary key '${pk.name}' in every row: an autoID collection takes given keys only with allow_insert_auto_id`);
    const wanted = given.filter((g) => !g).length;
    const ids = wanted > 0 ? await this.call('allocIds', { count: wanted }, 10_000) : { first: 0 };
    let next = ids.first;
    return toColumns(r.schema, data, given.map((g) => (g ? undefined : next++)), timezoneOf(r));
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
    let tso = 0n;
    const appends = this.split(r, rows, partitionName).map(([vchannel, partitionId, part], i) => ({
      vchannel,
      message: appendMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part }), opts.appendId === undefined ? randomUUID() : `${opts.appendId}/${i}`),
    }));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'insertMb', bytes: a.message.byteLength })));
    await Promise.all(appends.map(async (a) => {
      const res = await this.appendEncoded(a.vchannel, a.message, reservation);
      if (res.tso > tso) tso = res.tso;
    }));
    this.noteWrite(r, tso);
    return { count: rows.count, ids: rows.pks, tso };
  }

  async upsert(collection: string, data: RowObject[], partitionName?: string, opts: UpsertOptions = {}): Promise<WriteResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, partitionName);
    partitionIdOf(r, partitionName);
    if (opts.partialUpdate === true) return this.partialUpsert(collection, r, data, partitionName);
    const checked = await this.checkedColumns(collection, r, data, true);
    const { tso } = await this.appendUpserts(checked.r, checked.rows, partitionName);
    this.noteWrite(checked.r, tso);
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
   * key of it was written after that TSO; the shards where one was are returned.
   */
  private async appendUpserts(r: CollectionRecord, rows: Rows, partitionName: string | undefined, unchangedSince?: Tso): Promise<{ tso: Tso; conflicts: Set<string> }> {
    const byShard = new Map<string, Uint8Array[]>();
    for (const [vchannel, partitionId, part] of this.split(r, rows, partitionName)) {
      const msgs = byShard.get(vchannel) ?? [];
      msgs.push(encodeMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId: -1, pks: part.pks })));
      msgs.push(encodeMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part })));
      byShard.set(vchannel, msgs);
    }
    let tso = 0n;
    const conflicts = new Set<string>();
    const reservation = await this.reserveWrite(r, [...byShard].map(([vchannel, messages]) => ({ vchannel, collectionId: r.collectionId, kind: 'upsertMb', bytes: messages.reduce((n, m) => n + m.byteLength, 0) })));
    await Promise.all([...byShard].map(async ([vchannel, messages]) => {
      try {
        const res = await this.onShard(vchannel, 'appendTxn', { vchannel, messages, appendId: randomUUID(), ...(unchangedSince === undefined ? {} : { unchangedSince }), ...(reservation === undefined ? {} : { reservation }) });
        if (res.tso > tso) tso = res.tso;
      } catch (e) {
        if (!(e instanceof NuthatchError && e.code === 'WriteConflict')) throw e;
        conflicts.add(vchannel);
      }
    }));
    return { tso, conflicts };
  }

  /**
   * An upsert in merge mode (partialUpsert.ts), atomic per row: the stored
   * rows of its keys are read at one TSO, the given fields laid over them,
   * and each shard's rows written on condition that none of their keys was
   * written since that TSO. A shard where one was reads and merges its rows
   * again (a concurrent write is merged into, never overwritten unseen).
   */
  private async partialUpsert(collection: string, r: CollectionRecord, data: RowObject[], partitionName?: string): Promise<WriteResult> {
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    // A partial upsert lays its fields over the whole stored row: a row read without its unloaded fields would lose them.
    if (r.loaded && r.loadFields) throw new NuthatchError('FieldNotLoaded', `a partial upsert reads whole rows, and collection ${r.name} is loaded with some fields only: release it and load every field first`, { collection: r.name });
    const keys = partialKeys(r.schema, data, r.allowInsertAutoId === true);
    let pending = data, tso = 0n;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const since = await this.guarantee(r, 'Strong');
      const rows = await this.columns(r, await this.mergeStored(collection, r, pending, since, partitionName), true);
      const done = await this.appendUpserts(r, rows, partitionName, since);
      if (done.tso > tso) tso = done.tso;
      const pk = primaryField(r.schema).name;
      pending = pending.filter((row) => done.conflicts.has(r.vchannels[shardOf(row[pk] as PrimaryKey, r.shards)]!));
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

  async delete(collection: string, req: { ids?: PrimaryKey[]; filter?: string; filterParams?: Record<string, unknown>; partitionName?: string }): Promise<{ count: number; tso: Tso }> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, req.partitionName);
    const pk = primaryField(r.schema);
    let ids = req.ids;
    if (ids === undefined) {
      if (typeof req.filter !== 'string' || req.filter.trim() === '') throw new ValidationError('delete needs ids or a non-empty filter');
      const rows = await this.query(collection, { filter: req.filter, ...(req.filterParams ? { filterParams: req.filterParams } : {}), outputFields: [pk.name], consistencyLevel: 'Strong', partitionNames: req.partitionName ? [req.partitionName] : undefined });
      ids = rows.map((x) => x[pk.name] as PrimaryKey);
    }
    for (const k of ids) if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`ids must be ${pk.dataType === 'Int64' ? 'integers' : 'strings'}`);
    const partitionId = req.partitionName ? partitionIdOf(r, req.partitionName) : -1;
    const byShard = new Map<string, PrimaryKey[]>();
    for (const k of new Set(ids)) {
      const v = r.vchannels[shardOf(k, r.shards)]!;
      const list = byShard.get(v);
      if (list) list.push(k); else byShard.set(v, [k]);
    }
    let tso = 0n;
    // Bounded messages, as inserts are split: a delete of millions of ids is several appends.
    const appends = [...byShard].flatMap(([vchannel, pks]) => pagesOf(pks).map((page) => ({ vchannel, message: appendMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId, pks: page }), randomUUID()) })));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'deleteMb', bytes: a.message.byteLength })));
    await Promise.all(appends.map(async (a) => {
      const res = await this.appendEncoded(a.vchannel, a.message, reservation);
      if (res.tso > tso) tso = res.tso;
    }));
    this.noteWrite(r, tso);
    return { count: ids.length, tso };
  }
}
