/**
 * Where a segment's files lie in object storage. Every file of a collection
 * lies under its prefix (so a purge is one listing). A compacted segment's data
 * and indexes get new keys, named after the compaction's TSO: query nodes
 * still loading the old files find them until the switch is complete.
 */
export const collectionFilesPrefix = (collectionId: number) => `segments/${collectionId}/`;

export const segmentDataKey = (collectionId: number, segmentId: number) => `segments/${collectionId}/${segmentId}/data.seg`;

export const compactedDataKey = (collectionId: number, segmentId: number, untilTso: bigint) => `segments/${collectionId}/${segmentId}/data-${untilTso}.seg`;

/**
 * The key of an index built from the data at `dataKey`: beside it, with the
 * data's version, and a suffix naming its type (an index dropped and created
 * again as another type never shares a file with the old one).
 */
const extOf = (indexType: string): string => (indexType === 'HNSW' ? 'hnsw' : indexType.toLowerCase());

/** Whether an index file key is one indexKeyOf made for an index of this name and type. */
export function keyFitsIndex(key: string, index: { indexName: string; indexType: string }): boolean {
  return key.endsWith(`.${extOf(index.indexType)}`) && key.includes(`index-${index.indexName}`);
}

export function indexKeyOf(dataKey: string, indexName: string, indexType = 'HNSW'): string {
  const ext = extOf(indexType);
  const m = /^(.*\/)data(-\d+)?\.seg$/.exec(dataKey);
  return m ? `${m[1]}index-${indexName}${m[2] ?? ''}.${ext}` : `${dataKey}.index-${indexName}.${ext}`;
}

/**
 * The key of the shredded JSON sidecar of the data file at `dataKey`
 * (shreddedSidecar.ts): beside it, with the data's version, so a rewritten
 * file never shares a sidecar with the old one. Whatever removes or keeps a
 * data file removes or keeps its sidecar with it.
 */
export function shreddedSidecarKey(dataKey: string): string {
  return dataKey.endsWith('.seg') ? `${dataKey.slice(0, -'.seg'.length)}.shred` : `${dataKey}.shred`;
}

/** The data file a sidecar key belongs to, or undefined for a key that is no sidecar. */
export function dataKeyOfSidecar(key: string): string | undefined {
  return key.endsWith('.shred') ? `${key.slice(0, -'.shred'.length)}.seg` : undefined;
}
