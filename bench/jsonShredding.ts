/**
 * What JSON shredding buys a filter on JSON paths: a sealed segment of
 * ~200k event documents (modelled on JSONBench's Bluesky events, as Milvus's
 * own figures are: a typed int `time_us`, a typed string `kind`, nested
 * `commit.*`, a mixed-type key, a rare nested `identity.*`, lists, filler),
 * filtered by several JSON predicates, each measured over the same rows in
 * the same run twice: reading each row's parsed JSON (the column without its
 * shredded form) and reading the shredded columns. Every query compiles its
 * filter afresh (a literal drawn from its number), binds it to the segment and
 * counts the matching rows, as a query node does per segment; the counts must
 * agree. Also: the time to shred at load, a query node's load of the
 * segment file with and without the data node's shredded sidecar, and the
 * bytes the shredded columns hold against the rows' JSON. Then the growing
 * line (bench/support/growingShredding.ts): the first `--growing` documents
 * as a growing segment of inserts of `--chunk` rows, counted row by row and
 * over the chunks' shredded columns.
 *
 *   npm run bench -- jsonShredding [--n 200000] [--queries 40] [--reps 3] [--growing 50000] [--chunk 1000]
 *
 * Writes bench/results/jsonShredding.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countMatching, prepareFilter, type Columns } from '../messages/filter/index.js';
import type { CollectionSchema } from '../messages/schema.js';
import { shreddedOf } from '../messages/filter/shreddedJson.js';
import { JSON_SHREDDING_DEFAULTS, jsonColumnNames, shredColumns, shredSegment, shredSegmentWith, shreddedBytes } from '../actors/shared/segment/jsonShredding.js';
import { decodeSegmentFile, encodeSegmentFile, type SealedSegment } from '../actors/shared/segment/segmentFile.js';
import { decodeSidecar, encodeSidecar, sameOrigin, sidecarOrigin } from '../actors/shared/segment/shreddedSidecar.js';
import { mulberry32 } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';
import { measureGrowing } from './support/growingShredding.js';

const SCHEMA: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 2 }, { name: 'meta', dataType: 'JSON' }],
};
const KINDS = ['commit', 'commit', 'commit', 'commit', 'identity', 'account'];
const OPS = ['create', 'create', 'update', 'delete'];
const COLLECTIONS = ['app.bsky.feed.like', 'app.bsky.feed.post', 'app.bsky.graph.follow', 'app.bsky.feed.repost'];
const T0 = 1_732_000_000_000_000;

/** One event; `r` the seeded PRNG. */
function event(r: () => number, i: number): Record<string, unknown> {
  const kind = KINDS[Math.floor(r() * KINDS.length)]!;
  const d: Record<string, unknown> = { did: `did:plc:${(i * 2654435761 >>> 0).toString(36)}`, time_us: T0 + i * 1000 + Math.floor(r() * 1000), kind };
  d.seq = Math.floor(r() * 100_000);
  d.score = Math.round(r() * 1000) / 1000;
  if (r() < 0.85) d.verified = r() < 0.3;
  d.lang = r() < 0.6 ? 'en' : r() < 0.5 ? 'ja' : r() < 0.5 ? 7 : null; // mixed types: a dynamic key
  if (kind === 'commit') {
    d.commit = {
      rev: `3l${Math.floor(r() * 1e9).toString(36)}`, operation: OPS[Math.floor(r() * OPS.length)], collection: COLLECTIONS[Math.floor(r() * COLLECTIONS.length)],
      rkey: Math.floor(r() * 1e12).toString(36), record: { $type: 'app.bsky.feed.like', createdAt: '2024-11-20T10:00:00.000Z', subject: { cid: 'bafyrei' + Math.floor(r() * 1e15).toString(36) } },
      cid: 'bafyrei' + Math.floor(r() * 1e15).toString(36),
    };
  } else if (kind === 'identity') {
    d.identity = { seq: Math.floor(r() * 1e6), did: `did:plc:${Math.floor(r() * 1e9).toString(36)}`, handle: `user${i}.bsky.social` };
  } else d.account = { active: r() < 0.9, seq: Math.floor(r() * 1e6) };
  if (r() < 0.3) d.tags = ['news', 'tech', 'art'].slice(0, 1 + Math.floor(r() * 3));
  return d;
}

/** The filters measured; `of(q)` varies the literal with the query number so each query compiles its own. */
const FILTERS: ReadonlyArray<{ name: string; kind: string; of: (q: number) => string }> = [
  { name: 'time_us > t', kind: 'typed int', of: (q) => `meta["time_us"] > ${T0 + (q % 10) * 20_000_000}` },
  { name: 'kind == "commit"', kind: 'typed string', of: (q) => `meta["kind"] == "${q % 2 ? 'commit' : 'identity'}"` },
  { name: 'seq in [8 values]', kind: 'typed int', of: (q) => `meta["seq"] in [${Array.from({ length: 8 }, (_, j) => (q * 131 + j * 977) % 100_000).join(', ')}]` },
  { name: 'commit.operation and score', kind: 'nested typed', of: (q) => `meta["commit"]["operation"] == "create" and meta["score"] < ${0.1 + (q % 5) / 10}` },
  { name: 'lang == "ja"', kind: 'dynamic', of: (q) => `meta["lang"] == "${q % 2 ? 'ja' : 'en'}"` },
  { name: 'identity.seq > 0', kind: 'shared (rare, nested)', of: (q) => `meta["identity"]["seq"] > ${q % 3}` },
  { name: 'verified is null or false', kind: 'typed bool', of: (q) => (q % 2 ? 'meta["verified"] is null' : 'meta["verified"] == false') },
  { name: 'region == "eu" ($meta)', kind: 'dynamic field', of: (q) => `region == "${q % 2 ? 'eu' : 'us'}" and tier >= ${q % 3}` },
];

interface Figures { qps: number; p50Ms: number; p99Ms: number; counts: number[] }

function measure(cols: Columns, n: number, of: (q: number) => string, queries: number, reps: number): Figures {
  const one = (q: number): number => {
    // As a query node counts: only a predicate's support when it has one (messages/filter/rowSupport.ts).
    return countMatching(prepareFilter(of(q), SCHEMA)!.bind(cols), n);
  };
  for (let q = 0; q < Math.min(5, queries); q++) one(q); // warm-up
  const passes = [];
  for (let r = 0; r < reps; r++) {
    const lat: number[] = [], counts: number[] = [];
    const t0 = performance.now();
    for (let q = 0; q < queries; q++) { const a = performance.now(); counts.push(one(q)); lat.push(performance.now() - a); }
    passes.push({ ms: performance.now() - t0, lat, counts });
  }
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  return { qps: (queries / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99!, counts: mid.counts };
}

/**
 * A query node's load of the segment file, with and without the data node's
 * sidecar (actors/shared/segment/shreddedSidecar.ts): decode the file, then
 * shred its JSON columns, or decode the sidecar, check it fits and attach it.
 */
function measureLoad(n: number, text: string[], dynText: string[], reps: number) {
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 1, partitionId: 1, vchannel: 'v', count: n, dim: 2, pks: Array.from({ length: n }, (_, i) => i), tsos: Array.from({ length: n }, () => 1n),
    vectors: new Float32Array(2 * n), fields: { meta: text.map((t) => JSON.parse(t) as unknown), $meta: dynText.map((t) => JSON.parse(t) as unknown) },
  };
  const file = encodeSegmentFile(seg);
  const names = jsonColumnNames(SCHEMA);
  let t = performance.now();
  const sidecar = encodeSidecar(sidecarOrigin(file, JSON_SHREDDING_DEFAULTS), shredColumns(seg, names, JSON_SHREDDING_DEFAULTS));
  const writeMs = performance.now() - t;
  const shredLoad: number[] = [], sidecarLoad: number[] = [], decodeOnly: number[] = [];
  for (let r = 0; r < reps; r++) {
    t = performance.now();
    decodeSegmentFile(file);
    decodeOnly.push(performance.now() - t);
    t = performance.now();
    const a = shredSegmentWith(decodeSegmentFile(file), SCHEMA, JSON_SHREDDING_DEFAULTS);
    shredLoad.push(performance.now() - t);
    t = performance.now();
    const sc = decodeSidecar(sidecar);
    if (!sameOrigin(sc.origin, sidecarOrigin(file, JSON_SHREDDING_DEFAULTS))) throw new Error('the sidecar does not fit its own file');
    const b = shredSegmentWith(decodeSegmentFile(file), SCHEMA, JSON_SHREDDING_DEFAULTS, sc.columns);
    sidecarLoad.push(performance.now() - t);
    if (a.shredded.length !== 2 || b.prepared.length !== 2) throw new Error('load did not shred or take the sidecar');
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;
  return { fileBytes: file.length, sidecarBytes: sidecar.length, writeMs, decodeMs: median(decodeOnly), shredLoadMs: median(shredLoad), sidecarLoadMs: median(sidecarLoad) };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 200_000), queries = numberOption(args, 'queries', 40), reps = numberOption(args, 'reps', 3);
  const r = mulberry32(11);
  // The rows as a loaded segment holds them: parsed from JSON text.
  const text = Array.from({ length: n }, (_, i) => JSON.stringify(event(r, i)));
  const dynText = Array.from({ length: n }, (_, i) => JSON.stringify({ region: ['eu', 'us', 'apac'][i % 3], tier: i % 4, ...(i % 10 === 0 ? { note: 'x' } : {}) }));
  const meta = text.map((t) => JSON.parse(t) as unknown), dyn = dynText.map((t) => JSON.parse(t) as unknown);
  const ids = Array.from({ length: n }, (_, i) => i);
  const rowsOnly: Columns = { id: ids, meta: meta.slice(), $meta: dyn.slice() };

  const seg = { count: n, fields: { meta, $meta: dyn } } as unknown as SealedSegment;
  const t0 = performance.now();
  shredSegment(seg, SCHEMA, JSON_SHREDDING_DEFAULTS);
  const shredMs = performance.now() - t0;
  const shredded: Columns = { id: ids, meta, $meta: dyn };
  const sm = shreddedOf(meta)!, sd = shreddedOf(dyn)!;
  const classes = [...sm.paths].reduce<Record<string, number>>((acc, [, p]) => { const k = p.kind === 'typed' ? `typed ${p.type}` : p.kind; acc[k] = (acc[k] ?? 0) + 1; return acc; }, {});
  const jsonBytes = 2 * (text.reduce((s, t) => s + t.length, 0) + dynText.reduce((s, t) => s + t.length, 0));
  const shredBytes = shreddedBytes(sm) + shreddedBytes(sd);

  const load = measureLoad(n, text, dynText, reps);

  const rows: Figures[] = [], shred: Figures[] = [];
  for (const f of FILTERS) {
    rows.push(measure(rowsOnly, n, f.of, queries, reps));
    shred.push(measure(shredded, n, f.of, queries, reps));
  }
  const same = FILTERS.map((_, i) => rows[i]!.counts.every((c, j) => c === shred[i]!.counts[j]));
  console.log(`\n${n} JSON rows (avg ${Math.round(text.reduce((s, t) => s + t.length, 0) / n)} B of JSON text), ${queries} queries per filter, median of ${reps} passes; a query = compile + bind + count over the segment`);
  console.log(`shredded at load in ${shredMs.toFixed(0)} ms: meta paths ${JSON.stringify(classes)}; $meta paths ${sd.paths.size}`);
  printTable(['filter', 'key class', 'matches', 'QPS rows', 'QPS shredded', 'x', 'p50 ms rows', 'p50 ms shredded', 'p99 ms rows', 'p99 ms shredded', 'same counts'], FILTERS.map((f, i) => {
    const a = rows[i]!, b = shred[i]!;
    return [f.name, f.kind, `${(100 * a.counts[0]! / n).toFixed(1)}%`, a.qps, b.qps, (b.qps / a.qps).toFixed(2), a.p50Ms, b.p50Ms, a.p99Ms, b.p99Ms, same[i] ? 'yes' : 'NO'];
  }));
  console.log(`load of the segment file (${(load.fileBytes / 2 ** 20).toFixed(1)} MiB), median of ${reps}: decode alone ${load.decodeMs.toFixed(0)} ms; decode + shred ${load.shredLoadMs.toFixed(0)} ms; decode + sidecar (${(load.sidecarBytes / 2 ** 20).toFixed(1)} MiB) ${load.sidecarLoadMs.toFixed(0)} ms (${(load.shredLoadMs / load.sidecarLoadMs).toFixed(2)}x); the data node's extra work at flush (shred + encode the sidecar) ${load.writeMs.toFixed(0)} ms`);
  console.log(`memory: rows' JSON ${(jsonBytes / 2 ** 20).toFixed(1)} MiB (2 B a character of JSON text, as segmentBytes counts), shredded columns ${(shredBytes / 2 ** 20).toFixed(1)} MiB (${(100 * shredBytes / jsonBytes).toFixed(0)}%)`);
  const growingN = Math.min(n, numberOption(args, 'growing', 50_000)), chunk = numberOption(args, 'chunk', 1000);
  const g = measureGrowing(SCHEMA, text.slice(0, growingN), dynText.slice(0, growingN), chunk, FILTERS, queries, reps);
  console.log(`\ngrowing segment: ${growingN} rows in inserts of ${chunk} (one chunk each), a query = compile + count over the growing rows (queryGrowing); fold ${g.foldMs.toFixed(0)} ms row only, ${g.foldShreddedMs.toFixed(0)} ms shredding as appended; shredded columns ${(g.shreddedBytes / 2 ** 20).toFixed(1)} MiB`);
  printTable(['filter', 'key class', 'QPS growing rows', 'QPS growing shredded', 'x', 'same counts'], FILTERS.map((f, i) => [f.name, f.kind, g.rows[i]!.qps, g.shred[i]!.qps, (g.shred[i]!.qps / g.rows[i]!.qps).toFixed(2), g.same[i] ? 'yes' : 'NO']));
  if (same.includes(false) || g.same.includes(false)) throw new Error('a filter counted differently over the shredded columns');
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const strip = ({ counts, ...rest }: Figures) => ({ ...rest, firstCount: counts[0] });
  writeFileSync(`${out}jsonShredding.json`, `${JSON.stringify({
    n, queries, reps, shredMs, classes, load, memory: { jsonBytes, shreddedBytes: shredBytes, ratio: shredBytes / jsonBytes },
    filters: FILTERS.map((f, i) => ({ name: f.name, keyClass: f.kind, example: f.of(0), rows: strip(rows[i]!), shredded: strip(shred[i]!), speedup: shred[i]!.qps / rows[i]!.qps })),
    growing: {
      rows: growingN, chunkRows: chunk, foldMs: g.foldMs, foldShreddedMs: g.foldShreddedMs, shreddedBytes: g.shreddedBytes,
      filters: FILTERS.map((f, i) => ({ name: f.name, rowsQps: g.rows[i]!.qps, shreddedQps: g.shred[i]!.qps, speedup: g.shred[i]!.qps / g.rows[i]!.qps, firstCount: g.rows[i]!.counts[0] })),
    },
    date: new Date().toISOString(),
  }, null, 2)}\n`);
  console.log('wrote bench/results/jsonShredding.json');
}
