import { encodeMessage } from '../../messages/codec.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { Fence } from '../../messages/fence.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { streamingReadSubject, type StreamingProtocol, type WritePart } from '../../messages/rpc/streamingNode.js';
import { tsoOf, type AnyMessage, type Tso } from '../../messages/types.js';
import { EVENTS } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { checkDatabaseName, databaseOr, dbOf, DEFAULT_DB } from '../../messages/database.js';
import { RecordCache } from './recordCache.js';
import { SnapshotLease } from './snapshotLease.js';
import type { Bus } from '../ports/bus.js';
import { client, withRetry, type Caller } from '../rpc/typedBus.js';
import type { ConsistencyLevel } from './api.js';
import { Hedger } from './hedge.js';
import { AdmissionView, reserveAll, type ReservationPorts } from './writeReservation.js';
import { OwnerWatch } from './ownerWatch.js';

/** How long a record reached through an alias is trusted (an alias can move). */
const ALIAS_TTL_MS = 1000;

/**
 * How long a record reached by its own name is trusted: the coordinator
 * announces renames and drops, but an announcement can be missed (it is not
 * persisted), and this bounds how long a missed one goes unnoticed.
 */
const NAME_TTL_MS = 30_000;

/** How far behind this machine's clock a Bounded read may be. */
const BOUNDED_STALENESS_MS = 5000;

/**
 * The client's connections and shared steps: the coordinator and shard callers
 * (retried while a WAL moves, reads hedged over replicas), the cache of
 * collection records, write admission, and the TSO a read waits for.
 */
export abstract class ClientBase {
  private readonly coord: Caller<CoordinatorProtocol>;
  protected readonly cache = new RecordCache();
  /** Session consistency: the last write TSO this client saw per collection (by id: names are per database). */
  private readonly lastWrite = new Map<number, Tso>();
  /** The current database: every collection-scoped call resolves in it (see database()). */
  dbName: string;
  private readonly owners: OwnerWatch;
  private readonly hedge = new Hedger();
  /** Which collections have admission rules, so a write of several appends is reserved whole only where it can be refused. */
  private readonly admission: AdmissionView;

  /**
   * `followCatalog: false` ignores the coordinator's catalog announcements (as a
   * client that missed one does: they are not persisted), leaving stale writes to
   * the WAL's machine to refuse, or the record's expiry (`nameTtlMs`) to notice.
   * `retryOnRateLimit: false` hands a RateLimited refusal to the caller at once;
   * by default (as pymilvus's retry on rate limit) the request is sent again
   * with a backoff (50 ms doubling to 2 s) for up to the request's deadline
   * (120 s for writes and reads), then the RateLimited error is thrown.
   * `fence` (messages/fence.ts) goes on every coordinator request and every
   * appendWal, so a writer whose lead has passed (a replicator) has them refused
   * with StaleFence.
   * `retryOnSchemaMismatch: false` hands a CollectionSchemaMismatch refusal (rows shaped against a schema
   * older than the shard's, messages/schemaVersion.ts) to the caller; by default the client reads the
   * record again, shapes the refused rows again and resends them once (as pymilvus does).
   */
  constructor(protected readonly bus: Bus, private readonly opts: { timeoutMs?: number; followCatalog?: boolean; nameTtlMs?: number; dbName?: string; retryOnRateLimit?: boolean; fence?: Fence; retryOnSchemaMismatch?: boolean } = {}) {
    this.dbName = databaseOr(opts.dbName);
    this.coord = client<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT, opts.timeoutMs ?? 60_000);
    this.owners = new OwnerWatch(bus);
    this.admission = new AdmissionView(bus, () => this.call('admission', {}));
    // Another client renamed, dropped or altered a collection: its cached records under those names go.
    if (opts.followCatalog !== false) {
      bus.subscribe(EVENTS.catalog, (data) => {
        const e = decodeValue(data) as { dbName?: string; names: string[] };
        this.cache.forget(e.dbName ?? DEFAULT_DB, e.names);
      });
    }
  }

  /**
   * This client in another database. A view made by Object.create shares every
   * field (connections, caches, subscriptions) through its prototype and holds
   * only its own `dbName`, so a gateway can serve each request in its database
   * without a client per request.
   */
  database(dbName: string): this {
    const view = Object.create(this) as this;
    view.dbName = databaseOr(dbName);
    return view;
  }

  /** Makes an existing database the current one (Milvus's using_database). */
  async useDatabase(dbName: string): Promise<void> {
    const db = checkDatabaseName(dbName);
    await this.call('describeDatabase', { dbName: db });
    this.dbName = db;
  }

  protected call<K extends keyof CoordinatorProtocol & string>(op: K, req: CoordinatorProtocol[K]['req'], timeoutMs?: number) {
    const fenced = this.opts.fence === undefined ? req : { ...req, fence: this.opts.fence };
    return withRetry(() => this.coord(op, fenced, timeoutMs), { deadlineMs: 60_000 });
  }

  /** Whether a write refused for a stale schema is shaped again and resent (the default), or the refusal thrown. */
  protected get reshapesStaleWrites(): boolean { return this.opts.retryOnSchemaMismatch !== false; }

  /**
   * The record of a name once its schema version is past `stale` (the version a shard refused): a DDL's
   * record is saved a moment after the DDL reached the shards, so it is read again, backing off, for up
   * to `deadlineMs`; then the last one read (a resend against it is refused again, and that is thrown).
   */
  protected async recordAfter(name: string, stale: Tso | undefined, deadlineMs = this.opts.timeoutMs ?? 120_000): Promise<CollectionRecord> {
    const until = Date.now() + deadlineMs;
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      const r = await this.record(name, true);
      if ((r.schemaVersion ?? 0n) > (stale ?? 0n) || Date.now() >= until) return r;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Whether a retryable refusal is retried: a RateLimited one only if the client says so (the default). */
  private readonly retryIf = (e: NuthatchError): boolean => e.code !== 'RateLimited' || this.opts.retryOnRateLimit !== false;
  protected shard(subject: string): Caller<StreamingProtocol> {
    return client<StreamingProtocol>(this.bus, subject, this.opts.timeoutMs ?? 120_000);
  }

  /** A request to a vchannel's owner, retried while its WAL moves (given up early when it moves). */
  protected onShard<K extends keyof StreamingProtocol & string>(vchannel: string, op: K, req: StreamingProtocol[K]['req']) {
    const pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    return withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)(op, req)), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /**
   * A read, sent to any delegator of the vchannel's shard (the owner or a
   * follower: one queue group per pchannel); hedged (sent again when slow, see
   * Hedger), retried, and given up early when the pchannel's delegators change.
   */
  protected onReplica<K extends 'search' | 'query' | 'bm25Stats' | 'sync'>(vchannel: string, op: K, req: StreamingProtocol[K]['req']) {
    const pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    return withRetry(() => this.owners.guardRead(pchannel, () => this.hedge.run(() => this.shard(streamingReadSubject(pchannel))(op, req))), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /** Appends one encoded message (at most once, by its append id, however often the request is retried). */
  protected appendEncoded(vchannel: string, message: Uint8Array, reservation?: string) {
    return this.onShard(vchannel, 'append', { message, ...(reservation === undefined ? {} : { reservation }) });
  }

  /**
   * Appends WAL messages built elsewhere (cross-cluster replication,
   * runtime/replication): one as a plain append, several as one transaction;
   * at most once per `appendId` (the streaming node's dedup window).
   */
  async appendWal(vchannel: string, messages: AnyMessage[], appendId: string): Promise<{ tso: Tso }> {
    const fence = this.opts.fence === undefined ? {} : { fence: this.opts.fence };
    if (messages.length === 1) return this.onShard(vchannel, 'append', { message: appendMessage(messages[0]!, appendId), ...fence });
    return this.onShard(vchannel, 'appendTxn', { vchannel, messages: messages.map((m) => encodeMessage(m)), appendId, ...fence });
  }

  /**
   * A write of several appends is admitted whole before any is made, where
   * its collection has admission rules (writeReservation.ts): every owner it
   * reaches admits its part or none does. The id its appends carry, or none.
   */
  protected async reserveWrite(r: CollectionRecord, parts: WritePart[]): Promise<string | undefined> {
    if (parts.length < 2 || !(await this.admission.ruled(r.collectionId))) return undefined;
    const ports: ReservationPorts = {
      reserve: (pchannel, req) => withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)('reserveWrite', req)), { deadlineMs: 120_000, retryIf: (e) => e.code !== 'RateLimited' }),
      release: (pchannel, reservation) => withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)('releaseWrite', { reservation })), { deadlineMs: 10_000 }),
    };
    return withRetry(() => reserveAll(ports, parts), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /**
   * The collection record a name stands for, cached. A record reached through an
   * alias is kept for a second only: another client may move the alias. One
   * reached by its own name is kept for NAME_TTL_MS, or until the coordinator
   * announces the name changed.
   */
  protected async record(name: string, fresh = false): Promise<CollectionRecord> {
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('collectionName must be a non-empty string');
    const db = this.dbName;
    const c = this.cache.get(db, name);
    if (c && !fresh && Date.now() - c.at < (c.rec.name === name ? this.opts.nameTtlMs ?? NAME_TTL_MS : ALIAS_TTL_MS)) return c.rec;
    return this.remember(name, await this.call('describeCollection', { dbName: db, name }));
  }

  /** Caches the record a name resolved to in the record's database, from now. */
  protected remember(name: string, r: CollectionRecord): CollectionRecord {
    this.cache.set(dbOf(r), name, r, Date.now());
    return r;
  }

  /** Forgets this database's cached record of a name. */
  /** Forgets a name's cached record, and every alias's that reaches the same collection (a partition or index DDL through one name changes them all). */
  protected uncache(name: string, db = this.dbName): void {
    const cached = this.cache.get(db, name);
    this.cache.forget(db, cached ? [name, cached.rec.name] : [name]);
  }

  protected noteWrite(r: CollectionRecord, tso: Tso): void { if (tso > (this.lastWrite.get(r.collectionId) ?? 0n)) this.lastWrite.set(r.collectionId, tso); }

  protected async guarantee(r: CollectionRecord, level: ConsistencyLevel | undefined): Promise<Tso> {
    const l = level ?? r.consistencyLevel;
    switch (l) {
      // A short attempt: a request caught by a coordinator crash is retried on the standby.
      case 'Strong': return (await this.call('tsoBatch', { count: 1 }, 10_000)).first;
      // Bounded staleness needs no oracle round trip: 5 s behind this machine's clock.
      case 'Bounded': return tsoOf(Date.now() - BOUNDED_STALENESS_MS);
      case 'Session': return this.lastWrite.get(r.collectionId) ?? 0n;
      case 'Eventually': return 0n;
      default: throw new ValidationError(`unknown consistency level '${String(l)}' (Strong, Bounded, Session, Eventually)`);
    }
  }

  /** A hold on a snapshot of the collection, taken at the first read (snapshotLease.ts). */
  protected snapshotLease(r: CollectionRecord, tso: Tso, holdId?: number): SnapshotLease {
    return new SnapshotLease({
      hold: (id) => this.call('holdSnapshot', { dbName: dbOf(r), collection: r.name, tso, ...(id !== undefined ? { holdId: id } : {}) }),
      release: (id) => this.call('releaseSnapshot', { holdId: id }),
    }, holdId);
  }

  /**
   * The one TSO a read of several parts pins (a hybrid search's searches, an
   * iterator's pages, a sparse search's statistics and hits): what its
   * consistency level guarantees and, below Strong, the newest TSO every shard
   * already serves (asked without waiting), so it sees what a plain search of
   * that level sees instead of a snapshot five seconds old. Never older than
   * Bounded's staleness: a snapshot names one TSO every shard must serve.
   */
  protected async snapshotTso(r: CollectionRecord, level: ConsistencyLevel | undefined, guaranteed?: Tso): Promise<Tso> {
    const guarantee = guaranteed ?? await this.guarantee(r, level);
    const bounded = tsoOf(Date.now() - BOUNDED_STALENESS_MS);
    const floor = guarantee > bounded ? guarantee : bounded;
    if ((level ?? r.consistencyLevel) === 'Strong') return floor; // the oracle's now: nothing newer is committed
    const served = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'sync', { vchannel, tso: floor })));
    const common = served.reduce((min, s) => (s.serviceable < min ? s.serviceable : min), served[0]?.serviceable ?? floor);
    return common > floor ? common : floor;
  }
}

/** A message encoded for the WAL under an append id (appended at most once however often it is sent). */
export function appendMessage(m: AnyMessage, appendId: string): Uint8Array {
  m.header.appendId = appendId;
  return encodeMessage(m);
}
