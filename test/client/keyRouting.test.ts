/**
 * The client routes and prunes as Milvus's proxy does: in a partition-key
 * collection each row goes to its key's partition, a read covers the
 * partitions its filter pins (all when it pins none), and partition names are
 * refused; a plain collection keeps named partitions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { checkFilter, parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema, Rows } from '../../messages/schema.js';
import { routeKey } from '../../actors/shared/partitionKey/keyPartitions.js';
import { readPartitions, writePartitions } from '../../runtime/client/keyRouting.js';

const base: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 1 }, { name: 'org', dataType: 'Int64' }] };
const keyed = { name: 'k', schema: { fields: base.fields.map((f) => (f.name === 'org' ? { ...f, isPartitionKey: true } : f)) }, partitions: [20, 21, 22].map((id, i) => ({ id, name: `_default_${i}` })) };
const plain = { name: 'p', schema: base, partitions: [{ id: 5, name: '_default' }, { id: 6, name: 'archive' }] };
const IDS = [20, 21, 22];
const rows = (orgs: number[]): Rows => ({ count: orgs.length, pks: orgs.map((_, i) => i), vectors: new Float32Array(orgs.length), fields: { org: orgs } });
const filter = (text: string) => checkFilter(parseFilter(text), keyed.schema).expr;
const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };

test('a write to a partition-key collection is grouped by each row\'s key partition', () => {
  const orgs = [1, 2, 3, 1, 2, 3, 40];
  const groups = writePartitions(keyed, rows(orgs));
  assert.equal(groups.flatMap(([, r]) => r).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  for (const [id, r] of groups) for (const row of r) assert.is(id, routeKey(orgs[row]!, IDS));
});

test('a plain collection writes to the named partition, or _default', () => {
  assert.equal(writePartitions(plain, rows([1, 2])), [[5, [0, 1]]]);
  assert.equal(writePartitions(plain, rows([1])), [[5, [0]]]);
  assert.equal(writePartitions(plain, rows([1]), 'archive'), [[6, [0]]]);
  assert.is(code(() => writePartitions(plain, rows([1]), 'nope')), 'PartitionNotFound');
});

test('reads of a partition-key collection cover the pinned partitions, or all', () => {
  assert.equal(readPartitions(keyed, filter('org == 40 and id > 3'), undefined), [routeKey(40, IDS)]);
  assert.equal(readPartitions(keyed, filter('org in [1, 2, 3]'), []), [...new Set([1, 2, 3].map((o) => routeKey(o, IDS)))].sort());
  assert.is(readPartitions(keyed, filter('org > 1'), undefined), null);
  assert.is(readPartitions(keyed, null, undefined), null);
  assert.equal(readPartitions(plain, null, ['archive']), [6]);
  assert.is(readPartitions(plain, null, undefined), null);
});

test('partition names are refused on a partition-key collection, for writes and reads', () => {
  assert.is(code(() => writePartitions(keyed, rows([1]), '_default_0')), 'InvalidArgument');
  assert.is(code(() => readPartitions(keyed, null, ['_default_0'])), 'InvalidArgument');
  assert.is(code(() => writePartitions(keyed, rows([1]), '')), 'ok', 'an empty name is no name');
});

test.run();
