import type { WarmupProperties } from '../../../messages/collectionProperties.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { FieldSchema } from '../../../messages/schema.js';
import { isVectorType } from '../../../messages/schemaFields.js';
import type { TieredStorageConfig, Warmup } from './tieredStorageConfig.js';

/** One index a segment has, as warm-up sees it. */
export interface WarmupIndex { fieldName: string; scalar: boolean; params: Readonly<Record<string, unknown>> }

/**
 * What a tiered-storage load fetches before the segment serves (pure), Milvus
 * 2.6.11's levels from the most particular:
 *
 * - an index: its own `warmup` param, then its field's `warmup`, then the
 *   collection's `warmup.scalarIndex` / `warmup.vectorIndex` property, then the
 *   node's `warmup.*` setting;
 * - a field's data: its own `warmup`, then the collection's `warmup.scalarField`
 *   / `warmup.vectorField`, then the node's.
 *
 * A field's `warmup` thus covers its data and its indexes (an index's own param
 * still wins for the index). The data of a segment is one file holding every
 * column, so it is fetched when any column it holds (`columns`, absent: all)
 * comes out `sync`: a field set to `disable` is cold only when every other
 * column loaded is too.
 */
export function warmupOf(node: TieredStorageConfig['warmup'], coll: Pick<CollectionRecord, 'schema' | keyof WarmupProperties>, indexes: readonly WarmupIndex[], columns?: readonly string[]): { data: boolean; indexes: boolean[] } {
  const fields = coll.schema.fields.filter((f) => !columns || columns.includes(f.name));
  const data = fields.some((f) => fieldWarmup(node, coll, f) === 'sync');
  return { data, indexes: indexes.map((ix) => indexWarmupOf(node, coll, ix) === 'sync') };
}

/** A field's data: its own warm-up, else the collection's for its kind, else the node's. */
export function fieldWarmup(node: TieredStorageConfig['warmup'], coll: WarmupProperties, f: Pick<FieldSchema, 'dataType' | 'warmup'>): Warmup {
  if (f.warmup !== undefined) return f.warmup;
  return isVectorType(f.dataType) ? coll.warmupVectorField ?? node.vectorField : coll.warmupScalarField ?? node.scalarField;
}

/** An index: its own param, else its field's warm-up, else the collection's for its kind, else the node's. */
export function indexWarmupOf(node: TieredStorageConfig['warmup'], coll: Pick<CollectionRecord, 'schema' | keyof WarmupProperties>, ix: WarmupIndex): Warmup {
  const own = indexWarmup(ix.params) ?? coll.schema.fields.find((f) => f.name === ix.fieldName)?.warmup;
  return own ?? (ix.scalar ? coll.warmupScalarIndex ?? node.scalarIndex : coll.warmupVectorIndex ?? node.vectorIndex);
}

/** An index's own `warmup` param (Milvus 2.6.11's index-level warm-up), when it has one. */
export function indexWarmup(params: Readonly<Record<string, unknown>>): Warmup | undefined {
  const w = params.warmup;
  return w === 'sync' || w === 'disable' ? w : undefined;
}
