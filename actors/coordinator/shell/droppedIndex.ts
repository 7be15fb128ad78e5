import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { removeFiles } from './segmentFlow.js';

/**
 * After an index is dropped, its segments stop naming its files and the files
 * go: an index created again under the same name (perhaps of another type or
 * with other params) is then built afresh rather than served from the old files.
 */
export async function forgetIndexFiles(ctx: CoordinatorContext, collectionId: number, indexName: string): Promise<void> {
  const keys: string[] = [];
  await ctx.lock(async () => {
    for (const seg of ctx.segments.values()) {
      const key = seg.collectionId === collectionId ? seg.indexKeys[indexName] : undefined;
      if (key === undefined) continue;
      keys.push(key);
      const { [indexName]: _dropped, ...rest } = seg.indexKeys;
      seg.indexKeys = rest;
      await putRecord(ctx.opts.meta, Keys.segment(seg.collectionId, seg.segmentId), seg);
    }
  });
  await removeFiles(ctx, keys);
}
