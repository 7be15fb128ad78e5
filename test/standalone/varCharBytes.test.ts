import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { ImportJobView } from '../../runtime/client/api.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { BAD_INPUT, Code, V2Client } from '../http/support/v2Client.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * max_length counts UTF-8 bytes end to end, as Milvus counts them: through
 * the client (insert, upsert, partial upsert), the REST gateway (insert,
 * upsert, primary keys), bulk import, default values, and a lowered
 * max_length after alterCollectionField. Each limit takes a value of
 * multibyte characters (é 2 bytes, 中 3, 😀 4) exactly at it and refuses one
 * byte more, though that value is far fewer JavaScript characters.
 */
const DIM = 4;
const vecs = vectors(40, DIM, 5);
const schema = {
  fields: [
    { name: 'id', dataType: 'VarChar' as const, isPrimary: true, maxLength: 6 },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'title', dataType: 'VarChar' as const, maxLength: 8 },
    { name: 'tags', dataType: 'Array' as const, elementType: 'VarChar' as const, maxCapacity: 3, maxLength: 4 },
    { name: 'note', dataType: 'VarChar' as const, maxLength: 4, defaultValue: 'éé' },
  ],
};
const row = (id: string, n: number, title: string, tags: string[] = []) => ({ id, vec: vecs[n]!, title, tags });
const TITLE_OVER = /the length \(9 UTF-8 bytes\) of field 'title' exceeds max length \(8\)/;

test('client, REST and bulk import count UTF-8 bytes: at the limit fits, one byte over is refused', async () => {
  const s = await tempStandalone({ port: 0 });
  const files = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'vb', schema, metricType: 'L2', indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const stored = async () => Object.fromEntries((await s.client.query('vb', { filter: 'id != ""', outputFields: ['title', 'tags', 'note'], consistencyLevel: 'Strong' })).map((r) => [r.id, [r.title, r.tags, r.note]]));

    // Client insert: 8-byte titles of 4 (é) and 2 (😀) characters, 4-byte elements, 6-byte keys; the default 'éé' is 4 bytes.
    await s.client.insert('vb', [row('中中', 1, 'éééé', ['éé', '😀']), row('😀a', 2, '😀😀', ['中a']), row('aé中', 3, 'a中中a')]);
    await refused(s.client.insert('vb', [row('x1', 4, 'éééé!')]), TITLE_OVER);
    await refused(s.client.insert('vb', [row('x2', 5, '😀😀!')]), TITLE_OVER);
    await refused(s.client.insert('vb', [row('x3', 6, 'ok', ['ok', '中中'])]), /the length \(6 UTF-8 bytes\) of element \[1\] of Array field 'tags' exceeds max length \(4\)/);
    await refused(s.client.insert('vb', [row('中中!', 7, 'ok')]), /the length \(7 UTF-8 bytes\) of primary key 'id' exceeds max length \(6\)/);
    await refused(s.client.insert('vb', [{ ...row('x4', 8, 'ok'), note: 'ééa' }]), /the length \(5 UTF-8 bytes\) of field 'note' exceeds max length \(4\)/);

    // Upsert and partial upsert: the same limits.
    await refused(s.client.upsert('vb', [row('中中', 1, '中中中')]), /the length \(9 UTF-8 bytes\) of field 'title'/);
    await refused(s.client.upsert('vb', [{ id: '中中', title: 'éééé!' }], undefined, { partialUpdate: true }), TITLE_OVER);
    await s.client.upsert('vb', [{ id: '😀a', title: '😀中a' }], undefined, { partialUpdate: true });
    assert.equal(await stored(), { '中中': ['éééé', ['éé', '😀'], 'éé'], '😀a': ['😀中a', ['中a'], 'éé'], 'aé中': ['a中中a', [], 'éé'] });

    // REST: insert, upsert, and primary keys (checked by the gateway) alike.
    const http = new V2Client(s.http!.url);
    const rest = (id: string, n: number, title: string, tags: string[] = []) => ({ id, vec: vecs[n], title, tags });
    await http.fails('/entities/insert', { collectionName: 'vb', data: [rest('r1', 10, 'éééé!')] }, TITLE_OVER, BAD_INPUT);
    await http.fails('/entities/insert', { collectionName: 'vb', data: [rest('r2', 11, 'ok', ['😀!'])] }, /the length \(5 UTF-8 bytes\) of element \[0\] of Array field 'tags' exceeds max length \(4\)/, BAD_INPUT);
    await http.fails('/entities/insert', { collectionName: 'vb', data: [rest('é中é!', 12, 'ok')] }, /the length \(8 UTF-8 bytes\) of 'data\[0\]\.id' \(primary key 'id'\) exceeds max length \(6\)/, BAD_INPUT);
    await http.fails('/entities/upsert', { collectionName: 'vb', data: [rest('中中', 1, '😀😀!')] }, TITLE_OVER, BAD_INPUT);
    await http.ok('/entities/insert', { collectionName: 'vb', data: [rest('é中a', 13, '中中é', ['😀'])] });
    await http.ok('/entities/upsert', { collectionName: 'vb', data: [rest('aé中', 3, '😀😀')] });

    // Bulk import: a file with one row a byte over fails the job and writes nothing; one at the limit imports.
    const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const ended = async (jobId: number) => {
      let v!: ImportJobView;
      await until(async () => { v = await s.client.getImportJobProgress(jobId); return v.state === 'Completed' || v.state === 'Failed'; }, `import job ${jobId} ends`, 60_000);
      return v;
    };
    await files.put('import/over.json', json([row('i1', 20, 'éééé'), row('i2', 21, 'é中中!')]));
    const bad = await ended((await s.client.createImportJob({ collectionName: 'vb', files: [['import/over.json']] })).jobId);
    assert.is(bad.state, 'Failed', JSON.stringify(bad));
    assert.match(bad.reason!, /the length \(9 UTF-8 bytes\) of field 'title' exceeds max length \(8\)/, bad.reason);
    await files.put('import/at.json', json([row('i1', 20, 'éééé', ['中a']), row('i2', 21, 'é中中')]));
    const good = await ended((await s.client.createImportJob({ collectionName: 'vb', files: [['import/at.json']] })).jobId);
    assert.equal([good.state, good.importedRows], ['Completed', 2], JSON.stringify(good));

    assert.equal(await stored(), {
      '中中': ['éééé', ['éé', '😀'], 'éé'], '😀a': ['😀中a', ['中a'], 'éé'], 'aé中': ['😀😀', [], 'éé'],
      'é中a': ['中中é', ['😀'], 'éé'], i1: ['éééé', ['中a'], 'éé'], i2: ['é中中', [], 'éé'],
    });
  } finally { await s.cleanup(); }
});

test('default values and a lowered max_length count UTF-8 bytes; stored rows keep their longer values', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const indexParams = [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    const withNote = (defaultValue: string) => ({ fields: schema.fields.map((f) => (f.name === 'note' ? { ...f, defaultValue } : f)) });
    await refused(s.client.createCollection({ collectionName: 'd1', schema: withNote('éé!'), metricType: 'L2', indexParams }), /the length \(5 UTF-8 bytes\) of the default value of field 'note' exceeds max length \(4\)/);
    const http = new V2Client(s.http!.url);
    const restFields = [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
      { fieldName: 's', dataType: 'VarChar', elementTypeParams: { max_length: 3 } },
    ];
    const restCreate = (defaultValue: string) => ({ collectionName: 'd2', schema: { fields: restFields.map((f) => (f.fieldName === 's' ? { ...f, defaultValue } : f)) }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.fails('/collections/create', restCreate('中a'), /the length \(4 UTF-8 bytes\) of the default value of field 's' exceeds max length \(3\)/, [Code.InvalidArgument]);
    await http.ok('/collections/create', restCreate('中'));

    await s.client.createCollection({ collectionName: 'alt', schema: withNote('😀'), metricType: 'L2', indexParams, load: true });
    await s.client.insert('alt', [row('a', 1, 'éééé')]);
    await s.client.alterCollectionField({ collectionName: 'alt', fieldName: 'title', fieldParams: { max_length: 6 } });
    await refused(s.client.insert('alt', [row('b', 2, 'éééé')]), /the length \(8 UTF-8 bytes\) of field 'title' exceeds max length \(6\)/);
    await refused(s.client.insert('alt', [row('b', 2, 'ééé!')]), /the length \(7 UTF-8 bytes\) of field 'title' exceeds max length \(6\)/);
    await s.client.insert('alt', [row('c', 3, '中中')]);
    const got = await s.client.query('alt', { filter: 'id != ""', outputFields: ['title', 'note'], consistencyLevel: 'Strong' });
    assert.equal(Object.fromEntries(got.map((r) => [r.id, [r.title, r.note]])), { a: ['éééé', '😀'], c: ['中中', '😀'] });
  } finally { await s.cleanup(); }
});

test.run();
