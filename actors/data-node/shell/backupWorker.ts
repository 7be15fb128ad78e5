import { NuthatchError, type ErrorCodeName } from '../../../messages/errors.js';
import { backupMetaKey, backupPrefix, KEY_PARTITIONS, type BackupCollectionMeta, type BackupMeta } from '../../../messages/rpc/backup.js';
import type { BackupWorkerProtocol } from '../../../messages/rpc/backupWorker.js';
import { LIMITS, type CollectionSchema, type MetricType, type PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import type { Bus } from '../../../runtime/ports/bus.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { NuthatchClient } from '../../../runtime/client/client.js';

import type { CreateCollectionRequest } from '../../../runtime/client/api.js';
import { backupRowOf, restoredAutoId } from './backupRows.js';

type Handlers = { [K in keyof BackupWorkerProtocol]: (req: BackupWorkerProtocol[K]['req']) => Promise<BackupWorkerProtocol[K]['res']> };

/**
 * A data node's part of backup and restore (coordinator/shell/backupJobsShell.ts).
 * It reads and writes through the client, as any user would: a page of a
 * backup is a query iterator's page at the backup's TSO, written as a bulk
 * import file; a restore makes the collection with the client's DDL.
 */
export class BackupWorker {
  private client?: NuthatchClient;

  constructor(private readonly bus: Bus, private readonly objects: ObjectStore) {}

  handlers(): Handlers {
    return {
      describeForBackup: ({ dbName, collection, backupName }) => this.describe(dbName, collection, backupName),
      exportBackupRows: (r) => this.exportRows(r),
      writeBackupMeta: async ({ meta }) => { await this.objects.put(backupMetaKey(meta.backupName), new TextEncoder().encode(JSON.stringify(meta, null, 1))); return null; },
      dropBackupFiles: ({ backupName }) => this.drop(backupName),
      readBackupMeta: ({ backupName }) => this.readMeta(backupName),
      createFromBackup: (r) => this.createFrom(r),
      loadRestored: async ({ dbName, collection }) => { await this.api(dbName).loadCollection(collection); return null; },
      releaseCollection: async ({ dbName, collection }) => { await this.api(dbName).releaseCollection(collection); return null; },
    };
  }

  private async describe(dbName: string, collection: string, backupName: string): Promise<{ collection: BackupCollectionMeta; partitions: string[]; rows: number }> {
    // A backup this meta store does not know (made by another cluster on the same bucket) is not overwritten.
    if ((await this.objects.list(backupPrefix(backupName), { limit: 1 })).length > 0) throw new NuthatchError('BackupExists', `object storage holds files of a backup named '${backupName}'`, { backupName });
    const api = this.api(dbName);
    const d = await api.describeCollection(collection);
    // Still loading (its segments reloading after a restart, a load in flight): a retryable refusal, so the job's step waits for it.
    if (d.loadState === 'LoadStateLoading') throw new NuthatchError('Unavailable', `collection '${collection}' is still loading; its backup waits for the load`, { collection });
    if (d.loadState !== 'LoadStateLoaded') throw new NuthatchError('CollectionNotLoaded', `collection '${collection}' must be loaded to be backed up (a backup reads it as a query does)`, { collection });
    const partitionKey = d.schema.fields.some((f) => f.isPartitionKey === true);
    const meta: BackupCollectionMeta = {
      dbName: d.dbName, collectionName: d.collectionName, schema: d.schema, metricType: d.metricType, shardsNum: d.shardsNum,
      consistencyLevel: d.consistencyLevel, numPartitions: d.numPartitions, partitionKey,
      properties: Object.fromEntries(d.properties.map((p) => [p.key, p.value])), indexes: d.indexes, loaded: true,
    };
    const rows = (await api.getCollectionStats(collection)).rowCount;
    return { collection: meta, partitions: partitionKey ? [KEY_PARTITIONS] : d.partitions.map((p) => p.name), rows };
  }

  private async exportRows(r: { dbName: string; collection: string; partitionName: string; tso: Tso; after?: PrimaryKey | null; maxRows: number; key: string }): Promise<{ rows: number; last?: PrimaryKey }> {
    if (!Number.isInteger(r.maxRows) || r.maxRows < 1 || r.maxRows > LIMITS.maxTopK) throw new NuthatchError('InvalidArgument', `maxRows must be an integer in 1..${LIMITS.maxTopK}`);
    if (!r.key.startsWith('backups/') || !r.key.endsWith('.json')) throw new NuthatchError('InvalidArgument', `'${r.key}' is not a backup file`);
    const api = this.api(r.dbName);
    const schema = (await api.describeCollection(r.collection)).schema;
    const it = await api.queryIterator(r.collection, {
      batchSize: r.maxRows, limit: r.maxRows, outputFields: ['*'], ...(isKeyed(schema) ? {} : { partitionNames: [r.partitionName] }),
      resume: { snapshotTso: r.tso, returned: 0, ...(r.after === undefined || r.after === null ? {} : { after: r.after }) },
    });
    let page;
    try { page = await it.next(); } finally { it.close(); }
    if (page.length === 0) return { rows: 0 };
    const rows = page.map((row) => backupRowOf(schema, row));
    await this.objects.put(r.key, new TextEncoder().encode(JSON.stringify(rows)));
    const pk = schema.fields.find((f) => f.isPrimary)!.name;
    return { rows: rows.length, last: page[page.length - 1]![pk] as PrimaryKey };
  }

  private async drop(backupName: string): Promise<{ removed: number }> {
    const keys = (await this.objects.list(backupPrefix(backupName))).map((o) => o.key);
    // meta.json last: a drop cut short leaves a backup that still says what it held.
    const meta = backupMetaKey(backupName);
    for (const k of keys) if (k !== meta) await this.objects.delete(k);
    if (keys.includes(meta)) await this.objects.delete(meta);
    return { removed: keys.length };
  }

  private async readMeta(backupName: string): Promise<BackupMeta> {
    const bytes = await this.objects.get(backupMetaKey(backupName));
    if (!bytes) throw new NuthatchError('NotFound', `backup '${backupName}' has no meta.json in object storage`, { backupName });
    const meta = JSON.parse(new TextDecoder().decode(bytes)) as BackupMeta;
    if (meta.format !== 'nuthatch-backup' || meta.version !== 1) throw new NuthatchError('InvalidArgument', `backups/${backupName}/meta.json is not a nuthatch backup (version 1)`);
    return meta;
  }

  private async createFrom(r: { backupName: string; dbName: string; collection: string }): Promise<{ files: Array<{ key: string; partitionName?: string }>; load: boolean; autoId?: { through: number; close: boolean } }> {
    const meta = await this.readMeta(r.backupName);
    const c = meta.collection;
    const files = meta.partitions.flatMap((p) => p.files.map((key) => (c.partitionKey ? { key } : { key, partitionName: p.partitionName })));
    const foreign = files.find((f) => !f.key.startsWith(backupPrefix(r.backupName)) || !f.key.endsWith('.json'));
    if (foreign) throw new NuthatchError('InvalidArgument', `backup '${r.backupName}' names a file outside it: '${foreign.key}'`);
    const api = this.api(r.dbName);
    const autoId = restoredAutoId(meta);
    // Made already: this step ran before a restart (the job refused a name in use when it began).
    if (!(await api.listCollections()).includes(r.collection)) {
      const req: CreateCollectionRequest = {
        collectionName: r.collection, schema: c.schema as CollectionSchema, metricType: c.metricType as MetricType,
        shardsNum: c.shardsNum, consistencyLevel: c.consistencyLevel as CreateCollectionRequest['consistencyLevel'],
        properties: autoId ? { ...c.properties, allow_insert_auto_id: 'true' } : c.properties,
        ...(c.partitionKey ? { numPartitions: c.numPartitions } : {}),
      };
      await api.createCollection(req).catch(madeMeanwhile('CollectionExists'));
    }
    if (!c.partitionKey) {
      const have = new Set(await api.listPartitions(r.collection));
      for (const p of meta.partitions) if (!have.has(p.partitionName)) await api.createPartition(r.collection, p.partitionName).catch(madeMeanwhile('PartitionExists'));
    }
    const indexes = new Set(await api.listIndexes(r.collection));
    for (const index of c.indexes as Array<Parameters<NuthatchClient['createIndex']>[1] & { indexName: string }>) {
      if (!indexes.has(index.indexName)) await api.createIndex(r.collection, index).catch(madeMeanwhile('IndexExists'));
    }
    return { files, load: c.loaded, ...(autoId ? { autoId } : {}) };
  }

  /** The client in the job's database. */
  private api(dbName: string): NuthatchClient {
    this.client ??= new NuthatchClient(this.bus);
    return dbName === this.client.dbName ? this.client : this.client.database(dbName);
  }
}

/**
 * A create that another run of the same step made between its look and its
 * create (a node that froze, woke and ran on while another took the step
 * over) is done, as when the look had seen it.
 */
const madeMeanwhile = (code: ErrorCodeName) => (e: unknown): void => { if (!(e instanceof NuthatchError && e.code === code)) throw e; };

const isKeyed = (schema: CollectionSchema): boolean => schema.fields.some((f) => f.isPartitionKey === true);
