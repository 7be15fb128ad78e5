/**
 * JSON shredding knobs on a real cluster whose nodes disagree: the streaming
 * node (growing chunks), the data node (the sidecar it writes at flush) and
 * the query node (sealed segments at load) each get other
 * `--json-shredding` values. Growing rows are filtered over the streaming
 * node's columns, sealed ones over the query node's: the query node refuses
 * the sidecar made under the data node's knobs (it logs so) and shreds at
 * load under its own, and every answer, before and after the flush, is the
 * one evaluated here over the rows as written.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { prng, vectorOf } from './support/data.js';

const DIM = 4, NAME = 'shredknobs', N = 3000;
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vector', dataType: 'FloatVector', dim: DIM }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const r = prng(8);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const rows = Array.from({ length: N }, (_, id) => {
  const meta: Record<string, unknown> = { price: id % 100 };
  if (r() < 0.9) meta.kind = pick(['a', 'b', 'c']);
  if (r() < 0.6) meta.code = pick([1, 'A', true, null]);
  if (r() < 0.2) meta.promo = pick(['spring', 5]);                  // rare: shared or a column, by the node's threshold
  if (r() < 0.4) meta.owner = { age: id % 70, tag: pick(['x', 'y', null]) };
  return { id, vector: vectorOf(3, id, DIM), meta: id % 37 === 0 ? null : meta, ...(id % 3 === 0 ? { note: pick(['n', 1]) } : {}) };
});
const FILTERS = [
  'meta["price"] > 50', 'meta["kind"] == "b"', 'meta["code"] == 1', 'meta["code"] != "A"', 'meta["promo"] == "spring"', 'meta["promo"] is null',
  'not (meta["promo"] == 5)', 'meta["owner"]["age"] >= 30', 'meta["owner"]["tag"] is null', 'meta["owner"]["tag"] != "x" or meta["price"] < 3',
  'note == "n"', 'note is null',
];

function expected(filter: string): number[] {
  const f = prepareFilter(filter, schema)!;
  const pass = f.bind({ id: rows.map((x) => x.id), meta: rows.map((x) => x.meta), $meta: rows.map((x) => ('note' in x ? { note: x.note } : {})) });
  return rows.flatMap((x, i) => (pass(i) ? [x.id] : []));
}

if (haveServices('cluster: JSON shredding knobs')) {
  let cluster: TestCluster | undefined;
  const lines: string[] = [];
  test.before(async () => {
    cluster = await startTestCluster({
      topology: { 'streaming-node': 1, 'query-node': 1 },
      echo: (nodeId, line) => { lines.push(`${nodeId} ${line}`); },
      roleArgs: {
        'streaming-node': ['--json-shredding', 'jsonShreddingRatioThreshold=0.5,jsonShreddingMaxColumns=2'],
        'data-node': ['--json-shredding', 'dataCoord.jsonShreddingRatioThreshold=0.9'],
        'query-node': ['--json-shredding', 'jsonShreddingRatioThreshold=0.05'],
      },
    });
  });
  test.after(async () => { await cluster?.stop(); });

  test('nodes with different shredding knobs give the answers of the rows, growing and sealed', async () => {
    const c = cluster!.client;
    await c.createCollection({ collectionName: NAME, schema, metricType: 'L2', shardsNum: 1, load: true });
    for (let i = 0; i < N; i += 500) await c.insert(NAME, rows.slice(i, i + 500));
    const check = async (when: string) => {
      for (const filter of FILTERS) {
        const found = await c.query(NAME, { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
        const [{ 'count(*)': count }] = await c.query(NAME, { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
        const want = expected(filter);
        assert.equal(found.map((x) => Number(x.id)).sort((a, b) => a - b), want, `${when}: ${filter}`);
        assert.is(Number(count), want.length, `${when}: count of ${filter}`);
      }
    };
    await check('growing');
    await c.flush(NAME);
    await eventually('sealed segments served', async () => (await c.getLoadState(NAME)).loadProgress === 100 && lines.some((l) => /other shredding knobs: shredding at load/.test(l)), 120_000);
    await check('sealed');
    assert.ok(lines.some((l) => l.startsWith('query-node') && /\.shred was made from another file or other shredding knobs/.test(l)), 'the query node refused the data node\'s sidecar');
  });
}

test.run();
