import type { WarmupProperties } from '../../../messages/collectionProperties.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { isVectorType } from '../../../messages/schemaFields.js';
import type { TieredStorageConfig, Warmup } from './tieredStorageConfig.js';

/** One index a segment has, as warm-up sees it. */
export interface WarmupIndex { fieldName: string; scalar: boolean; params: Readonly<Record<string, unknown>> }

/**
 * What a tiered-storage load fetches before the segment serves (pure), Milvus
 * 2.6.11's levels from the most particular: an index's own `warmup` param,
 * then the collection's `warmup.scalarIndex` / `warmup.vectorIndex` property,
 * then the node's `warmup.*` setting; a field's data by the collection's
 * `warmup.scalarField` / `warmup.vectorField`, then the node's. The data of a
 * segment is one file holding every column, so it is fetched when any column
 * it holds (`columns`, absent: all) comes out `sync`.
 */
export function warmupOf(node: TieredStorageConfig['warmup'], coll: Pick<CollectionRecord, 'schema' | keyof WarmupProperties>, indexes: readonly WarmupIndex[], columns?: readonly string[]): { data: boolean; indexes: boolean[] } {
  const p = coll;
  const scalarField = p.warmupScalarField ?? node.scalarField, vectorField = p.warmupVectorField ?? node.vectorField;
  const fields = coll.schema.fields.filter((f) => !columns || columns.includes(f.name));
  const data = fields.some((f) => (isVectorType(f.dataType) ? vectorField : scalarField) === 'sync');
  return {
    data,
    indexes: indexes.map((ix) => (indexWarmup(ix.params) ?? (ix.scalar ? p.warmupScalarIndex ?? node.scalarIndex : p.warmupVectorIndex ?? node.vectorIndex)) === 'sync'),
  };
}

/** An index's own `warmup` param (Milvus 2.6.11's index-level warm-up), when it has one. */
export function indexWarmup(params: Readonly<Record<string, unknown>>): Warmup | undefined {
  const w = params.warmup;
  return w === 'sync' || w === 'disable' ? w : undefined;
}
