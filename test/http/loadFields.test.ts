/**
 * Partial load over the REST v2 gateway: collections/load with `loadFields` and
 * `skipLoadDynamicField`; get_load_state and describe show them; a search or query
 * naming an unloaded field (or a skipped dynamic one) fails with FieldNotLoaded (1105);
 * a different field list while loaded is refused until a release; "*" shows the loaded
 * fields (and, loaded whole, the dynamic keys, as "$meta" does). Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { Code, V2Client, vec } from './support/v2Client.js';

const FIELD_NOT_LOADED = 1105;
/** A vector as stored: float32. */
const stored = (i: number) => Array.from(Float32Array.from(vec(i)));
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 8 } },
  { fieldName: 'color', dataType: 'VarChar', elementTypeParams: { max_length: 16 } },
  { fieldName: 'body', dataType: 'VarChar', elementTypeParams: { max_length: 256 } },
];

test('REST: load some fields, read them, refuse the others', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields, enableDynamicField: true }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    await http.ok('/entities/insert', { collectionName: 'c', data: Array.from({ length: 20 }, (_, i) => ({ id: i, vec: vec(i), color: i % 2 ? 'red' : 'blue', body: `text ${i}`, tag: `t${i % 3}` })) });
    const q = (body: object) => ({ collectionName: 'c', consistencyLevel: 'Strong', ...body });
    const fullRed = await http.ok('/entities/query', q({ filter: 'color == "red"', outputFields: ['color'] }));

    await http.fails('/collections/load', { collectionName: 'c', loadFields: ['id', 'vec'], skipLoadDynamicField: true }, /release it before/, [Code.InvalidArgument]);
    await http.ok('/collections/release', { collectionName: 'c' });
    await http.fails('/collections/load', { collectionName: 'c', loadFields: ['vec', 'color'] }, /primary key field 'id' cannot skip loading/, [Code.InvalidArgument]);
    await http.fails('/collections/load', { collectionName: 'c', loadFields: ['id', 'vec', 'nope'] }, /'nope' does not exist/, [Code.InvalidArgument]);
    await http.fails('/collections/load', { collectionName: 'c', skipLoadDynamicField: 'yes' }, /skipLoadDynamicField/, [Code.InvalidArgument]);
    await http.ok('/collections/load', { collectionName: 'c', loadFields: ['id', 'vec', 'color'], skipLoadDynamicField: true });
    await http.waitLoaded('c');

    const state = await http.ok('/collections/get_load_state', { collectionName: 'c' });
    assert.equal([state.loadFields, state.skipLoadDynamicField], [['id', 'vec', 'color'], true]);
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.equal([described.loadFields, described.skipLoadDynamicField], [['id', 'vec', 'color'], true]);

    assert.equal(await http.ok('/entities/query', q({ filter: 'color == "red"', outputFields: ['color'] })), fullRed, 'a loaded field reads as before');
    await http.fails('/entities/query', q({ filter: 'body == "text 1"' }), /field 'body' .*is not loaded/, [FIELD_NOT_LOADED]);
    await http.fails('/entities/query', q({ filter: 'id < 3', outputFields: ['body'] }), /field 'body' .*is not loaded/, [FIELD_NOT_LOADED]);
    await http.fails('/entities/search', q({ data: [vec(1)], limit: 3, filter: 'tag == "t1"' }), /dynamic field/, [FIELD_NOT_LOADED]);
    await http.fails('/entities/search', q({ data: [vec(1)], limit: 3, outputFields: ['tag'] }), /dynamic field/, [FIELD_NOT_LOADED]);

    // "*" shows what is loaded, as the client's '*' does.
    assert.equal(await http.ok('/entities/query', q({ filter: 'id == 3', outputFields: ['*'] })), [{ id: 3, vec: stored(3), color: 'red' }]);

    await http.ok('/collections/release', { collectionName: 'c' });
    await http.ok('/collections/load', { collectionName: 'c' });
    await http.waitLoaded('c');
    const back = await http.ok('/entities/query', q({ filter: 'body == "text 1"', outputFields: ['body', 'tag'] }));
    assert.equal(back, [{ id: 1, body: 'text 1', tag: 't1' }]);
    // Fully loaded, "*" is every field and every dynamic key; "$meta" is every dynamic key (Milvus's output fields).
    const all = { id: 4, vec: stored(4), color: 'blue', body: 'text 4', tag: 't1' };
    assert.equal(await http.ok('/entities/query', q({ filter: 'id == 4', outputFields: ['*'] })), [all]);
    assert.equal(await http.ok('/entities/get', { collectionName: 'c', id: [4], outputFields: ['*'] }), [all]);
    const [hit] = await http.ok('/entities/search', q({ data: [vec(4)], limit: 1, outputFields: ['*'] }));
    assert.equal({ ...hit, distance: undefined }, { ...all, distance: undefined });
    assert.equal(await http.ok('/entities/query', q({ filter: 'id == 4', outputFields: ['$meta'] })), [{ id: 4, tag: 't1' }]);
    assert.is((await http.ok('/collections/describe', { collectionName: 'c' })).loadFields, undefined);
  } finally { await s.cleanup(); }
});

test.run();
