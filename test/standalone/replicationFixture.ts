import { tempStandalone, vectors } from './harness.js';

/** What the replication tests write: a small tagged collection with a FLAT index, and rows of a tag. */
export const DIM = 4;
export const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
export const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT' as const, params: {} }];
export const rows = (from: number, n: number, tag: string) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, tag, vec }));
export type System = Awaited<ReturnType<typeof tempStandalone>>;
