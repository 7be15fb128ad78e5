/**
 * Query aggregation's pure parts: which output fields make a query an
 * aggregation (messages/queryAggregation.ts) and the answer made from merged
 * buckets (actors/shared/aggregation/queryAnswer.ts). No servers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregatedRows } from '../../actors/shared/aggregation/queryAnswer.js';
import { BucketFold } from '../../actors/shared/aggregation/bucketFold.js';
import { decodeValue, encodeValue } from '../../messages/valueCodec.js';
import { aggregateCall, isCountOnly, MAX_QUERY_GROUPS, queryAggregation, type PackedBuckets } from '../../messages/queryAggregation.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'tag', dataType: 'VarChar', maxLength: 8, nullable: true },
    { name: 'n', dataType: 'Int32' },
    { name: 'at', dataType: 'Timestamptz' },
  ],
};

test('output fields name aggregates in any case and spacing; plain reads are no aggregation', () => {
  assert.equal(aggregateCall(' Count( * ) '), { op: 'count', field: '*' });
  assert.equal(aggregateCall('MAX(n)'), { op: 'max', field: 'n' });
  assert.is(aggregateCall('n'), null);
  assert.is(aggregateCall('median(n)'), null);
  assert.is(queryAggregation(schema, ['tag', 'n']), null);
  assert.is(queryAggregation(schema, undefined, []), null);
  assert.ok(isCountOnly(queryAggregation(schema, ['count(*)'])!));
  assert.not.ok(isCountOnly(queryAggregation(schema, ['count(*)'], ['tag'])!));
  assert.equal(queryAggregation(schema, ['count(*)', 'COUNT(*)', 'tag'], ['tag'])!.outputs.map((o) => o.name), ['count(*)', 'tag'], 'one column per aggregate');
  assert.equal(queryAggregation(schema, [], ['tag', 'n'])!.outputs.map((o) => o.name), ['tag', 'n'], 'grouping alone shows the groups');
});

test('the answer: groups in key order with nulls last, paged; one row over no rows without groups; instants as text', () => {
  // Two parts (columns, one with a sparse tag column), as two shards send them.
  const parts = [
    { pks: [1, 2], vectors: new Float32Array(4), fields: { tag: ['b'], n: [3, 1], at: [1_000_000, 5_000_000] } },
    { pks: [3, 4], vectors: new Float32Array(4), fields: { tag: ['a', 'b'], n: [2, 7], at: [2_000_000, 3_000_000] } },
  ];
  const agg = queryAggregation(schema, ['tag', 'count(*)', 'sum(n)', 'avg(n)', 'min(at)', 'max(tag)'], ['tag'])!;
  // Each part folded where it is, sent as columns and merged by the client's fold.
  const client = new BucketFold(agg.level, 'id');
  for (const p of parts) {
    const fold = new BucketFold(agg.level, 'id'), add = fold.adder(p);
    for (let row = 0; row < p.pks.length; row++) add(row);
    client.addPacked(decodeValue(encodeValue(fold.packed())) as unknown as PackedBuckets);
  }
  const merged = client.all();
  const all = aggregatedRows(merged, agg, schema, 'UTC', 0, 0);
  assert.equal(all, [
    { tag: 'a', 'count(*)': 1, 'sum(n)': 2, 'avg(n)': 2, 'min(at)': '1970-01-01T00:00:02Z', 'max(tag)': 'a' },
    { tag: 'b', 'count(*)': 2, 'sum(n)': 10, 'avg(n)': 5, 'min(at)': '1970-01-01T00:00:01Z', 'max(tag)': 'b' },
    { tag: null, 'count(*)': 1, 'sum(n)': 1, 'avg(n)': 1, 'min(at)': '1970-01-01T00:00:05Z', 'max(tag)': null },
  ]);
  assert.equal(aggregatedRows(merged, agg, schema, 'UTC', 1, 1), [all[1]]);
  // Ordered by output columns: instants as instants, nulls last either way, ties in key order.
  const byAt = queryAggregation(schema, ['tag', 'count(*)', 'sum(n)', 'avg(n)', 'min(at)', 'max(tag)'], ['tag'], [{ field: 'MIN( at )', desc: true }])!;
  assert.equal(aggregatedRows(merged, byAt, schema, 'UTC', 0, 0), [all[2], all[0], all[1]]);
  const byMax = queryAggregation(schema, ['tag', 'count(*)', 'sum(n)', 'avg(n)', 'min(at)', 'max(tag)'], ['tag'], [{ field: 'max(tag)', desc: true }, { field: 'count(*)', desc: false }])!;
  assert.equal(aggregatedRows(merged, byMax, schema, 'UTC', 0, 0).map((r) => r.tag), ['b', 'a', null]);
  const global = queryAggregation(schema, ['count(*)', 'count(tag)', 'sum(n)', 'min(tag)'])!;
  assert.equal(aggregatedRows([], global, schema, 'UTC', 0, 0), [{ 'count(*)': 0, 'count(tag)': 0, 'sum(n)': null, 'min(tag)': null }]);
  assert.equal(aggregatedRows([], agg, schema, 'UTC', 0, 0), [], 'no groups over no rows');
  // Columns that do not fit the query are refused, not misread.
  const packed = new BucketFold(agg.level, 'id').packed();
  assert.throws(() => client.addPacked({ ...packed, counts: [1] }), /columns do not fit/);
  assert.throws(() => client.addPacked({ ...packed, metrics: 2 }), /columns do not fit/);
});

test('a query making more groups than MAX_QUERY_GROUPS is refused where they are made', () => {
  const agg = queryAggregation(schema, ['n', 'count(*)'], ['n'])!;
  const rows = MAX_QUERY_GROUPS + 1;
  const part = { pks: Array.from({ length: rows }, (_, i) => i), vectors: new Float32Array(0), fields: { n: Array.from({ length: rows }, (_, i) => i) } };
  const fold = new BucketFold(agg.level, 'id'), add = fold.adder(part);
  for (let row = 0; row < MAX_QUERY_GROUPS; row++) add(row);
  assert.is(fold.all().length, MAX_QUERY_GROUPS, 'up to the cap');
  assert.throws(() => add(MAX_QUERY_GROUPS), (e: Error) => e instanceof ValidationError && /at most 100000 groups/.test(e.message));
  add(0);
  assert.is(fold.all()[0]!.count, 2, 'a group already made is still counted');
});

test.run();
