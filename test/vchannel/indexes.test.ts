import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, given, ok } from './spec.js';
import { liveCollection, m } from './fixtures.js';

const live = liveCollection();

test('CreateIndex names a field of the schema', () => {
  given(live).when(m.createIndex(10, 'idx', 'nope')).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  const v = vchannelView(accepted(given(live).when(m.createIndex(10, 'idx', 'vec')).then(ok)));
  assert.equal(v.indexes.map((i) => [i.indexName, i.fieldName, i.indexType]), [['idx', 'vec', 'HNSW']]);
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
