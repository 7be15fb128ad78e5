import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CollectionSchema } from '../../../messages/schema.js';
import { minhashFunctionOf } from '../../../messages/schemaFunctions.js';
import { DEFAULT_MH_ELEMENT_BITS, mhElementBytes } from './minhashDistance.js';

/**
 * The MinHash value width (in bytes) an exact MHJACCARD search of a field
 * reads (pure): the search's mh_element_bit_width when it names one, else
 * the field's index's, else 32 bits (a MINHASH function's values are 32
 * bits, and Milvus's docs advise 32 as the balanced choice). An index
 * search reads the width it was built with.
 */
export function mhElementBytesOfField(rec: Pick<CollectionRecord, 'indexes'> & { schema?: CollectionSchema }, fieldName: string, asked?: number): number {
  if (asked !== undefined) return mhElementBytes(asked);
  const own = rec.indexes.find((i) => i.fieldName === fieldName)?.params.mh_element_bit_width;
  if (own !== undefined) return mhElementBytes(Number(own));
  if (rec.schema && minhashFunctionOf(rec.schema, fieldName)) return 4;
  return DEFAULT_MH_ELEMENT_BITS / 8;
}
