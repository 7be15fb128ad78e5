/**
 * High-water marks of fencing tokens (messages/fenceMarks.ts) and the gate a
 * receiver checks tokens with (runtime/rpc/fence.ts), against a meta store
 * stand-in that counts its reads: no servers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FenceMarks } from '../../messages/fenceMarks.js';
import { FenceGate } from '../../runtime/rpc/fence.js';
import type { MetaEntry } from '../../runtime/ports/metaStore.js';

const code = (f: () => unknown): string | undefined => { try { f(); return undefined; } catch (e) { return (e as { code?: string }).code; } };
const rejection = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: { code?: string }) => e.code);

test('a token below its key\'s mark is refused as StaleFence; at or above it, only a read can tell', () => {
  const m = new FenceMarks();
  assert.is(m.refusal({ key: 't', revision: 1 }), null, 'no mark yet');
  m.raise('t', 7);
  assert.is(m.refusal({ key: 't', revision: 6 })?.code, 'StaleFence');
  assert.is(m.refusal({ key: 't', revision: 6 })?.wireCode, 1403);
  assert.is(m.refusal({ key: 't', revision: 7 }), null, 'at the mark');
  assert.is(m.refusal({ key: 't', revision: 9 }), null, 'above the mark');
});

test('a mark never goes down, and each key has its own', () => {
  const m = new FenceMarks();
  m.raise('a', 10);
  m.raise('a', 4);
  assert.is(m.mark('a'), 10);
  m.raise('a', 12);
  assert.is(m.mark('a'), 12);
  assert.is(m.mark('b'), 0);
  assert.is(m.refusal({ key: 'b', revision: 1 }), null, 'a mark of one key refuses nothing of another');
});

/** A meta store holding one term key, counting reads. */
function termStore(revision: number | undefined) {
  const s = { revision, reads: 0, get: async (key: string): Promise<MetaEntry | undefined> => { s.reads++; return s.revision === undefined ? undefined : { key, value: new Uint8Array(), modRevision: s.revision }; } };
  return s;
}

test('the gate reads the key for a token at or above the mark, and raises the mark to what it read', async () => {
  const meta = termStore(5), gate = new FenceGate(meta);
  await gate.verify({ key: 't', revision: 5 });
  assert.is(meta.reads, 1);
  meta.revision = 8; // a new lead, seen by another receiver first
  assert.is(await rejection(gate.verify({ key: 't', revision: 5 })), 'StaleFence', 'the read finds the bump');
  assert.is(gate.marks.mark('t'), 8);
  assert.is(meta.reads, 2);
});

test('a token below the mark is refused with no read; a forged high token does not raise the mark', async () => {
  const meta = termStore(8), gate = new FenceGate(meta);
  await gate.verify({ key: 't', revision: 8 });
  const before = meta.reads;
  assert.is(code(() => gate.refuseBelow({ key: 't', revision: 5 })), 'StaleFence');
  assert.is(await rejection(gate.verify({ key: 't', revision: 5 })), 'StaleFence');
  assert.is(meta.reads, before, 'no read for a token below the mark');
  assert.is(await rejection(gate.verify({ key: 't', revision: 99 })), 'StaleFence', 'a token the key never had');
  assert.is(gate.marks.mark('t'), 8, 'only what the store holds raises the mark');
  await gate.verify({ key: 't', revision: 8 });
});

test('a key that is absent refuses every token and raises nothing', async () => {
  const gate = new FenceGate(termStore(undefined));
  assert.is(await rejection(gate.verify({ key: 't', revision: 1 })), 'StaleFence');
  assert.is(gate.marks.mark('t'), 0);
});

test.run();
