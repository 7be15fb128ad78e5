import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppendDedup, IMPORT_WINDOW_MS } from '../../actors/streaming-node/shell/appendDedup.js';
import { newMessage, tsoOf, type AnyMessage } from '../../messages/types.js';

/** Append ids: a retry within the window answers the first result; bulk import batch ids are kept a day, others minutes. */
const WINDOW_MS = 5 * 60_000;
const at = (ms: number, id: string): AnyMessage => {
  const m = newMessage('Delete', 'p_1v0', { collectionId: 1, partitionId: -1, pks: [1] });
  m.header.tso = tsoOf(ms);
  m.header.walPosition = ms;
  m.header.appendId = id;
  return m;
};

test('ids of plain appends are forgotten after the window; import batch ids after a day, also across persist and restore', async () => {
  const d = new AppendDedup(WINDOW_MS);
  const t0 = 1_700_000_000_000;
  d.record(at(t0, 'client-1'));
  d.record(at(t0 + 1, 'import/7/in/a.json/0/0'));
  let calls = 0;
  const again = (id: string) => d.run('p_1v0', id, async () => { calls++; return { tso: 0n, position: -1 }; });
  assert.is((await again('client-1')).position, t0, 'a retry within the window answers the first append');
  assert.is(calls, 0);
  // Ten minutes later, past the plain window: the plain id is gone, the import id stays.
  d.record(at(t0 + 10 * 60_000, 'client-2'));
  await again('client-1');
  assert.is(calls, 1, 'a plain id past the window is appended again');
  assert.is((await again('import/7/in/a.json/0/0')).position, t0 + 1, 'an import batch retried after ten minutes is not written twice');
  const restored = new AppendDedup(WINDOW_MS);
  restored.restore(JSON.parse(JSON.stringify(d.persist(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)), (_k, v) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)));
  assert.is(restored.size, d.size);
  // A day and a minute later: the import id is gone too.
  restored.record(at(t0 + IMPORT_WINDOW_MS + 60_000, 'client-3'));
  let again2 = 0;
  await restored.run('p_1v0', 'import/7/in/a.json/0/0', async () => { again2++; return { tso: 0n, position: -1 }; });
  assert.is(again2, 1);
});

test.run();
