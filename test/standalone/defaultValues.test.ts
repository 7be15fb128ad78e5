import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { decodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { decodeMessage } from '../../messages/codec.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { CollectionSchema, FieldSchema, Rows } from '../../messages/schema.js';
import type { RowObject } from '../../runtime/client/api.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { until } from '../support/until.js';
import { defaultsRow, defaultsRows, defaultsSchema, DEFAULTS_OUTPUT, FILLED, storedRow } from './defaultRows.js';
import { tempStandalone } from './harness.js';

/**
 * Default values end to end on one standalone: rows that omit a defaulted
 * field or give null for it are written with the default itself, so the WAL,
 * its replay after a restart, the flushed segment files and every read hold
 * the same concrete value; upserts fill defaults the same way; a default that
 * does not fit its field is refused at create.
 */
type S = Awaited<ReturnType<typeof tempStandalone>>;
const byId = (a: RowObject, b: RowObject) => (a.id as number) - (b.id as number);
/** The fields a default applies to, with the nullable one that has none. */
const SCALARS = Object.keys(FILLED);

async function readsMatch(s: S, want: RowObject[], stage: string): Promise<void> {
  const all = await s.client.query('c', { filter: 'id >= 0', outputFields: DEFAULTS_OUTPUT, consistencyLevel: 'Strong' });
  assert.equal(all.sort(byId), want, `${stage}: query returns the defaults as values`);
  // Filters see the default as a stored value, not as null.
  for (const [filter, pick] of [
    ['status == "active"', (r: RowObject) => r.status === 'active'],
    ['big == 1099511627777 and small == 300', (r: RowObject) => r.big === 1099511627777 && r.small === 300],
    ['flag == true and d < 0', (r: RowObject) => r.flag === true && (r.d as number) < 0],
    ['note is null', (r: RowObject) => r.note === null],
  ] as const) {
    const got = await s.client.query('c', { filter, outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.equal(got.map((r) => r.id).sort((a, b) => (a as number) - (b as number)), want.filter(pick).map((r) => r.id), `${stage}: ${filter}`);
  }
  const picked = want[4]!;
  const [hits] = await s.client.search('c', { data: [defaultsRow(picked.id as number).vec as number[]], limit: 3, filter: 'tiny == -7', outputFields: DEFAULTS_OUTPUT, consistencyLevel: 'Strong' });
  assert.equal({ id: hits![0]!.id, ...hits![0]!.fields }, picked, `${stage}: search returns the nearest row's defaults`);
  assert.ok(hits!.every((h) => h.fields.tiny === -7), `${stage}: search filtered on a default`);
}

/** Each row of `collectionId` as its Insert messages in the WAL hold it (the last write of a key wins). */
async function walRows(dataDir: string, collectionId: number): Promise<Map<number, Record<string, unknown>>> {
  const wal = new LocalWalBackend(join(dataDir, 'wal'));
  const out = new Map<number, Record<string, unknown>>();
  try {
    for (const pchannel of ['dml_0', 'dml_1', 'dml_2', 'dml_3']) {
      for await (const batch of wal.read(pchannel, await wal.firstPosition(pchannel))) {
        for (const rec of batch) {
          const m = decodeMessage(rec.payload);
          if (m.header.type !== 'Insert' || (m.body as { collectionId: number }).collectionId !== collectionId) continue;
          const rows = (m.body as { rows: Rows }).rows;
          rows.pks.forEach((pk, i) => out.set(pk as number, Object.fromEntries(Object.entries(rows.fields).map(([k, col]) => [k, col[i]]))));
        }
      }
    }
  } finally { await wal.close(); }
  return out;
}

/** The scalar columns a stored row holds, as the test's expected row says them. */
const columnsOf = (r: RowObject) => Object.fromEntries(SCALARS.map((k) => [k, r[k]]));

test('defaults are written into the WAL and segment files; reads before and after flush and restarts give them back; upserts fill them too', async () => {
  let s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema: defaultsSchema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: {} }], load: true });
    const d = await s.client.describeCollection('c');
    assert.equal(d.schema.fields.map((f) => f.defaultValue), defaultsSchema.fields.map((f) => f.defaultValue), 'describe shows the defaults');
    await s.client.insert('c', defaultsRows(0, 30));
    let want = Array.from({ length: 30 }, (_, i) => storedRow(i));
    await readsMatch(s, want, 'growing');

    // The WAL itself holds the defaults: nothing is left for a reader to fill in.
    const { dataDir } = s;
    await s.stop();
    const logged = await walRows(dataDir, d.collectionId);
    assert.is(logged.size, 30);
    for (const r of want) assert.equal(columnsOf(logged.get(r.id as number)!), columnsOf(r), `WAL row ${String(r.id)}`);
    s = await tempStandalone({ dataDir });
    await readsMatch(s, want, 'restarted: replayed from the WAL');

    await s.client.flush('c');
    await until(async () => (await s.client.describeIndex('c'))[0]!.indexedRows === 30 && (await s.client.getLoadState('c')).loadProgress === 100, 'the flushed segments to be served', 60_000);
    const objects = new LocalObjectStore(join(dataDir, 'objects'));
    try {
      const keys = (await objects.list(`segments/${d.collectionId}/`)).map((o) => o.key).filter((k) => k.endsWith('.seg'));
      const filed = new Map<number, Record<string, unknown>>();
      for (const key of keys) {
        const seg = decodeSegmentFile((await objects.get(key))!);
        seg.pks.forEach((pk, i) => filed.set(pk as number, Object.fromEntries(SCALARS.map((k) => [k, seg.fields[k]![i]]))));
      }
      assert.is(filed.size, 30, `rows in ${keys.join(', ')}`);
      for (const r of want) assert.equal(filed.get(r.id as number), columnsOf(r), `segment file row ${String(r.id)}`);
    } finally { await objects.close(); }
    await readsMatch(s, want, 'sealed');

    // Upsert replaces whole rows: omitted fields take their defaults, not the old values.
    await s.client.upsert('c', [{ id: 2, vec: defaultsRow(2).vec, n: 2, color: 'red' }, { ...defaultsRow(5), status: null, note: 'kept' }, { ...defaultsRow(3), tiny: 5 }]);
    await s.client.insert('c', defaultsRows(30, 6));
    want = [...want, ...Array.from({ length: 6 }, (_, i) => storedRow(30 + i))].map((r) =>
      r.id === 2 ? { ...r, ...FILLED } : r.id === 5 ? { ...r, status: 'active', note: 'kept' } : r.id === 3 ? { ...r, tiny: 5 } : r);
    await readsMatch(s, want, 'upserted beside sealed');
    await s.stop();
    s = await tempStandalone({ dataDir });
    await readsMatch(s, want, 'restarted over segment files and the WAL');
  } finally { await s.cleanup(); }
});

test('a default that does not fit its field is refused at create, naming the field; a required field without one is still required', async () => {
  const s = await tempStandalone();
  try {
    const pk: FieldSchema = { name: 'id', dataType: 'Int64', isPrimary: true };
    const vec: FieldSchema = { name: 'vec', dataType: 'FloatVector', dim: 2 };
    const bad: [FieldSchema[], string, RegExp][] = [
      [[pk, vec, { name: 'age', dataType: 'Int8', defaultValue: 300 }], 'age', /the default value of field 'age' must be an Int8 integer/],
      [[pk, vec, { name: 'status', dataType: 'VarChar', maxLength: 4, defaultValue: 'active' }], 'status', /the length \(6 UTF-8 bytes\) of the default value of field 'status' exceeds max length \(4\)/],
      [[pk, vec, { name: 'ok', dataType: 'Bool', defaultValue: 'yes' }], 'ok', /the default value of field 'ok' must be a boolean/],
      [[pk, vec, { name: 'w', dataType: 'Float', defaultValue: 1e40 }], 'w', /out of the float32 range/],
      [[pk, vec, { name: 'j', dataType: 'JSON', defaultValue: 'x' }], 'j', /field 'j' is JSON and cannot have a default value/],
      [[pk, vec, { name: 'a', dataType: 'Array', elementType: 'Int64', maxCapacity: 2, defaultValue: 1 }], 'a', /field 'a' is Array and cannot have a default value/],
      [[{ ...pk, defaultValue: 1 }, vec], 'id', /primary key 'id' cannot have a default value/],
      [[pk, { ...vec, defaultValue: 0 }], 'vec', /field 'vec' is FloatVector and cannot have a default value/],
    ];
    for (const [fields, field, message] of bad) {
      const e = await s.client.createCollection({ collectionName: 'bad', schema: { fields }, metricType: 'L2' }).then(() => null, (x: unknown) => x);
      // Refused by the coordinator: the ValidationError comes back over the bus as its code.
      assert.instance(e, NuthatchError, String(message));
      assert.is((e as NuthatchError).code, 'InvalidArgument');
      assert.match((e as Error).message, message);
      assert.is((e as NuthatchError).info.field, field);
    }
    assert.equal(await s.client.listCollections(), []);

    const schema: CollectionSchema = { fields: [pk, vec, { name: 'age', dataType: 'Int8', defaultValue: 1 }, { name: 'n', dataType: 'Int32' }] };
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', load: true });
    const e = await s.client.insert('c', [{ id: 1, vec: [0, 1], n: 1 }, { id: 2, vec: [1, 0], n: null }]).then(() => null, (x: unknown) => x);
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /row 1: field 'n' is null, but it is not nullable/);
    assert.equal(await s.client.query('c', { filter: 'id >= 0', consistencyLevel: 'Strong' }), [], 'nothing of the refused batch is written');
    await s.client.insert('c', [{ id: 1, vec: [0, 1], n: 1 }]);
    assert.equal(await s.client.query('c', { filter: 'id >= 0', outputFields: ['age', 'n'], consistencyLevel: 'Strong' }), [{ id: 1, age: 1, n: 1 }]);
  } finally { await s.cleanup(); }
});

test.run();
