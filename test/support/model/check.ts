import * as assert from 'uvu/assert';
import type { NuthatchApi } from '../../../runtime/client/api.js';
import { DIM, l2, PARTS, type Model } from './rows.js';

/**
 * Strong reads of `collection` against `model`: count, a filtered query (in a
 * partition or all), a count on the field added halfway, get by ids, and an
 * exact filtered search. `r` picks the filters.
 */
export async function check(client: NuthatchApi, collection: string, model: Model, r: () => number, where: string, extraAdded: boolean): Promise<void> {
  const strong = { consistencyLevel: 'Strong' as const };
  const count = await client.query(collection, { filter: 'id >= 0', outputFields: ['count(*)'], ...strong });
  if (count[0]!['count(*)'] !== model.size) {
    // Say which rows differ: that is where a hunt starts.
    const ids = new Set((await client.query(collection, { filter: 'id >= 0', outputFields: ['id'], limit: 16384, ...strong })).map((x) => x.id as number));
    const extra = [...ids].filter((id) => !model.has(id)), missing = [...model.keys()].filter((id) => !ids.has(id));
    assert.is(count[0]!['count(*)'], model.size, `${where}: count(*); rows not in the model: ${extra.join(',') || 'none'}; rows missing: ${missing.join(',') || 'none'}`);
  }

  const cat = Math.floor(r() * 4);
  const part = r() < 0.3 ? PARTS[Math.floor(r() * PARTS.length)]! : undefined;
  const rows = await client.query(collection, { filter: `cat == ${cat} and (tag == "a" or tag is null)`, outputFields: ['id', 'tag', 'score'], limit: 16384, ...(part ? { partitionNames: [part] } : {}), ...strong });
  const want = [...model.values()].filter((row) => row.cat === cat && (row.tag === 'a' || row.tag === null) && (!part || row.part === part)).sort((a, b) => a.id - b.id);
  assert.equal(rows.map((x) => x.id as number).sort((a, b) => a - b), want.map((x) => x.id), `${where}: filtered query ids`);
  const byId = new Map(rows.map((x) => [x.id as number, x]));
  for (const w of want) {
    assert.is(byId.get(w.id)!.tag ?? null, w.tag, `${where}: tag of ${w.id}`);
    assert.is(byId.get(w.id)!.score, w.score, `${where}: score of ${w.id}`);
  }

  if (extraAdded) {
    const above = Math.floor(r() * 100);
    const n = await client.query(collection, { filter: `extra is null or extra > ${above}`, outputFields: ['count(*)'], ...strong });
    assert.is(n[0]!['count(*)'], [...model.values()].filter((row) => row.extra == null || row.extra > above).length, `${where}: count of extra is null or > ${above}`);
  }

  const ids = Array.from({ length: 8 }, () => Math.floor(r() * (Math.max(...model.keys(), 0) + 3)));
  const got = await client.get(collection, ids, { outputFields: ['id', 'cat', 'tag', 'score', 'vec', ...(extraAdded ? ['extra'] : [])], ...strong });
  const wantGot = [...new Set(ids)].filter((id) => model.has(id)).sort((a, b) => a - b);
  assert.equal(got.map((x) => x.id as number).sort((a, b) => a - b), wantGot, `${where}: get ids`);
  for (const x of got) {
    const m = model.get(x.id as number)!;
    const extra = (row: { extra?: unknown }) => (extraAdded ? { extra: row.extra ?? null } : {});
    assert.equal({ cat: x.cat, tag: x.tag ?? null, score: x.score, vec: [...(x.vec as number[])], ...extra(x) }, { cat: m.cat, tag: m.tag, score: m.score, vec: m.vec, ...extra(m) }, `${where}: row ${m.id}`);
  }

  const q = Array.from({ length: DIM }, () => r() * 2 - 1);
  const above = Math.floor(r() * 60);
  const hits = (await client.search(collection, { data: [q], annsField: 'vec', limit: 10, filter: `score > ${above}`, ...strong }))[0]!;
  const exact = [...model.values()].filter((row) => row.score > above).map((row) => ({ id: row.id, d: l2(q, row.vec) })).sort((a, b) => a.d - b.d).slice(0, 10);
  assert.is(hits.length, exact.length, `${where}: search hit count`);
  hits.forEach((h, i) => {
    assert.ok(Math.abs(h.distance - exact[i]!.d) < 1e-4, `${where}: hit ${i} distance ${h.distance} vs ${exact[i]!.d}`);
    // Ids agree except where two rows are (all but) equally near.
    if (Math.abs(exact[i]!.d - (exact[i + 1]?.d ?? Infinity)) > 1e-4 && Math.abs(exact[i]!.d - (exact[i - 1]?.d ?? -Infinity)) > 1e-4) assert.is(h.id, exact[i]!.id, `${where}: hit ${i}`);
  });
}
