import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlackBoxContext } from './blackbox.js';
import { Code, vec } from './support/v2Client.js';

/** Features over REST: several vector fields and hybrid search, full-text search, fields/add, VarChar ids, autoID, aliases. */
export function featureTests(s: Test<BlackBoxContext>): void {
  s('several vector fields: a search names its annsField; hybrid_search fuses searches of each with rrf or weighted', async ({ client, quick }) => {
    const name = `${quick}_mv`;
    const schema = { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'text', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      { fieldName: 'image', dataType: 'FloatVector', elementTypeParams: { dim: 3 } },
    ] };
    const indexParams = [{ fieldName: 'text', indexName: 'text', metricType: 'COSINE' }, { fieldName: 'image', indexName: 'image', metricType: 'L2', indexType: 'IVF_FLAT', params: { nlist: 2 } }];
    await client.ok('/collections/create', { collectionName: name, schema, indexParams });
    await client.waitLoaded(name);
    await client.ok('/entities/insert', { collectionName: name, data: Array.from({ length: 20 }, (_, i) => ({ id: i, text: vec(i, 4), image: vec(i + 100, 3) })) });
    const img = await client.ok('/entities/search', { collectionName: name, annsField: 'image', data: [vec(105, 3)], limit: 3, searchParams: { params: { nprobe: 2 } }, consistencyLevel: 'Strong' });
    assert.is(img[0].id, 5, 'image 5 is nearest its own vector by L2');
    assert.is(img[0].distance, 0);
    const hybrid = await client.okReply('/entities/hybrid_search', { collectionName: name, search: [
      { data: [vec(5, 4)], annsField: 'text', limit: 5 },
      { data: [vec(105, 3)], annsField: 'image', limit: 5, params: { nprobe: 2 } },
    ], rerank: { strategy: 'rrf', params: { k: 60 } }, limit: 3, consistencyLevel: 'Strong' });
    assert.equal(hybrid.topks, [3]);
    assert.is(hybrid.data[0].id, 5, 'first in both searches, first fused');
    assert.ok(Math.abs(hybrid.data[0].distance - 2 / 61) < 1e-9, 'the RRF score of two first places');
    const weighted = await client.ok('/entities/hybrid_search', { collectionName: name, search: [
      { data: [vec(5, 4)], annsField: 'text', limit: 5 }, { data: [vec(9, 4)], annsField: 'text', limit: 5 },
    ], rerank: { strategy: 'weighted', params: { weights: [0.1, 0.9] } }, limit: 1, consistencyLevel: 'Strong' });
    assert.is(weighted[0].id, 9, 'the heavier search wins');
    await client.fails('/entities/search', { collectionName: name, data: [vec(1, 4)] }, /annsField/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [{ data: [vec(1, 4)], annsField: 'image' }] }, /search\[0\]\.data\[0\]/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [{ data: [vec(1, 4)], annsField: 'text' }], rerank: { strategy: 'weighted', params: { weights: [0.5, 0.5] } } }, /one weight per search/);
    await client.fails('/entities/hybrid_search', { collectionName: name, search: [] }, /non-empty list/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('full-text search: a BM25 function over an analyzed VarChar; texts searched over REST, sparse hits read back', async ({ client, quick }) => {
    const name = `${quick}_fts`;
    const schema = {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true } },
        { fieldName: 'words', dataType: 'SparseFloatVector' },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['words'] }],
    };
    const indexParams = [{ fieldName: 'vec', indexName: 'vec', metricType: 'COSINE' }, { fieldName: 'words', indexName: 'words', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' }];
    await client.ok('/collections/create', { collectionName: name, schema, indexParams });
    await client.waitLoaded(name);
    const texts = ['the quick brown fox', 'a lazy dog sleeps', 'the fox and the dog', 'milvus loves vectors', 'brown bears and brown foxes'];
    await client.ok('/entities/insert', { collectionName: name, data: texts.map((text, id) => ({ id, text, vec: vec(id, 4) })) });
    const hits = await client.ok('/entities/search', { collectionName: name, annsField: 'words', data: ['brown fox'], limit: 3, outputFields: ['text'], consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: any) => h.id).sort(), [0, 2, 4], 'only documents holding a query term');
    assert.is(hits[0].id, 0, 'both terms, the shorter document first');
    assert.ok(hits.every((h: any, i: number) => i === 0 || h.distance <= hits[i - 1].distance), 'larger scores first');
    assert.is(hits[0].text, texts[0]);
    const matched = await client.ok('/entities/query', { collectionName: name, filter: 'text_match(text, "LAZY bears")', consistencyLevel: 'Strong' });
    assert.equal(matched.map((r: any) => r.id).sort(), [1, 4], 'text_match: any of the terms, analysed as the BM25 field is');
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 9, text: 'x', vec: vec(9, 4), words: { 1: 0.5 } }] }, /words/);
    await client.fails('/entities/search', { collectionName: name, annsField: 'words', data: [[0.1, 0.2]], limit: 3 }, /text/i);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('fields/add: a nullable field joins a live collection; earlier rows read null (or its default), later rows carry it', async ({ client, quick }) => {
    const name = `${quick}_af`;
    const schema = { enableDynamicField: false, fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } }] };
    await client.ok('/collections/create', { collectionName: name, schema, indexParams: [{ fieldName: 'vec', indexName: 'vec', metricType: 'L2' }] });
    await client.waitLoaded(name);
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 1, vec: vec(1, 4) }] });
    assert.equal(await client.ok('/collections/fields/add', { collectionName: name, schema: { fieldName: 'edition', dataType: 'Int64', nullable: true } }), {});
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 2, vec: vec(2, 4), edition: 3 }] });
    const rows = await client.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['edition'], consistencyLevel: 'Strong' });
    assert.equal(rows.map((r: any) => [r.id, r.edition ?? null]).sort(), [[1, null], [2, 3]]);
    const described = await client.ok('/collections/describe', { collectionName: name });
    assert.ok(described.fields.some((f: any) => f.name === 'edition' && f.nullable === true), 'describe lists the added field');
    await client.fails('/collections/fields/add', { collectionName: name, schema: { fieldName: 'n', dataType: 'Int64' } }, /nullable/);
    // With a default value, rows written before the field read the default, and filters see it.
    await client.ok('/collections/fields/add', { collectionName: name, schema: { fieldName: 'tier', dataType: 'VarChar', elementTypeParams: { max_length: 8 }, nullable: true, defaultValue: 'basic' } });
    await client.ok('/entities/insert', { collectionName: name, data: [{ id: 3, vec: vec(3, 4), tier: 'gold' }, { id: 4, vec: vec(4, 4) }] });
    const tiers = await client.ok('/entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['tier'], consistencyLevel: 'Strong' });
    assert.equal(tiers.map((r: any) => [r.id, r.tier]).sort(), [[1, 'basic'], [2, 'basic'], [3, 'gold'], [4, 'basic']]);
    const basic = await client.ok('/entities/query', { collectionName: name, filter: 'tier == "basic"', outputFields: ['id'], consistencyLevel: 'Strong' });
    assert.equal(basic.map((r: any) => r.id).sort(), [1, 2, 4]);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('VarChar ids (quick setup with idType and params.max_length)', async ({ client, quick }) => {
    const name = `${quick}_str`;
    await client.ok('/collections/create', { collectionName: name, dimension: 4, idType: 'VarChar', params: { max_length: '16' }, metricType: 'IP' });
    await client.waitLoaded(name);
    const r = await client.ok('/entities/insert', { collectionName: name, data: [{ id: 'a', vector: vec(1, 4) }, { id: 'b', vector: vec(2, 4) }] });
    assert.equal(r.insertIds, ['a', 'b']);
    const rows = await client.ok('/entities/get', { collectionName: name, id: 'b', consistencyLevel: 'Strong' });
    assert.equal(rows.map((x: any) => x.id), ['b']);
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 'x'.repeat(17), vector: vec(1, 4) }] }, /exceeds max length \(16\)/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('autoID generates keys and refuses given ones', async ({ client, quick }) => {
    const name = `${quick}_auto`;
    await client.ok('/collections/create', { collectionName: name, dimension: 4, autoID: true, metricType: 'L2' });
    await client.waitLoaded(name);
    const r = await client.ok('/entities/insert', { collectionName: name, data: [{ vector: vec(1, 4) }, { vector: vec(2, 4) }, { vector: vec(3, 4) }] });
    assert.is(r.insertCount, 3);
    assert.is(new Set(r.insertIds).size, 3);
    for (const k of r.insertIds) assert.ok(Number.isSafeInteger(k), `generated key ${k}`);
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 1, vector: vec(1, 4) }] }, /autoID|generated/);
    // allow_insert_auto_id: given keys are kept, missing ones generated; dropped again, given keys are refused.
    await client.ok('/collections/alter_properties', { collectionName: name, properties: { allow_insert_auto_id: 'true' } });
    const mixed = await client.ok('/entities/insert', { collectionName: name, data: [{ id: 9_000_001, vector: vec(4, 4) }, { vector: vec(5, 4) }] });
    assert.equal([mixed.insertCount, mixed.insertIds[0], Number.isSafeInteger(mixed.insertIds[1]) && mixed.insertIds[1] !== 9_000_001], [2, 9_000_001, true]);
    const kept = await client.ok('/entities/get', { collectionName: name, id: 9_000_001, consistencyLevel: 'Strong' });
    assert.equal(kept.map((x: any) => x.id), [9_000_001]);
    assert.ok((await client.ok('/collections/describe', { collectionName: name })).properties.some((p: any) => p.key === 'allow_insert_auto_id' && p.value === 'true'));
    await client.fails('/collections/alter_properties', { collectionName: name, properties: { allow_insert_auto_id: 'maybe' } }, /true or false/);
    await client.ok('/collections/drop_properties', { collectionName: name, propertyKeys: ['allow_insert_auto_id'] });
    await client.fails('/entities/insert', { collectionName: name, data: [{ id: 2, vector: vec(1, 4) }] }, /autoID|generated|auto-generated/);
    await client.ok('/collections/drop', { collectionName: name });
  });

  s('aliases: reads and writes through an alias, moved to another collection in one step, then dropped', async ({ client, quick }) => {
    const blue = `${quick}_blue`, green = `${quick}_green`, alias = `${quick}_live`;
    for (const name of [blue, green]) { await client.ok('/collections/create', { collectionName: name, dimension: 4 }); await client.waitLoaded(name); }
    await client.ok('/entities/insert', { collectionName: blue, data: [{ id: 1, vector: vec(1, 4) }, { id: 2, vector: vec(2, 4) }] });
    await client.ok('/entities/insert', { collectionName: green, data: [{ id: 7, vector: vec(7, 4) }] });
    assert.equal(await client.ok('/aliases/create', { collectionName: blue, aliasName: alias }), {});
    assert.equal(await client.ok('/aliases/describe', { aliasName: alias }), { dbName: 'default', aliasName: alias, collectionName: blue });
    assert.equal(await client.ok('/aliases/list', { collectionName: blue }), [alias]);
    assert.ok((await client.ok('/aliases/list', {})).includes(alias));
    const d = await client.ok('/collections/describe', { collectionName: alias });
    assert.equal([d.collectionName, d.aliases], [blue, [alias]]);
    assert.equal(await client.ok('/collections/has', { collectionName: alias }), { has: true });
    const ids = async () => (await client.ok('/entities/query', { collectionName: alias, filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' })).map((r: any) => r.id).sort();
    assert.equal(await ids(), [1, 2]);
    await client.ok('/entities/insert', { collectionName: alias, data: [{ id: 3, vector: vec(3, 4) }] });
    assert.equal(await ids(), [1, 2, 3], 'an insert through the alias lands in its collection');
    // A collection with an alias is not dropped; nor is one named by its alias.
    await client.fails('/collections/drop', { collectionName: blue }, /alias/, [Code.InvalidArgument]);
    await client.fails('/collections/drop', { collectionName: alias }, /alias/, [Code.InvalidArgument]);
    assert.equal(await client.ok('/aliases/alter', { collectionName: green, aliasName: alias }), {});
    await new Promise((r) => setTimeout(r, 1100)); // other clients trust an alias for a second
    assert.equal(await ids(), [7], 'the alias now reads the other collection');
    const hits = await client.okReply('/entities/search', { collectionName: alias, data: [vec(7, 4)], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits.data[0].id, 7);
    assert.equal(await client.ok('/aliases/drop', { aliasName: alias }), {});
    assert.equal(await client.ok('/collections/has', { collectionName: alias }), { has: false });
    for (const name of [blue, green]) await client.ok('/collections/drop', { collectionName: name });
  });
}
