import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePks, firstOnPage, pkOrder, rowsOnPage } from '../../actors/shared/segment/pkOrder.js';
import { querySealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { evolveShard, newShard } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing, type GrowingRead } from '../../actors/streaming-node/core/growingSearch.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema, PrimaryKey } from '../../messages/schema.js';
import { newMessage, tsoOf } from '../../messages/types.js';
import { mulberry32 } from '../../bench/support/dataset.js';

/**
 * Reads in primary-key order from a cursor: a page is the `limit` smallest keys
 * above `after`, whichever segment or chunk holds them, and paging from the
 * last key of each page visits every visible row exactly once.
 */
const rand = mulberry32(7);
const noTso = () => 0n;
const shuffled = <T>(xs: T[]) => { const a = [...xs]; for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; } return a; };

test('pkOrder sorts a column by key (numbers numerically, strings by code unit) and is memoized per column', () => {
  const ints = [30, -2, 7, 100, 0];
  assert.equal(Array.from(pkOrder(ints)).map((r) => ints[r]), [-2, 0, 7, 30, 100]);
  const strs = ['b', 'B', 'a10', 'a9', ''];
  assert.equal(Array.from(pkOrder(strs)).map((r) => strs[r]), ['', 'B', 'a10', 'a9', 'b']);
  assert.is(pkOrder(ints), pkOrder(ints));
});

test('rowsOnPage: keys above the cursor, accepted ones only, at most the limit, in key order', () => {
  const pks = shuffled(Array.from({ length: 50 }, (_, i) => i * 2));
  const keys = (rows: number[]) => rows.map((r) => pks[r]);
  assert.equal(keys(rowsOnPage(pks, { limit: 3 }, undefined, noTso)), [0, 2, 4]);
  assert.equal(keys(rowsOnPage(pks, { after: 10, limit: 3 }, undefined, noTso)), [12, 14, 16]);
  assert.equal(keys(rowsOnPage(pks, { after: 11, limit: 3 }, undefined, noTso)), [12, 14, 16], 'a cursor between keys');
  assert.equal(keys(rowsOnPage(pks, { after: -5, limit: 2 }, undefined, noTso)), [0, 2]);
  assert.equal(keys(rowsOnPage(pks, { after: 98, limit: 3 }, undefined, noTso)), []);
  assert.equal(keys(rowsOnPage(pks, { after: 90, limit: 0 }, undefined, noTso)), [92, 94, 96, 98], 'limit 0: every key above');
  assert.equal(keys(rowsOnPage(pks, { after: 10, limit: 3 }, (r) => pks[r]! % 4 === 0, noTso)), [12, 16, 20]);
  assert.equal(keys(rowsOnPage(pks, { limit: 0 }, undefined, noTso)).length, 50, 'no cursor and no limit: every row');
});

test('paging any mix of sources from the last key of each page gives each key once, in order', () => {
  for (const strings of [false, true]) {
    const all = Array.from({ length: 400 }, (_, i) => (strings ? `k${i}` : i * 3 - 200));
    const sources = [all.slice(0, 150), all.slice(150, 151), [], all.slice(151)].map((s) => shuffled(s as PrimaryKey[]));
    for (const limit of [1, 7, 64, 1000]) {
      const seen: PrimaryKey[] = [];
      let after: PrimaryKey | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const found = sources.flatMap((pks) => rowsOnPage(pks, after === undefined ? { limit } : { after, limit }, undefined, noTso).map((r) => ({ pk: pks[r]! })));
        const page = firstOnPage(found, limit);
        assert.ok(page.length <= limit);
        if (page.length === 0) break;
        seen.push(...page.map((x) => x.pk));
        after = page[page.length - 1]!.pk;
      }
      assert.equal(seen, [...all].sort(comparePks), `strings ${strings}, limit ${limit}`);
    }
  }
});

const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'n', dataType: 'Int64' }] };

function segment(id: number, pks: number[], tso: bigint): SealedSegment {
  return { segmentId: id, collectionId: 1, partitionId: 0, vchannel: 'v', count: pks.length, dim: 2, pks, tsos: pks.map(() => tso), vectors: new Float32Array(pks.length * 2), fields: { n: pks.map((k) => k % 5) } };
}

test('querySealed: a page across segments, deletes and insert TSOs applied, output fields of the page only', () => {
  const a = segment(1, shuffled(Array.from({ length: 100 }, (_, i) => i * 2)), 5n);
  const b = segment(2, shuffled(Array.from({ length: 100 }, (_, i) => i * 2 + 1)), 5n);
  const late = segment(3, [1000, -1], 50n);
  const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: compileFilter(parseFilter('n != 0'), schema), partitionIds: null, readTso: 10n, outputFields: ['n'], deletes: new Map([[11, [8n]], [13, [20n]]]) };
  const page = querySealed([a, b, late].map((seg) => ({ seg })), read, false, { after: 8, limit: 5 });
  // 10 and 15 fail the filter (n == 0), 11 was deleted before the read, 13 after it; 1000 and -1 came after the read.
  assert.equal(page.rows.map((r) => r.pk), [9, 12, 13, 14, 16]);
  assert.equal(page.rows.map((r) => r.fields.n), [4, 2, 3, 4, 1]);
  assert.is(page.count, 5);
  assert.is(querySealed([a, b, late].map((seg) => ({ seg })), read, true, { after: 8, limit: 5 }).count, 200 - 40 - 1, 'a count ignores the page');
});

test('queryGrowing: a page across chunks of growing segments, as of the read TSO', () => {
  const V = 'dml_0_1v0';
  const s = newShard(V, 1);
  let pos = 0;
  const at = <M extends ReturnType<typeof newMessage>>(m: M, ms: number): M => { m.header.tso = tsoOf(ms); m.header.walPosition = pos++; return m; };
  const rows = (ids: number[]) => ({ count: ids.length, pks: ids, vectors: new Float32Array(ids.length * 2), fields: { n: ids.map((k) => k * 10) } });
  evolveShard(s, at(newMessage('CreateSegment', V, { collectionId: 1, partitionId: 2, segmentId: 3 }), 1));
  evolveShard(s, at(newMessage('Insert', V, { collectionId: 1, partitionId: 2, segmentId: 3, rows: rows([9, 3, 7]) }), 2));
  evolveShard(s, at(newMessage('Insert', V, { collectionId: 1, partitionId: 2, segmentId: 3, rows: rows([4, 8, 1]) }), 3));
  evolveShard(s, at(newMessage('Delete', V, { collectionId: 1, partitionId: -1, pks: [7] }), 4));
  evolveShard(s, at(newMessage('Insert', V, { collectionId: 1, partitionId: 2, segmentId: 3, rows: rows([5, 6]) }), 9));
  const read: GrowingRead = { pkName: 'id', vectorName: 'v', dim: 2, filter: null, partitionIds: null, readTso: tsoOf(5), outputFields: ['n'] };
  const page = (after: number | undefined, limit: number) => queryGrowing(s, read, false, after === undefined ? { limit } : { after, limit }).rows;
  assert.equal(page(undefined, 3).map((r) => r.pk), [1, 3, 4]);
  assert.equal(page(4, 3).map((r) => r.pk), [8, 9], '7 was deleted, 5 and 6 came after the read');
  assert.equal(page(4, 3).map((r) => r.fields.n), [80, 90]);
});

test.run();
