import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchError } from '../../messages/errors.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { Bus } from '../../runtime/ports/bus.js';
import { until } from '../support/until.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { parseFilter } from '../../messages/filter/index.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Partial load (Milvus's load_fields, skip_load_dynamic_field): the loaded fields
 * answer as a full load does; a filter or output naming another field, or a dynamic
 * one when skipped, is refused with FieldNotLoaded, for sealed and growing rows alike;
 * the query node holds only the loaded columns; the field set survives a restart and
 * changes only through a release.
 */
const DIM = 4;
const schema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'body', dataType: 'VarChar' as const, maxLength: 512 },
    { name: 'price', dataType: 'Double' as const },
  ],
};
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const COLORS = ['red', 'green', 'blue'];
const vecs = vectors(300, DIM, 7);
const row = (id: number) => ({ id, vec: vecs[id]!, color: COLORS[id % 3]!, body: `a long description of item ${id} `.repeat(6), price: id / 10, tag: `t${id % 5}` });
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };
const PARTIAL = { loadFields: ['id', 'vec', 'color'], skipLoadDynamicField: true };

/** What the loaded fields answer: a filtered search with an output, a filtered query, a count. */
async function answers(c: NuthatchClient) {
  const [hits] = await c.search('lf', { data: [vecs[3]!], limit: 10, filter: 'color in ["red", "blue"]', outputFields: ['color'], consistencyLevel: 'Strong' });
  const rows = await c.query('lf', { filter: 'color == "green" and id < 260', outputFields: ['id', 'color'], consistencyLevel: 'Strong' });
  const count = await c.query('lf', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  return { hits: hits!.map((h) => [h.id, h.fields.color]), rows: rows.map((r) => [r.id, r.color]).sort((a, b) => (a[0] as number) - (b[0] as number)), count };
}

/** The query node's segments of the collection: the columns each holds, and their bytes. */
async function held(bus: Bus) {
  const st = await busClient<QueryNodeProtocol>(bus, queryNodeSubject('qn-1'))('status', {});
  return { columns: st.files.map((f) => f.columns ?? []), bytes: st.files.reduce((n, f) => n + (f.bytes ?? 0), 0), segments: st.files.length };
}

const loaded = (s: { client: NuthatchClient }) => until(async () => (await s.client.getLoadState('lf')).loadProgress === 100, 'sealed rows served', 30_000);

test('a partial load answers as a full one, refuses unloaded fields, holds fewer columns, survives a restart', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    await s.client.createCollection({ collectionName: 'lf', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('lf', Array.from({ length: 200 }, (_, id) => row(id)));
    await s.client.flush('lf');
    await loaded(s);
    await s.client.insert('lf', Array.from({ length: 100 }, (_, i) => row(200 + i))); // growing
    const full = await answers(s.client);
    const fullHeld = await held(s.bus);
    assert.ok(fullHeld.segments > 0 && fullHeld.columns.every((c) => c.includes('body') && c.includes('$meta')), 'a full load holds every column');
    // A client that cached the full load and hears no catalog news: the servers must refuse its reads themselves.
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    assert.is((await stale.query('lf', { filter: 'body like "a%"', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 300);

    // Changing the fields of a loaded collection needs a release first (as in Milvus).
    assert.is(await code(() => s.client.loadCollection('lf', PARTIAL)), 'InvalidArgument');
    await s.client.releaseCollection('lf');
    assert.is(await code(() => s.client.loadCollection('lf', { loadFields: ['vec', 'color'] })), 'InvalidArgument', 'the primary key cannot be skipped');
    assert.is(await code(() => s.client.loadCollection('lf', { loadFields: ['id', 'color'] })), 'InvalidArgument', 'a vector field must be loaded');
    await s.client.loadCollection('lf', PARTIAL);
    await loaded(s);
    assert.is(await code(() => s.client.loadCollection('lf', PARTIAL)), 'ok', 'the same fields again: nothing changes');
    assert.is(await code(() => s.client.loadCollection('lf')), 'InvalidArgument', 'a full load over a partial one needs a release');

    const check = async (when: string) => {
      assert.equal(await answers(s.client), full, `${when}: loaded fields answer as a full load does`);
      const star = await s.client.query('lf', { filter: 'id < 3', outputFields: ['*'], consistencyLevel: 'Strong' });
      assert.equal(Object.keys(star[0]!).sort(), ['color', 'id', 'vec'], `${when}: '*' shows the loaded fields`);
      for (const [what, read] of [
        ['filter on an unloaded field', () => s.client.query('lf', { filter: 'price > 1', consistencyLevel: 'Strong' })],
        ['output of an unloaded field', () => s.client.query('lf', { filter: 'id < 5', outputFields: ['body'], consistencyLevel: 'Strong' })],
        ['search filter on an unloaded field', () => s.client.search('lf', { data: [vecs[0]!], limit: 5, filter: 'body like "a%"', consistencyLevel: 'Strong' })],
        ['search output of an unloaded field', () => s.client.search('lf', { data: [vecs[0]!], limit: 5, outputFields: ['price'], consistencyLevel: 'Strong' })],
        ['filter on a skipped dynamic field', () => s.client.query('lf', { filter: 'tag == "t1"', consistencyLevel: 'Strong' })],
        ['output of a skipped dynamic field', () => s.client.query('lf', { filter: 'id < 5', outputFields: ['tag'], consistencyLevel: 'Strong' })],
      ] as const) assert.is(await code(read), 'FieldNotLoaded', `${when}: ${what}`);
      const d = await s.client.describeCollection('lf');
      assert.equal([d.loadFields, d.skipLoadDynamicField], [['id', 'vec', 'color'], true], `${when}: describe shows the loaded fields`);
      const ls = await s.client.getLoadState('lf');
      assert.equal([ls.loadFields, ls.skipLoadDynamicField], [['id', 'vec', 'color'], true], `${when}: getLoadState too`);
      const h = await held(s.bus);
      assert.ok(h.segments > 0 && h.columns.every((c) => c.length > 0 && c.every((n) => n === 'color')), `${when}: sealed segments hold only the loaded columns, got ${JSON.stringify(h.columns)}`);
      return h;
    };
    const part = await check('after a partial load');
    // The stale client's record says every field is loaded; the delegator and query node refuse by the load itself.
    assert.is(await code(() => stale.query('lf', { filter: 'body like "a%"', outputFields: ['count(*)'], consistencyLevel: 'Strong' })), 'FieldNotLoaded', 'a stale client filtering on an unloaded field');
    assert.is(await code(() => stale.search('lf', { data: [vecs[0]!], limit: 5, outputFields: ['price'], consistencyLevel: 'Strong' })), 'FieldNotLoaded', 'a stale client asking an unloaded output');
    // Asked directly, past the proxy and the delegator, the query node refuses by the columns its segments hold.
    const { collectionId } = await s.client.describeCollection('lf');
    const seg = (await busClient<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId }))[0]!;
    const direct = (outputFields: string[], filter: unknown) => busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('query', {
      vchannel: seg.vchannel, collectionId, filter, partitionIds: null, outputFields, limit: 0, guaranteeTso: 1n << 62n, segmentIds: [seg.segmentId], pchannel: seg.pchannel, deleteSeq: 0,
    });
    assert.ok((await direct(['color'], parseFilter('color == "red"'))).rows.length > 0, 'a loaded field reads on the query node');
    assert.is(await code(() => direct(['body'], null)), 'FieldNotLoaded', 'the query node refuses an unloaded output');
    assert.is(await code(() => direct([], parseFilter('price > 1'))), 'FieldNotLoaded', 'the query node refuses an unloaded filter field');
    assert.ok(part.bytes < fullHeld.bytes / 2, `the loaded segments hold fewer bytes: ${part.bytes} of ${fullHeld.bytes}`);
    console.log(`  query node segment bytes: full load ${fullHeld.bytes}, partial load ${part.bytes} (${(part.bytes / fullHeld.bytes).toFixed(3)})`);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await loaded(s);
    await check('after a restart');

    // A release and a full load read every field again.
    await s.client.releaseCollection('lf');
    await s.client.loadCollection('lf');
    await loaded(s);
    assert.equal(await answers(s.client), full);
    const bodies = await s.client.query('lf', { filter: 'price >= 0 and tag == "t1"', outputFields: ['body', 'tag'], consistencyLevel: 'Strong' });
    assert.is(bodies.length, 60);
    assert.ok(bodies.every((b) => b.body === row(b.id as number).body && b.tag === 't1'));
    const d = await s.client.describeCollection('lf');
    assert.is(d.loadFields, undefined, 'a full load shows no field list');
    assert.ok((await held(s.bus)).columns.every((c) => c.includes('body') && c.includes('price') && c.includes('$meta')), 'the full columns are back');
  } finally { await s.cleanup(); }
});

test('rows only growing in the delegator: a read of an unloaded field is refused there too', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'lg', schema, metricType: 'L2', shardsNum: 1, load: true });
    await s.client.insert('lg', Array.from({ length: 30 }, (_, id) => row(id)));
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    const all = await stale.query('lg', { filter: 'price >= 0', outputFields: ['color'], consistencyLevel: 'Strong' });
    assert.is(all.length, 30);
    await s.client.releaseCollection('lg');
    await s.client.loadCollection('lg', PARTIAL);
    assert.is((await held(s.bus)).segments, 0, 'no sealed segment: every row is growing');
    assert.is(await code(() => stale.query('lg', { filter: 'price >= 0', consistencyLevel: 'Strong' })), 'FieldNotLoaded', 'a stale client filtering on an unloaded field');
    assert.is(await code(() => stale.query('lg', { filter: 'id >= 0', outputFields: ['tag'], consistencyLevel: 'Strong' })), 'FieldNotLoaded', 'a stale client asking a skipped dynamic field');
    assert.is(await code(() => s.client.query('lg', { filter: 'id >= 0', outputFields: ['body'], consistencyLevel: 'Strong' })), 'FieldNotLoaded');
    const some = await s.client.query('lg', { filter: 'color == "red"', outputFields: ['color'], consistencyLevel: 'Strong' });
    assert.equal(some.map((r) => r.id).sort((a, b) => (a as number) - (b as number)), all.filter((r) => r.color === 'red').map((r) => r.id).sort((a, b) => (a as number) - (b as number)));
  } finally { await s.cleanup(); }
});

test('partitions loaded with a field set: their sealed segments hold those columns; later partitions keep the set', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'lp', schema, metricType: 'L2', shardsNum: 1 });
    await s.client.createPartition('lp', 'p1');
    await s.client.createPartition('lp', 'p2');
    await s.client.insert('lp', Array.from({ length: 40 }, (_, id) => row(id)), 'p1');
    await s.client.insert('lp', Array.from({ length: 40 }, (_, i) => row(100 + i)), 'p2');
    await s.client.flush('lp');
    await s.client.loadPartitions('lp', ['p1'], PARTIAL);
    await until(async () => (await s.client.getLoadState('lp', ['p1'])).loadProgress === 100, 'p1 served', 30_000);
    const ls = await s.client.getLoadState('lp');
    assert.equal([ls.loadFields, ls.skipLoadDynamicField], [['id', 'vec', 'color'], true], 'the load state names the fields');
    const h = await held(s.bus);
    assert.ok(h.segments > 0 && h.columns.every((c) => c.length > 0 && c.every((n) => n === 'color')), `p1's segments hold only the loaded columns, got ${JSON.stringify(h.columns)}`);
    assert.is(await code(() => s.client.query('lp', { filter: 'price > 1', consistencyLevel: 'Strong' })), 'FieldNotLoaded');
    const red = await s.client.query('lp', { filter: 'color == "red"', outputFields: ['color'], consistencyLevel: 'Strong' });
    assert.equal(red.map((r) => r.id as number).sort((a, b) => a - b), Array.from({ length: 40 }, (_, id) => id).filter((id) => id % 3 === 0), 'only p1 is read');

    assert.is(await code(() => s.client.loadPartitions('lp', ['p2'], { loadFields: ['id', 'vec', 'color', 'price'] })), 'InvalidArgument', 'another field set needs a release');
    await s.client.loadPartitions('lp', ['p2']); // no set named: the loaded one
    await until(async () => (await s.client.getLoadState('lp', ['p1', 'p2'])).loadProgress === 100, 'p2 served', 30_000);
    const both = await held(s.bus);
    assert.ok(both.segments > h.segments && both.columns.every((c) => c.every((n) => n === 'color')), `p2's segments hold the same columns, got ${JSON.stringify(both.columns)}`);
    const count = await s.client.query('lp', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count[0]!['count(*)'], 80, 'both partitions are read');
    assert.is(await code(() => s.client.query('lp', { filter: 'id >= 0', outputFields: ['body'], consistencyLevel: 'Strong' })), 'FieldNotLoaded');

    await s.client.releasePartitions('lp', ['p1', 'p2']);
    await s.client.loadPartitions('lp', ['p2']);
    await until(async () => (await s.client.getLoadState('lp', ['p2'])).loadProgress === 100, 'p2 served in full', 30_000);
    assert.is((await s.client.getLoadState('lp')).loadFields, undefined, 'after a release, a load naming no set loads every field');
    assert.is((await s.client.query('lp', { filter: 'price >= 10', outputFields: ['body'], consistencyLevel: 'Strong' })).length, 40);
  } finally { await s.cleanup(); }
});

test.run();
