/**
 * collections/fields/alter_properties over the REST v2 gateway (Milvus's
 * request shape: collectionName, fieldName, fieldParams): a raised max_length
 * lets a longer value in, describe shows the new max_length, and bad requests
 * are refused with typed codes. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { Code, V2Client, vec } from './support/v2Client.js';

const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 8 } },
  { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 8 } },
  { fieldName: 'nums', dataType: 'Array', elementDataType: 'Int64', elementTypeParams: { max_capacity: 2 } },
];

test('REST: alter a field\'s max_length and max_capacity; describe shows them; refusals', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    const long = { id: 1, vec: vec(1), title: 'longer than eight', nums: [1, 2, 3] };
    await http.fails('/entities/insert', { collectionName: 'c', data: [long] }, /max length|max_capacity/);

    await http.ok('/collections/fields/alter_properties', { collectionName: 'c', fieldName: 'title', fieldParams: { max_length: 32 } });
    await http.ok('/collections/fields/alter_properties', { collectionName: 'c', fieldName: 'nums', fieldParams: { max_capacity: '3' } });
    await http.ok('/entities/insert', { collectionName: 'c', data: [long] });
    const rows = await http.ok('/entities/query', { collectionName: 'c', filter: 'id == 1', outputFields: ['title', 'nums'], consistencyLevel: 'Strong' });
    assert.equal(rows, [{ id: 1, title: 'longer than eight', nums: [1, 2, 3] }]);
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    const params = (name: string) => described.fields.find((f: { name: string }) => f.name === name).params;
    assert.ok(params('title').some((p: { key: string; value: string }) => p.key === 'max_length' && p.value === '32'), JSON.stringify(params('title')));
    assert.ok(params('nums').some((p: { key: string; value: string }) => p.key === 'max_capacity' && p.value === '3'), JSON.stringify(params('nums')));

    const alter = (body: object) => ({ collectionName: 'c', fieldName: 'title', ...body });
    await http.fails('/collections/fields/alter_properties', alter({ fieldParams: { 'mmap.enabled': true } }), /memory-mapped/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({ fieldParams: { max_length: 0 } }), /max_length must be an integer in 1\.\.65535/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({ fieldParams: {} }), /names no param/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({}), /fieldParams/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({ fieldName: 'id', fieldParams: { max_length: 9 } }), /primary key/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({ fieldName: 'nope', fieldParams: { max_length: 9 } }), /no field 'nope'/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/alter_properties', alter({ collectionName: 'gone', fieldParams: { max_length: 9 } }), /does not exist/, [Code.CollectionNotFound]);
    await http.fails('/collections/fields/alter_properties', alter({ fieldParams: { max_length: 9 }, extra: 1 }), /unknown field 'extra'/, [Code.InvalidArgument]);
    // Lowered below a stored value: later writes are checked, the stored row reads as written.
    await http.ok('/collections/fields/alter_properties', alter({ fieldParams: { max_length: 4 } }));
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 2, vec: vec(2), title: 'five!', nums: [] }] }, /exceeds max length \(4\)/);
    assert.equal(await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: ['title'], consistencyLevel: 'Strong' }), [{ id: 1, title: 'longer than eight' }]);
  } finally { await s.cleanup(); }
});

test('REST: drop a field; reads and describe lose it, writes naming it are refused', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'd', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('d');
    await http.ok('/entities/insert', { collectionName: 'd', data: [{ id: 1, vec: vec(1), title: 't', nums: [1] }] });
    await http.fails('/collections/fields/drop', { collectionName: 'd', fieldName: 'id' }, /primary key/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/drop', { collectionName: 'd', fieldId: 102 }, /no ids/, [Code.InvalidArgument]);
    await http.fails('/collections/fields/drop', { collectionName: 'gone', fieldName: 'title' }, /does not exist/, [Code.CollectionNotFound]);
    await http.ok('/collections/fields/drop', { collectionName: 'd', fieldName: 'title' });
    const described = await http.ok('/collections/describe', { collectionName: 'd' });
    assert.equal(described.fields.map((f: { name: string }) => f.name), ['id', 'vec', 'nums']);
    assert.equal(await http.ok('/entities/query', { collectionName: 'd', filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong' }).then((r: object[]) => r.map((x) => Object.keys(x).sort())), [['id', 'nums', 'vec']]);
    await http.fails('/entities/insert', { collectionName: 'd', data: [{ id: 2, vec: vec(2), title: 't', nums: [] }] }, /title/);
    await http.ok('/entities/insert', { collectionName: 'd', data: [{ id: 2, vec: vec(2), nums: [] }] });
  } finally { await s.cleanup(); }
});

test.run();
