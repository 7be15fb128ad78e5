/**
 * Every failure nuthatch reports has a class with a stable `code`, a numeric wire
 * code (the HTTP API's `code`), and says whether a retry can succeed.
 * Wire codes map to classes in one place: `errorFromWire`.
 */

/** Stable error codes. The number is what crosses the wire and the HTTP API. */
export const ErrorCode = {
  Internal: 1,
  InvalidArgument: 1100,
  MalformedRequest: 1101,
  DecodeFailed: 1102,
  SchemaMismatch: 1103,
  PayloadTooLarge: 1104,
  /** A read names a field its collection's load left out (Milvus's load_fields / skip_load_dynamic_field). */
  FieldNotLoaded: 1105,
  /**
   * A write's rows were shaped against a schema older than the shard's (Milvus's SchemaMismatch on an
   * insert whose schema_timestamp is stale): re-read the collection, shape the rows again, send again.
   * Nothing was written. The client does this once by itself (messages/schemaVersion.ts).
   */
  CollectionSchemaMismatch: 1106,
  CollectionNotFound: 100,
  CollectionExists: 101,
  CollectionNotLoaded: 102,
  /**
   * The request may not change a loaded collection (Milvus's ErrCollectionLoaded, 104: altering warm-up
   * properties of a collection or a field while it is loaded): release it, change it, load it again.
   * Nothing was written; never retried by the client.
   */
  CollectionLoaded: 104,
  PartitionNotFound: 200,
  PartitionExists: 201,
  PartitionNotLoaded: 202,
  IndexNotFound: 700,
  IndexExists: 701,
  InvariantViolated: 1200,
  TxnNotFound: 1300,
  TxnAborted: 1301,
  Fenced: 1400,
  WalUnavailable: 1401,
  NotOwner: 1402,
  /**
   * A request carried a fencing token (messages/fence.ts) that is no longer current:
   * another holder took the lead it stood for. Never retried: the sender must stop.
   */
  StaleFence: 1403,
  Timeout: 1500,
  Unavailable: 1501,
  /**
   * A read's cold data could not fit a query node's tiered storage cache within `evictionTimeoutMs`:
   * what in-flight reads hold left no room (Milvus's sync eviction timing out). Not retried by the
   * client (a retry would wait again); retry later, raise the budget, or read less at once.
   */
  CacheFull: 1502,
  NotFound: 1600,
  Conflict: 1700,
  /** A conditional write (a partial upsert) found a key written after it read it: read again and retry. */
  WriteConflict: 1701,
  /**
   * The request is refused by the object's state until the caller changes it
   * (release a collection before dropping its index; wait for a backup to
   * complete): never retried by the client, unlike Conflict.
   */
  FailedPrecondition: 1702,
  StorageMismatch: 1800,
  AliasNotFound: 1900,
  AliasExists: 1901,
  /** No credentials, or wrong ones (Milvus: ErrNeedAuthenticate, 1800, which nuthatch's StorageMismatch holds). */
  Unauthenticated: 2000,
  /** The user holds no role granting the privilege (Milvus: ErrPrivilegeNotPermitted, 1401, which WalUnavailable holds). */
  PermissionDenied: 2001,
  /** Over a rate limit (Milvus: ErrServiceRateLimit, 8, "rate limit exceeded"): retryable, after a backoff. */
  RateLimited: 8,
  /** Over a disk quota (Milvus: ErrServiceQuotaExceeded, 9, "quota exceeded"): writes stay refused until stored bytes drop or the quota is raised. */
  QuotaExceeded: 9,
  /** A database's force-deny switch turned the request away (Milvus: ErrServiceForceDeny). */
  ForceDenied: 2006,
  UserNotFound: 2002,
  UserExists: 2003,
  RoleNotFound: 2004,
  RoleExists: 2005,
  /** Custom privilege groups (Milvus 2.5's create_privilege_group). */
  PrivilegeGroupNotFound: 2007,
  PrivilegeGroupExists: 2008,
  /** Milvus's ErrDatabaseNotFound and ErrDatabaseNumLimitExceeded codes. */
  DatabaseNotFound: 800,
  DatabaseLimitExceeded: 801,
  DatabaseExists: 810,
  /** drop_database of a database that still holds collections. */
  DatabaseNotEmpty: 811,
  /** Backups (nuthatch's own; Milvus has no backup API). */
  BackupNotFound: 2100,
  BackupExists: 2101,
  /** Collection snapshots (Milvus 3.0's create_snapshot and its kin). */
  SnapshotNotFound: 2110,
  SnapshotExists: 2111,
  /** Resource groups (Milvus's ErrResourceGroupNotFound, AlreadyExist and NodeNotEnough codes; NotEmpty is nuthatch's). */
  ResourceGroupNotFound: 300,
  ResourceGroupExists: 301,
  ResourceGroupNodeNotEnough: 304,
  /** drop_resource_group of the default group, of one that holds replicas, or of one still asking for nodes. */
  ResourceGroupNotEmpty: 305,
  /** Cross-cluster replication (runtime/replication): the source WAL no longer holds what the replicator must read next; resync the target. */
  ReplicationGap: 2120,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

const RETRYABLE: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'Fenced', 'WalUnavailable', 'NotOwner', 'Timeout', 'Unavailable', 'Conflict', 'RateLimited',
]);

/** Base class of every nuthatch error. */
export class NuthatchError extends Error {
  readonly code: ErrorCodeName;
  /**
   * Structured facts about the failure (field, invariant, ...). Not named `details`:
   * uvu's reporter treats an error's `details` as its own diff text and fails on an object.
   */
  readonly info: Record<string, unknown>;
  constructor(code: ErrorCodeName, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = `${code}Error`;
    this.code = code;
    this.info = details;
  }
  /** The numeric code used on the wire and in HTTP responses. */
  get wireCode(): number { return ErrorCode[this.code]; }
  get retryable(): boolean { return RETRYABLE.has(this.code); }
  toWire(): WireError { return { code: this.code, message: this.message, details: this.info }; }
}

/** The serializable form of an error, carried in bus replies. */
export interface WireError { code: string; message: string; details?: Record<string, unknown> }

/** Vchannel invariants: the machine names the one a message broke. */
export const Invariant = {
  CollectionMustExist: 'collection-must-exist',
  CollectionAlreadyExists: 'collection-already-exists',
  NothingAfterDrop: 'nothing-after-drop',
  PartitionMustExist: 'partition-must-exist',
  PartitionAlreadyExists: 'partition-already-exists',
  DefaultPartitionIsPermanent: 'default-partition-is-permanent',
  TsoMustIncrease: 'tso-must-increase',
  TxnMustBeOpen: 'txn-must-be-open',
  TxnAlreadyOpen: 'txn-already-open',
  TxnExpired: 'txn-expired',
  TxnAbortedByDdl: 'txn-aborted-by-ddl',
  PayloadMatchesSchema: 'payload-matches-schema',
  SegmentMustBeGrowing: 'segment-must-be-growing',
  SegmentIdMustBeNew: 'segment-id-must-be-new',
  SegmentMustBeSealed: 'segment-must-be-sealed',
  SegmentHasOpenTxn: 'segment-has-open-txn',
  InsertAfterSegmentCreate: 'insert-after-segment-create',
  InsertAfterAllocationFence: 'insert-after-allocation-fence',
  IndexMustExist: 'index-must-exist',
  IndexAlreadyExists: 'index-already-exists',
  WrongVchannel: 'wrong-vchannel',
  TxnNotAllowed: 'txn-not-allowed',
  DeleteFloorBelowTso: 'delete-floor-below-tso',
  PartitionKeyOwnsPartitions: 'partition-key-owns-partitions',
  FieldAlreadyDropped: 'field-already-dropped',
  FieldAlreadyAdded: 'field-already-added',
  FunctionAlreadyAdded: 'function-already-added',
  FunctionAlreadyDropped: 'function-already-dropped',
  SchemaVersionCurrent: 'schema-version-current',
} as const;
export type InvariantName = (typeof Invariant)[keyof typeof Invariant];

/** A message the vchannel machine refused; it was never appended. */
export class InvariantError extends NuthatchError {
  readonly invariant: InvariantName;
  constructor(invariant: InvariantName, message: string, code: ErrorCodeName = 'InvariantViolated') {
    super(code, `${message} [invariant: ${invariant}]`, { invariant });
    this.invariant = invariant;
  }
}

/**
 * Cross-cluster replication cannot go on without losing writes: the source WAL
 * was truncated past the replicator's checkpoint (or never held the collection's
 * beginning). Never retryable: resync the target (backup/restore), then replicate.
 */
export class ReplicationGapError extends NuthatchError {
  constructor(message: string) { super('ReplicationGap', message); }
}

/** Bytes that are not a valid message. */
export class DecodeError extends NuthatchError {
  constructor(message: string, cause?: unknown) { super('DecodeFailed', message, {}, cause); }
}

/** A well-formed message whose contents are wrong (types, ranges, sizes). */
export class ValidationError extends NuthatchError {
  constructor(message: string, details: Record<string, unknown> = {}) { super('InvalidArgument', message, details); }
}

/** Shorthand for raising a typed error. */
export function fail(code: ErrorCodeName, message: string, details: Record<string, unknown> = {}): never {
  throw new NuthatchError(code, message, details);
}

/** Maps a wire error back to its class: the one place wire codes become classes. */
export function errorFromWire(w: WireError): NuthatchError {
  const code = (w.code in ErrorCode ? w.code : 'Internal') as ErrorCodeName;
  const details = w.details ?? {};
  if (code === 'InvariantViolated' || typeof details.invariant === 'string') {
    const e = new InvariantError(details.invariant as InvariantName, w.message.replace(/ \[invariant: [^\]]*\]$/, ''), code);
    return e;
  }
  if (code === 'DecodeFailed') return new DecodeError(w.message);
  if (code === 'ReplicationGap') return new ReplicationGapError(w.message);
  if (code === 'InvalidArgument') return new ValidationError(w.message, details);
  return new NuthatchError(code, w.message, details);
}

/** Turns anything thrown into a NuthatchError (unknown errors become Internal). */
export function asNuthatchError(e: unknown): NuthatchError {
  if (e instanceof NuthatchError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new NuthatchError('Internal', msg, {}, e);
}
