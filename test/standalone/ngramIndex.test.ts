import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { rng, tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * NGRAM indexes through the client (Milvus 2.6): a VarChar field and a JSON
 * path (cast VARCHAR) with texts of mixed case, spaces, wildcard characters
 * and non-Latin letters; `like` filters (infix, prefix, suffix, `_`,
 * escapes) and others on those fields answer the same before the indexes,
 * with them (reads narrowed), after a restart, for a new segment, after a
 * compaction and after a drop; bad params are refused with typed errors.
 */
const DIM = 4, N = 2500, MORE = 500;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'title', dataType: 'VarChar', maxLength: 64, nullable: true }, { name: 'meta', dataType: 'JSON', nullable: true },
  ],
};
const r = rng(77);
const WORDS = ['vector', 'Vector', 'data', 'base', 'milvus', '向量', '数据库', 'a_b', '50%', 'x', 'search', 'json'];
const text = () => Array.from({ length: 1 + Math.floor(r() * 4) }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(r() < 0.7 ? ' ' : '');
const rows = Array.from({ length: N + MORE }, (_, id) => ({
  id, vec: Array.from({ length: DIM }, () => r() * 2 - 1),
  title: id % 17 === 0 ? null : text(),
  meta: id % 13 === 0 ? null : { body: id % 11 === 0 ? 42 : text() },
}));

const FILTERS = [
  'title like "%vector%"', 'title like "data%"', 'title like "%base"', 'title like "%Vector%search%"', 'title like "%数据%"',
  'title like "%a\\\\_b%"', 'title like "%50\\\\%%"', 'title like "%ve_tor%"', 'title like "vector"', 'title like "%x%"',
  'title not like "%vector%"', 'title == "milvus"', 'title like "%json%" and id < 1000', 'title like "%milvus%" or title like "%json%"',
  'meta["body"] like "%data base%"', 'meta["body"] like "向量%"', 'meta["body"] not like "%e%"', 'meta["body"] == "x"',
];

async function answers(c: NuthatchClient, filter: string) {
  const found = await c.query('docs', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
  const hits = await c.search('docs', { data: [rows[3]!.vec], limit: 8, filter, consistencyLevel: 'Strong' });
  return { ids: found.map((x) => Number(x.id)).sort((a, b) => a - b), hits: hits[0]!.map((h) => h.id) };
}

const deleted = new Set<number>();

function expected(filter: string, n: number): number[] {
  const some = rows.slice(0, n).filter((x) => !deleted.has(x.id)), pass = prepareFilter(filter, schema)!.bind({ id: some.map((x) => x.id), title: some.map((x) => x.title), meta: some.map((x) => x.meta) });
  return some.flatMap((x, i) => (pass(i) ? [x.id] : []));
}

function narrowedReads(metrics: { render(): string }): number {
  const m = /nuthatch_query_node_scalar_index_reads_total\{node_id="qn-1"\} (\d+)/.exec(metrics.render());
  return m ? Number(m[1]) : 0;
}

test('NGRAM: like answers equal the unindexed ones, reads narrowed, described, kept over a restart, built for new and compacted segments, dropped', async () => {
  const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } }, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } };
  let s = await tempStandalone(opts);
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'docs', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    for (let i = 0; i < N; i += 1000) await c.insert('docs', rows.slice(i, Math.min(N, i + 1000)));
    await c.flush('docs');
    await untilIndexedAndLoaded(s, 'docs', N);
    const before = new Map<string, Awaited<ReturnType<typeof answers>>>();
    for (const f of FILTERS) {
      const a = await answers(c, f);
      assert.equal(a.ids, expected(f, N), `no index: ${f}`);
      before.set(f, a);
    }
    assert.ok(FILTERS.every((f) => before.get(f)!.ids.length > 0), 'every filter matches some rows');

    await c.createIndex('docs', { indexName: 'title_ngram', fieldName: 'title', indexType: 'NGRAM', params: { min_gram: 2, max_gram: 3 } });
    await c.createIndex('docs', { indexName: 'body_ngram', fieldName: 'meta', indexType: 'NGRAM', params: { json_path: 'meta["body"]', json_cast_type: 'varchar', min_gram: '1', max_gram: '2' } });
    await untilIndexedAndLoaded(s, 'docs', N);
    await untilIndexesServed(s, 'docs');
    const described = (await c.describeIndex('docs')).filter((d) => d.indexName !== 'vec').map((d) => [d.indexName, d.fieldName, d.indexType, { ...d.params }, d.indexState]).sort();
    assert.equal(described, [
      ['body_ngram', 'meta', 'NGRAM', { json_path: 'meta["body"]', json_cast_type: 'VARCHAR', min_gram: 1, max_gram: 2 }, 'Finished'],
      ['title_ngram', 'title', 'NGRAM', { min_gram: 2, max_gram: 3 }, 'Finished'],
    ]);
    assert.equal((await c.listIndexes('docs')).sort(), ['body_ngram', 'title_ngram', 'vec']);

    const same = async (what: string, n: number) => {
      const from = narrowedReads(s.metrics);
      for (const f of FILTERS) {
        const a = await answers(s.client, f);
        if (n === N) assert.equal(a, before.get(f), `${what}: ${f}`);
        else assert.equal(a.ids, expected(f, n), `${what}: ${f}`);
      }
      return narrowedReads(s.metrics) - from;
    };
    assert.ok(await same('indexed', N) >= 20, 'like reads were narrowed by the NGRAM indexes');

    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await untilIndexedAndLoaded(s, 'docs', N);
    await untilIndexesServed(s, 'docs');
    assert.equal({ ...(await s.client.describeIndex('docs', 'title_ngram'))[0]!.params }, { min_gram: 2, max_gram: 3 });
    assert.ok(await same('restarted', N) >= 20, 'the restarted query node uses them');

    await s.client.insert('docs', rows.slice(N));
    await s.client.flush('docs');
    await untilIndexedAndLoaded(s, 'docs', N + MORE);
    await untilIndexesServed(s, 'docs');
    assert.ok(await same('new segment', N + MORE) >= 20);

    // A compaction rewrites a segment without its deleted rows (a quarter: over the 0.2 ratio): its NGRAM indexes are built again from the new file.
    const gone = rows.slice(0, N).filter((x) => x.id % 4 === 1).map((x) => x.id);
    await s.client.delete('docs', { ids: gone });
    gone.forEach((id) => deleted.add(id));
    // The coordinator learns of the deletes a moment after they are written: compact until the files lose them.
    const { collectionId } = await s.client.describeCollection('docs');
    const persisted = async () => (await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId })).reduce((n, x) => n + x.rows, 0);
    for (let tries = 0; tries < 50 && (await persisted()) !== N + MORE - gone.length; tries++) {
      const { compactionID } = await s.client.compact('docs');
      for (let i = 0; i < 600 && (await s.client.getCompactionState(compactionID)).state !== 'Completed'; i++) await new Promise((res) => setTimeout(res, 100));
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.is(await persisted(), N + MORE - gone.length, 'the compaction rewrote the segment without its deleted rows');
    await untilIndexedAndLoaded(s, 'docs', N + MORE - gone.length);
    await untilIndexesServed(s, 'docs');
    assert.ok(await same('compacted', N + MORE) >= 20);

    await s.client.releaseCollection('docs');
    await s.client.dropIndex('docs', 'title_ngram');
    await s.client.loadCollection('docs');
    await untilIndexedAndLoaded(s, 'docs', N + MORE - gone.length);
    await untilIndexesServed(s, 'docs');
    await same('dropped', N + MORE);
    assert.equal((await s.client.listIndexes('docs')).sort(), ['body_ngram', 'vec']);
  } finally { await s.cleanup(); }
});

test('bad NGRAM requests are refused with typed errors, and change nothing', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'c', schema: { ...schema, fields: [...schema.fields, { name: 'n', dataType: 'Int64' }] }, metricType: 'L2' });
    const refused = async (fieldName: string, params: Record<string, string | number>, re: RegExp) => {
      try { await c.createIndex('c', { indexName: 'i', fieldName, indexType: 'NGRAM', params }); assert.unreachable('accepted'); } catch (e) {
        assert.instance(e, ValidationError); assert.is((e as ValidationError).code, 'InvalidArgument'); assert.match((e as Error).message, re);
      }
    };
    await refused('title', { min_gram: 2 }, /must specify both min_gram and max_gram/);
    await refused('title', { min_gram: 3, max_gram: 2 }, /invalid min_gram or max_gram/);
    await refused('title', { min_gram: 'a', max_gram: 2 }, /must be an integer/);
    await refused('n', { min_gram: 1, max_gram: 2 }, /NGRAM takes VarChar fields/);
    await refused('meta', { json_path: 'meta["body"]', json_cast_type: 'DOUBLE', min_gram: 1, max_gram: 2 }, /only supports json_cast_type VARCHAR/);
    await refused('meta', { json_path: 'meta["body"]', min_gram: 1, max_gram: 2 }, /must specify json_cast_type/);
    assert.equal(await c.describeIndex('c'), []);
  } finally { await s.cleanup(); }
});

test.run();
