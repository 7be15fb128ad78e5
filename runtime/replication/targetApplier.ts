/**
 * Applies the replicator core's operations (actors/replicator/core/targetOps.ts)
 * on the target through its client: writes as WAL appends with the operation's
 * append id (the target's dedup makes a replayed one a no-op), DDL through the
 * client's DDL calls, each made idempotent ("if absent" / "if present") so a
 * DDL applied again after a crash before its checkpoint changes nothing.
 */
import { ValidationError } from '../../messages/errors.js';
import { newMessage, type AnyMessage } from '../../messages/types.js';
import type { TargetOp, WriteOp } from '../../actors/replicator/core/targetOps.js';
import type { FieldParams } from '../../messages/alteredField.js';
import type { NuthatchClient } from '../client/client.js';

/** The target collection as the applier addresses it. */
interface Binding { collectionId: number; vchannels: string[]; partitions: Map<string, number>; fields: Set<string>; functions: Set<string>; indexes: Set<string> }

export class TargetApplier {
  private binding: Binding | null = null;

  /**
   * `sourceProperties`: the source collection's properties, copied onto the
   * target when the replicator creates it (only the TTL travels in the WAL).
   */
  constructor(private readonly client: NuthatchClient, readonly collection: string, private readonly sourceProperties: () => Promise<Record<string, string>>) {}

  /** Reads the target collection's ids (when it exists). */
  async bind(): Promise<boolean> {
    if (!(await this.client.hasCollection(this.collection))) { this.binding = null; return false; }
    const d = await this.client.describeCollection(this.collection);
    this.binding = {
      collectionId: d.collectionId, vchannels: d.vchannels,
      partitions: new Map(d.partitions.map((p) => [p.name, p.id])),
      fields: new Set(d.schema.fields.map((f) => f.name)),
      functions: new Set((d.schema.functions ?? []).map((f) => f.name)),
      indexes: new Set(d.indexes.map((i) => i.indexName)),
    };
    return true;
  }

  async apply(op: TargetOp): Promise<void> {
    const c = this.client, name = this.collection;
    switch (op.kind) {
      case 'insert': case 'delete': await this.write(op.shard, [op], op.appendId); return;
      case 'txn': await this.write(op.shard, op.writes, op.appendId); return;
      case 'createCollection': {
        const b = op.body;
        if (await this.bind()) {
          if (this.binding!.vchannels.length !== b.shards) throw new ValidationError(`target collection '${name}' has ${this.binding!.vchannels.length} shards, the source ${b.shards}: rows would land on other shards than their keys route to`);
        } else {
          const keyed = b.schema.fields.some((f) => f.isPartitionKey === true);
          // The TTL as the WAL had it at the create (later AlterCollections follow): the source's current
          // TTL keys could clash with it (collection.ttl.seconds and ttl_field are mutually exclusive).
          const { 'collection.ttl.seconds': _s, ttl_field: _f, ...rest } = await this.sourceProperties();
          const properties = { ...(b.ttlSeconds ? { 'collection.ttl.seconds': b.ttlSeconds } : {}), ...(b.ttlField ? { ttl_field: b.ttlField } : {}), ...rest };
          await c.createCollection({
            collectionName: name, schema: b.schema, metricType: b.metricType, shardsNum: b.shards,
            consistencyLevel: b.consistencyLevel as never, ...(keyed ? { numPartitions: b.partitions.length } : {}),
            ...(Object.keys(properties).length > 0 ? { properties } : {}),
          });
        }
        break;
      }
      case 'createPartition': if (!(await c.hasPartition(name, op.name))) await c.createPartition(name, op.name); break;
      case 'dropPartition':
        if (await c.hasPartition(name, op.name)) {
          // As on the source, where it was released before its drop.
          await c.releasePartitions(name, [op.name]).catch(() => {});
          await c.dropPartition(name, op.name);
        }
        break;
      case 'truncate': await c.truncateCollection(name); break;
      case 'addField': if (!this.need().fields.has(op.field.name)) await c.addCollectionField(name, op.field); break;
      case 'alterField': await c.alterCollectionField({ collectionName: name, fieldName: op.fieldName, fieldParams: milvusFieldParams(op.params) }); break;
      case 'dropField': if (this.need().fields.has(op.fieldName)) await c.dropCollectionField({ collectionName: name, fieldName: op.fieldName }); break;
      // Rows carry the outputs the source computed; the target's schema holds the function so its searches read them so.
      case 'addFunction': if (!this.need().functions.has(op.function.name)) await c.addCollectionFunction({ collectionName: name, function: op.function }); break;
      case 'alterFunction': await c.alterCollectionFunction({ collectionName: name, function: op.function }); break;
      case 'dropFunction': if (this.need().functions.has(op.functionName)) await c.dropCollectionFunction({ collectionName: name, functionName: op.functionName }); break;
      case 'alterTtl':
        // The mode left goes first: the two TTL modes are mutually exclusive (a drop of an unset key changes nothing).
        if (op.ttlField) {
          await c.dropCollectionProperties(name, ['collection.ttl.seconds']);
          await c.alterCollectionProperties(name, { ttl_field: op.ttlField });
        } else {
          await c.dropCollectionProperties(name, ['ttl_field']);
          await c.alterCollectionProperties(name, { 'collection.ttl.seconds': op.ttlSeconds });
        }
        break;
      case 'createIndex': if (!this.need().indexes.has(op.index.indexName)) await c.createIndex(name, op.index); break;
      case 'dropIndex': if (this.need().indexes.has(op.indexName)) await c.dropIndex(name, op.indexName); break;
      case 'sourceDropped': return;
    }
    await this.bind();
  }

  private need(): Binding {
    if (!this.binding) throw new ValidationError(`target collection '${this.collection}' does not exist (its creation was not replicated)`);
    return this.binding;
  }

  private async write(shard: number, writes: WriteOp[], appendId: string): Promise<void> {
    const b = this.need(), vchannel = b.vchannels[shard]!;
    const partitionId = (p: string): number => {
      const id = b.partitions.get(p);
      if (id === undefined) throw new ValidationError(`target collection '${this.collection}' has no partition '${p}'`);
      return id;
    };
    const messages: AnyMessage[] = writes.map((w) => w.kind === 'insert'
      ? newMessage('Insert', vchannel, { collectionId: b.collectionId, partitionId: partitionId(w.partition), segmentId: -1, rows: w.rows })
      : newMessage('Delete', vchannel, { collectionId: b.collectionId, partitionId: w.partition === null ? -1 : partitionId(w.partition), pks: w.pks }));
    await this.client.appendWal(vchannel, messages, appendId);
  }
}

/** A WAL message's field params by Milvus's names, as the client takes them (an alter already applied changes nothing). */
function milvusFieldParams(p: FieldParams): Record<string, number> {
  return { ...(p.maxLength !== undefined ? { max_length: p.maxLength } : {}), ...(p.maxCapacity !== undefined ? { max_capacity: p.maxCapacity } : {}) };
}
