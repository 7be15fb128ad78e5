import { f32, newRow, PARTS, pick, someIds, stored, type RunState } from './rows.js';

/**
 * The model check's writes, each applied to the collection and then to the
 * model: inserts, upserts, partial upserts, and deletes by ids (in a partition
 * or all), by filter, and by a filter on the field added halfway.
 */
export async function insert(s: RunState): Promise<void> {
  const part = pick(s, PARTS);
  const rows = Array.from({ length: 1 + Math.floor(s.r() * 20) }, () => newRow(s, s.nextId++, part));
  await s.client.insert(s.name, rows.map(stored), part);
  for (const row of rows) s.model.set(row.id, row);
}

export async function upsert(s: RunState): Promise<void> {
  const ids = [...new Set(someIds(s, 1 + Math.floor(s.r() * 8)))];
  // An upsert names the partition its key lives in (a key in two partitions is two rows).
  const all = ids.map((id) => newRow(s, id));
  for (const part of PARTS) {
    const rows = all.filter((row) => row.part === part);
    if (rows.length > 0) await s.client.upsert(s.name, rows.map(stored), part);
    for (const row of rows) s.model.set(row.id, row);
  }
  s.nextId = Math.max(s.nextId, ...ids.map((id) => id + 1));
}

export async function partialUpsert(s: RunState): Promise<void> {
  const { r } = s;
  const ids = [...new Set(someIds(s, 6))].filter((id) => s.model.has(id));
  if (ids.length === 0) return;
  const changes = ids.map((id) => ({ id, score: f32(r() * 100), ...(r() < 0.5 ? { tag: pick(s, ['a', 'b', null]) } : {}), ...(s.extraAdded && r() < 0.5 ? { extra: Math.floor(r() * 100) } : {}) }));
  for (const part of PARTS) {
    const mine = changes.filter((ch) => s.model.get(ch.id)!.part === part);
    if (mine.length > 0) await s.client.upsert(s.name, mine, part, { partialUpdate: true });
  }
  for (const ch of changes) s.model.set(ch.id, { ...s.model.get(ch.id)!, ...ch });
}

export async function deleteIds(s: RunState): Promise<void> {
  const ids = someIds(s, 1 + Math.floor(s.r() * 6));
  // Half the deletes name a partition: they reach only its rows.
  const part = s.r() < 0.5 ? pick(s, PARTS) : undefined;
  if (process.env.MODEL_TRACE) console.log(`  delete ids ${ids} in ${part ?? 'every partition'}: model parts ${ids.map((id) => s.model.get(id)?.part ?? '-')}`);
  await s.client.delete(s.name, { ids, ...(part ? { partitionName: part } : {}) });
  for (const id of ids) if (!part || s.model.get(id)?.part === part) s.model.delete(id);
}

export async function deleteByFilter(s: RunState): Promise<void> {
  const cat = Math.floor(s.r() * 4), above = Math.floor(s.r() * 100);
  await s.client.delete(s.name, { filter: `cat == ${cat} and score > ${above}` });
  for (const [id, row] of s.model) if (row.cat === cat && row.score > above) s.model.delete(id);
}

/** A delete by a filter on the nullable field added halfway: rows written before it read null there. */
export async function deleteByExtra(s: RunState): Promise<void> {
  if (!s.extraAdded) return deleteByFilter(s);
  const cat = Math.floor(s.r() * 4), below = Math.floor(s.r() * 30);
  const nulls = s.r() < 0.5;
  await s.client.delete(s.name, { filter: nulls ? `extra is null and cat == ${cat}` : `extra < ${below}` });
  for (const [id, row] of s.model) if (nulls ? row.extra == null && row.cat === cat : row.extra != null && row.extra < below) s.model.delete(id);
}
