import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { searchOptions } from '../../runtime/client/searchOptions.js';

/**
 * DISKANN's search param search_list, as Milvus takes it: an integer in
 * [topk, int32_max] (topk = limit + offset) when the field has a DISKANN
 * index; another index type ignores it, as it ignores every other type's.
 */
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }] };
const opts = (search_list: unknown, limit: number, offset: number | undefined, indexType: string) =>
  searchOptions({ data: [[0, 0]], limit, ...(offset !== undefined ? { offset } : {}), searchParams: { params: { search_list } as Record<string, number> } }, 'L2', schema, indexType);

test('DISKANN: search_list from topk up is passed on', () => {
  assert.is(opts(10, 10, undefined, 'DISKANN').searchList, 10);
  assert.is(opts(25, 20, 5, 'DISKANN').searchList, 25);
  assert.is(opts(2147483647, 1, undefined, 'DISKANN').searchList, 2147483647);
});

test('DISKANN: search_list below topk, not an integer, or past int32 is a ValidationError naming it', () => {
  for (const [v, limit, offset] of [[9, 10, undefined], [24, 20, 5], [16.5, 10, undefined], [0, 1, undefined], [2147483648, 1, undefined], ['32', 1, undefined]] as const) {
    assert.throws(() => opts(v, limit, offset, 'DISKANN'), (e: unknown) => e instanceof ValidationError && (e as ValidationError).info.field === 'search_list', `search_list ${v}, limit ${limit}, offset ${offset}`);
  }
});

test('another index type ignores search_list', () => {
  assert.is(opts(3, 10, undefined, 'HNSW').searchList, undefined);
  assert.is(opts(3, 10, undefined, 'IVF_FLAT').searchList, undefined);
});

test.run();
