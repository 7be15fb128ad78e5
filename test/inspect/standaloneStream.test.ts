/**
 * The inspection stream of a real standalone (every actor in this process, the
 * in-process bus, a local WAL): creating a collection, inserting, dropping it and
 * then writing through a client that still believes it exists shows up on the
 * stream as appended messages, the machine's transitions absent -> live ->
 * dropped, a snapshot, and the refusal with its invariant.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchClient } from '../../runtime/client/client.js';
import type { InspectEnvelope, InspectEvent } from '../../runtime/inspect/events.js';
import { inspectStream } from '../../runtime/inspect/transport.js';
import { tempStandalone } from '../standalone/harness.js';
import { rejection, until } from '../support/until.js';

type Of<K extends InspectEvent['kind']> = Extract<InspectEvent, { kind: K }>;
const kind = <K extends InspectEvent['kind']>(envs: InspectEnvelope[], k: K, where: (e: Of<K>) => boolean = () => true): Of<K>[] =>
  envs.map((x) => x.event).filter((e): e is Of<K> => e.kind === k && where(e as Of<K>));

test('create, insert, drop and a stale write show up on the stream with the invariant that refused it', async () => {
  const s = await tempStandalone({ pchannels: 1, inspect: {} });
  const seen: InspectEnvelope[] = [];
  const sub = inspectStream(s.bus).subscribe((e) => seen.push(e));
  try {
    const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 4 }] };
    await s.client.createCollection({ collectionName: 'books', schema, metricType: 'L2' });
    const vchannel = (await s.client.describeCollection('books')).vchannels[0]!;
    // A client that misses the coordinator's announcement of the drop keeps the collection in its cache.
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    await stale.insert('books', [{ id: 1, vec: [0.1, 0.2, 0.3, 0.4] }, { id: 2, vec: [0.5, 0.1, 0.2, 0.9] }]);
    await s.client.dropCollection('books');
    // Its write reaches the WAL's machine, which refuses it.
    const err = await rejection(stale.insert('books', [{ id: 3, vec: [0, 0, 0, 1] }]));
    assert.match(err.message, /nothing-after-drop|collection-must-exist/);

    await until(() => kind(seen, 'rejected').length > 0 && kind(seen, 'transition', (e) => e.to === 'dropped').length > 0, 'the refusal and the drop on the stream');
    await until(() => kind(seen, 'snapshot', (e) => e.view.vchannel === vchannel && e.view.state === 'dropped').length > 0, 'a snapshot after the drop');

    assert.ok(kind(seen, 'effect', (e) => e.what === 'wal-opened' && e.pchannel === 'dml_0').length > 0, 'a late subscriber gets the WAL-opened effect repeated (sync)');
    const appended = kind(seen, 'appended', (e) => e.vchannel === vchannel).map((e) => e.type);
    for (const t of ['CreateCollection', 'CreateSegment', 'Insert', 'DropCollection'] as const) assert.ok(appended.includes(t), `appended ${t}, got ${appended.join(', ')}`);
    assert.is(kind(seen, 'appended', (e) => e.type === 'Insert')[0]!.rows, 2);
    assert.equal(kind(seen, 'transition', (e) => e.vchannel === vchannel).map((e) => `${e.from}->${e.to} by ${e.type}`), ['absent->live by CreateCollection', 'live->dropped by DropCollection']);
    const refused = kind(seen, 'rejected', (e) => e.vchannel === vchannel);
    assert.is(refused.length, 1);
    assert.ok(['nothing-after-drop', 'collection-must-exist'].includes(refused[0]!.invariant), refused[0]!.invariant);
    assert.match(refused[0]!.reason, new RegExp(refused[0]!.invariant));
    assert.ok(!kind(seen, 'appended').some((e) => e.tso === refused[0]!.tso), 'the refused message was never appended');

    const positions = kind(seen, 'appended', (e) => e.pchannel === 'dml_0').map((e) => e.position);
    assert.equal(positions, [...positions].sort((a, b) => a - b), 'appended events come in WAL order');
    await until(() => kind(seen, 'tick', (e) => e.pchannel === 'dml_0' && e.tso > refused[0]!.tso).length > 0, 'a time tick after the refusal');
    const seqs = seen.map((x) => x.seq);
    assert.ok(seqs.every((q, i) => i === 0 || q === seqs[i - 1]! + 1), 'one emitter, no gap in its sequence');
  } finally {
    sub.unsubscribe();
    await s.cleanup();
  }
});

test.run();
