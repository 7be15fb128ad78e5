import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, given, ok } from './spec.js';
import { at, liveCollection, m, schema } from './fixtures.js';
import { newMessage } from '../../messages/types.js';

const live = liveCollection();

test('CreateIndex names a field of the schema', () => {
  given(live).when(m.createIndex(10, 'idx', 'nope')).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  const v = vchannelView(accepted(given(live).when(m.createIndex(10, 'idx', 'vec')).then(ok)));
  assert.equal(v.indexes.map((i) => [i.indexName, i.fieldName, i.indexType]), [['idx', 'vec', 'HNSW']]);
});

test('a JSON path index names a key of the dynamic field, which the schema does not list; without dynamic fields it is refused', () => {
  const pathIndex = (ms: number) => at(ms, newMessage('CreateIndex', live[0]!.header.vchannel, { collectionId: 100, index: { indexName: 'color', fieldName: 'color', indexType: 'INVERTED', params: { json_path: 'color', json_cast_type: 'VARCHAR' } } }));
  const dynamic = [m.createCollection(1, undefined, { ...schema, enableDynamicField: true }), ...live.slice(1)];
  given(dynamic).when(pathIndex(10)).then(ok);
  given(live).when(pathIndex(10)).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  given(dynamic).when(m.createIndex(10, 'idx', 'color')).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
});

test('index names are unique', () => {
  given([...live, m.createIndex(10, 'idx')]).when(m.createIndex(11, 'idx', 'tag')).then(Invariant.IndexAlreadyExists, 'IndexExists');
});

test('DropIndex needs the index', () => {
  given(live).when(m.dropIndex(10, 'idx')).then(Invariant.IndexMustExist, 'IndexNotFound');
  given([...live, m.createIndex(10, 'idx'), m.dropIndex(11, 'idx')]).when(m.dropIndex(12, 'idx')).then(Invariant.IndexMustExist);
  given([...live, m.createIndex(10, 'idx'), m.dropIndex(11, 'idx')]).when(m.createIndex(12, 'idx')).then(ok);
});

test('index names that shadow Object.prototype members are ordinary names', () => {
  given(live).when(m.dropIndex(10, 'constructor')).then(Invariant.IndexMustExist);
  given(live).when(m.createIndex(10, 'constructor')).then(ok);
  given([...live, m.createIndex(10, '__proto__')]).when(m.createIndex(11, '__proto__')).then(Invariant.IndexAlreadyExists);
});

test.run();
