/**
 * Specifies the shredded JSON sidecar (actors/shared/segment/shreddedSidecar.ts):
 * what a data node writes decodes to the very layout shredding gives, so
 * filters bound to it answer as the reference interpreter does; it serves
 * only the segment file and knobs it was made from; damage is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countMatching, matchingRows, prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { ShreddedJson, ShreddedPath } from '../../messages/filter/shreddedJson.js';
import { jsonColumnNames, shredColumns, shredSegmentWith } from '../../actors/shared/segment/jsonShredding.js';
import { decodeSidecar, encodeSidecar, sameOrigin, sidecarOrigin } from '../../actors/shared/segment/shreddedSidecar.js';
import { encodeSegmentFile, type SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { dataKeyOfSidecar, shreddedSidecarKey } from '../../actors/shared/segment/segmentKeys.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { rng, toColumns } from './fixtures.js';
import { interpret } from './referenceInterpreter.js';
import { genDoc, genJsonFilter } from './jsonDocs.js';

const SCHEMA: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const CFG = { jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 };

function randomSegment(seed: number, n: number): { rows: Record<string, unknown>[]; seg: SealedSegment } {
  const r = rng(seed);
  const rows = Array.from({ length: n }, (_, id) => ({ id, meta: genDoc(r), $meta: genDoc(r) ?? {} }));
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 1, partitionId: 1, vchannel: 'v', count: n, dim: 2, pks: rows.map((x) => x.id), tsos: rows.map(() => 1n),
    vectors: new Float32Array(2 * n), fields: { meta: rows.map((x) => x.meta), $meta: rows.map((x) => x.$meta) },
  };
  return { rows, seg };
}

/** A shredded path as plain values, to compare two layouts. */
const plain = (p: ShreddedPath): unknown => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, ArrayBuffer.isView(v) ? [(v as { constructor: { name: string } }).constructor.name, ...(v as unknown as ArrayLike<number>) as unknown as number[]] : v]));
const layout = (s: ShreddedJson) => ({ rowCount: s.rowCount, paths: Object.fromEntries([...s.paths].map(([k, p]) => [k, plain(p)])) });

test('a sidecar decodes to the layout shredding gives, under every kind of knob', () => {
  const { seg } = randomSegment(5, 300);
  const file = encodeSegmentFile(seg);
  for (const cfg of [CFG, { jsonShreddingRatioThreshold: 0, jsonShreddingMaxColumns: 1024 }, { jsonShreddingRatioThreshold: 1, jsonShreddingMaxColumns: 0 }]) {
    const cols = shredColumns(seg, jsonColumnNames(SCHEMA), cfg);
    const back = decodeSidecar(encodeSidecar(sidecarOrigin(file, cfg), cols));
    assert.ok(sameOrigin(back.origin, sidecarOrigin(file, cfg)));
    assert.equal([...back.columns.keys()], ['meta', '$meta']);
    for (const [name, s] of cols) assert.equal(layout(back.columns.get(name)!), layout(s), `${name} ${JSON.stringify(cfg)}`);
  }
});

test('filters over a loaded sidecar answer as the interpreter, scans of shared paths included', () => {
  const { rows, seg } = randomSegment(9, 300);
  const file = encodeSegmentFile(seg);
  const sidecar = decodeSidecar(encodeSidecar(sidecarOrigin(file, CFG), shredColumns(seg, ['meta', '$meta'], CFG)));
  const cols = toColumns(rows, ['id', 'meta', '$meta']);
  const done = shredSegmentWith({ ...seg, fields: cols as Record<string, unknown[]> }, SCHEMA, { enabledJSONShredding: true, ...CFG }, sidecar.columns);
  assert.equal(done, { shredded: [], prepared: ['meta', '$meta'] });
  const r = rng(10);
  let checked = 0;
  for (let n = 0; n < 300; n++) {
    const text = genJsonFilter(r);
    let f;
    try { f = prepareFilter(text, SCHEMA)!; } catch (e) { if (e instanceof ValidationError) continue; throw e; }
    const p = f.bind(cols);
    const want = rows.flatMap((row, i) => (interpret(f.expr, row) === true ? [i] : []));
    assert.equal(matchingRows(p, rows.length), want, text);
    assert.is(countMatching(p, rows.length), want.length, text);
    checked++;
  }
  assert.ok(checked > 200, `${checked} filters`);
});

test('a sidecar serves only its segment file and knobs; a column it lacks, or of another row count, is shredded at load', () => {
  const { seg } = randomSegment(3, 100);
  const file = encodeSegmentFile(seg);
  const other = encodeSegmentFile({ ...seg, fields: { ...seg.fields, meta: seg.fields.meta!.map((d, i) => (i === 0 ? { changed: true } : d)) } });
  const at = sidecarOrigin(file, CFG);
  assert.not.ok(sameOrigin(at, sidecarOrigin(other, CFG)), 'another file');
  assert.not.ok(sameOrigin(at, sidecarOrigin(file, { ...CFG, jsonShreddingRatioThreshold: 0.5 })), 'another threshold');
  assert.not.ok(sameOrigin(at, sidecarOrigin(file, { ...CFG, jsonShreddingMaxColumns: 10 })), 'another cap');
  const only = shredColumns(seg, ['meta'], CFG);
  const fresh = { ...seg, fields: { meta: seg.fields.meta!.slice(), $meta: seg.fields.$meta!.slice() } };
  assert.equal(shredSegmentWith(fresh, SCHEMA, { enabledJSONShredding: true, ...CFG }, only), { shredded: ['$meta'], prepared: ['meta'] });
  const short = new Map([['meta', { ...only.get('meta')!, rowCount: 99 }]]);
  const again = { ...seg, fields: { meta: seg.fields.meta!.slice(), $meta: seg.fields.$meta!.slice() } };
  assert.equal(shredSegmentWith(again, SCHEMA, { enabledJSONShredding: true, ...CFG }, short), { shredded: ['meta', '$meta'], prepared: [] });
});

test('a damaged sidecar, or one whose shared rows are out of order, is refused', () => {
  const { seg } = randomSegment(4, 100);
  const bytes = encodeSidecar(sidecarOrigin(encodeSegmentFile(seg), CFG), shredColumns(seg, ['meta'], CFG));
  const flipped = bytes.slice();
  flipped[flipped.length - 3]! ^= 1;
  assert.throws(() => decodeSidecar(flipped), (e: unknown) => e instanceof DecodeError);
  assert.throws(() => decodeSidecar(bytes.subarray(0, 8)), (e: unknown) => e instanceof DecodeError);
  const unsorted = encodeSidecar(sidecarOrigin(new Uint8Array(12), CFG), new Map([['meta', { rowCount: 100, paths: new Map<string, ShreddedPath>([['["e"]', { kind: 'shared', rows: Int32Array.from([5, 3]) }]]) }]]));
  assert.throws(() => decodeSidecar(unsorted), (e: unknown) => e instanceof DecodeError && /ascending/.test(e.message));
});

test('sidecar keys: beside the data file, with its version', () => {
  assert.is(shreddedSidecarKey('segments/7/70/data.seg'), 'segments/7/70/data.shred');
  assert.is(shreddedSidecarKey('segments/7/70/data-500.seg'), 'segments/7/70/data-500.shred');
  assert.is(dataKeyOfSidecar('segments/7/70/data-500.shred'), 'segments/7/70/data-500.seg');
  assert.is(dataKeyOfSidecar('segments/7/70/index-v.hnsw'), undefined);
});

test.run();
