import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { LIMITS, primaryField, type CollectionSchema } from '../../../messages/schema.js';
import type { Bus } from '../../../runtime/ports/bus.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { NuthatchClient } from '../../../runtime/client/client.js';
import type { RowObject } from '../../../runtime/client/api.js';
import { toColumns } from '../../../runtime/client/rows.js';
import { checkRows } from '../../../runtime/http/schemaChecks.js';
import { rowsOfFile } from './importFormats.js';

/** The largest import file read (a file is parsed whole; V8's strings end near 512 MiB). */
export const MAX_IMPORT_FILE_BYTES = 256 * 1024 * 1024;

/**
 * A data node's part of a bulk import (coordinator/shell/importJobsShell.ts):
 * reads a JSON or Parquet file of rows from object storage (importFormats.ts),
 * checks every row as the REST
 * gateway checks an insert's, and inserts batches of them through the WAL
 * like any client. The last files read are kept parsed, as a job asks for
 * one batch of a file after another.
 */
export class ImportReader {
  private client?: NuthatchClient;
  private readonly parsed = new Map<string, { rows: Record<string, unknown>[]; bytes: number }>();

  constructor(private readonly bus: Bus, private readonly objects: ObjectStore) {}

  async check(dbName: string, collection: string, key: string): Promise<{ rows: number; bytes: number }> {
    const { schema, rules } = rowRulesOf(await this.api(dbName).describeCollection(collection));
    const file = await this.read(key, schema);
    const rows = checkRows(schema, file.rows, 'insert', rules);
    // What the client checks beyond the gateway (vector values, sizes), a message's worth at a time.
    for (let i = 0; i < rows.length; i += LIMITS.maxBatchRows) checkColumns(schema, rows.slice(i, i + LIMITS.maxBatchRows), i);
    return { rows: rows.length, bytes: file.bytes };
  }

  async write(req: { jobId: number; dbName: string; collection: string; partitionName?: string; key: string; fromRow: number; maxRows: number }): Promise<{ rows: number }> {
    const { jobId, collection, key, fromRow } = req;
    if (!Number.isInteger(fromRow) || fromRow < 0) throw new NuthatchError('InvalidArgument', `fromRow must be a non-negative integer, got ${fromRow}`);
    const maxRows = Math.min(req.maxRows, LIMITS.maxBatchRows);
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new NuthatchError('InvalidArgument', `maxRows must be a positive integer, got ${req.maxRows}`);
    const api = this.api(req.dbName);
    const { schema, rules } = rowRulesOf(await api.describeCollection(collection));
    const file = await this.read(key, schema);
    const slice = file.rows.slice(fromRow, fromRow + maxRows);
    if (slice.length === 0) return { rows: 0 };
    const rows = checkRows(schema, slice, 'insert', rules);
    await api.insert(collection, rows, req.partitionName, { appendId: `import/${jobId}/${key}/${fromRow}` });
    return { rows: rows.length };
  }

  /** The client in the job's database (one client; a view of it per database). */
  private api(dbName: string): NuthatchClient {
    this.client ??= new NuthatchClient(this.bus);
    return dbName === this.client.dbName ? this.client : this.client.database(dbName);
  }

  private async read(key: string, schema: CollectionSchema): Promise<{ rows: Record<string, unknown>[]; bytes: number }> {
    const cached = this.parsed.get(key);
    if (cached) return cached;
    const bytes = await this.objects.get(key);
    if (!bytes) throw new NuthatchError('NotFound', `import file '${key}' does not exist in object storage`, { key });
    if (bytes.length > MAX_IMPORT_FILE_BYTES) throw new ValidationError(`import file '${key}' is ${bytes.length} bytes, more than ${MAX_IMPORT_FILE_BYTES}: split it`, { key });
    const file = { rows: await rowsOfFile(key, bytes, schema), bytes: bytes.length };
    // Two files kept: the one a job writes, and one a job checks meanwhile.
    if (this.parsed.size >= 2) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, file);
    return file;
  }
}

/** A collection's schema, and whether its autoID key takes the keys rows give (allow_insert_auto_id, as a restore sets it). */
function rowRulesOf(d: { schema: CollectionSchema; properties: Array<{ key: string; value: string }> }): { schema: CollectionSchema; rules: { allowInsertAutoId: boolean } } {
  return { schema: d.schema, rules: { allowInsertAutoId: d.properties.some((p) => p.key === 'allow_insert_auto_id' && p.value === 'true') } };
}

/** The client's checks of rows (vectors, sizes), with made-up keys where an autoID collection draws them (the real ones are drawn at insert). */
function checkColumns(schema: CollectionSchema, rows: RowObject[], first: number): void {
  const pk = primaryField(schema);
  try {
    toColumns(schema, rows, pk.autoId ? rows.map((row, i) => (row[pk.name] === undefined ? first + i : undefined)) : null);
  } catch (e) {
    if (e instanceof NuthatchError) throw new ValidationError(`rows ${first}..${first + rows.length - 1}: ${e.message}`, e.info);
    throw e;
  }
}
