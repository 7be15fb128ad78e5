/**
 * The inspector's HTTP server over the in-process bus: it serves the page and
 * its scripts, the current state as JSON (including what emitters published
 * before it started, through the sync request), the machine graph read from the
 * XState definition, a replay of the WAL up to a position, and live events as
 * Server-Sent Events.
 */
import { get, type IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { snapshotEvent } from '../../actors/streaming-node/shell/nodeContext.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { walReplay } from '../../runtime/inspect/inspection.js';
import { startInspectorServer, type InspectorServer } from '../../runtime/inspect/inspectorServer.js';
import { createInspectPublisher, inspectStream, type InspectPublisher } from '../../runtime/inspect/transport.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { until } from '../support/until.js';
import { fold } from '../vchannel/spec.js';
import { liveCollection } from '../vchannel/fixtures.js';
import { PCH, VCH, sampleWal } from './sampleLog.js';

let bus: MemoryBus, publisher: InspectPublisher, server: InspectorServer, wal: LocalWalBackend, root: string;

test.before(async () => {
  bus = new MemoryBus();
  publisher = createInspectPublisher(bus, 'streaming-node', 'sn-test');
  // Published before any inspector listens: only the sync request can bring it to the page.
  publisher.hook(snapshotEvent(PCH, fold(liveCollection())));
  publisher.hook({ kind: 'effect', what: 'wal-opened', pchannel: PCH, term: 3, position: 0, detail: 'checkpoint none, replayed 0' });
  publisher.hook({ kind: 'effect', what: 'wal-truncated', pchannel: PCH, term: 3, position: 40 });
  root = await sampleWal();
  wal = new LocalWalBackend(root);
  server = await startInspectorServer({ port: 0, events: inspectStream(bus), replay: walReplay(wal) });
});

test.after(async () => {
  await server.close();
  publisher.close();
  await bus.close();
  await wal.close();
  await rm(root, { recursive: true, force: true });
});

async function fetchText(path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(server.url + path);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

test('serves the page and its static files; unknown paths are 404', async () => {
  const page = await fetchText('/');
  assert.is(page.status, 200);
  assert.match(page.type, /text\/html/);
  assert.match(page.body, /<title>nuthatch inspector<\/title>/);
  assert.match(page.body, /src="\/app.js"/);
  for (const [path, type] of [['/app.js', /javascript/], ['/diagram.js', /javascript/], ['/style.css', /text\/css/]] as const) {
    const r = await fetchText(path);
    assert.is(r.status, 200, path);
    assert.match(r.type, type);
    assert.ok(r.body.length > 100, `${path} has content`);
  }
  assert.is((await fetchText('/../package.json')).status, 404);
  assert.is((await fetchText('/nope')).status, 404);
});

test('the snapshot JSON holds what emitters published before the inspector started', async () => {
  await until(() => server.model.snapshot().vchannels.length > 0, 'the synced snapshot');
  const snap = JSON.parse((await fetchText('/api/snapshot')).body);
  assert.equal(snap.vchannels.map((v: { vchannel: string; state: string }) => `${v.vchannel}:${v.state}`), [`${VCH}:live`]);
  assert.is(snap.vchannels[0].view.collection.name, 'books');
  assert.equal(snap.vchannels[0].view.segments.map((s: { id: number; status: string }) => `${s.id}:${s.status}`), ['1:growing', '2:growing']);
  assert.is(typeof snap.vchannels[0].view.lastTso, 'string', 'TSOs travel as decimal strings');
  assert.equal(snap.pchannels.map((p: { pchannel: string; term: number; status: string; nodeId: string; logStart: number }) => [p.pchannel, p.term, p.status, p.nodeId, p.logStart]), [[PCH, 3, 'open', 'sn-test', 40]]);
});

test('the machine graph comes from the XState definition', async () => {
  const g = JSON.parse((await fetchText('/api/machine')).body);
  assert.is(g.initial, 'absent');
  assert.equal(g.states, ['absent', 'live', 'dropped']);
  const edge = (from: string, to: string) => g.edges.find((e: { from: string; to: string }) => e.from === from && e.to === to);
  assert.equal(edge('absent', 'live').events, ['CreateCollection']);
  assert.equal(edge('live', 'dropped').events, ['DropCollection']);
  assert.ok(edge('live', 'live').events.includes('Insert'));
  assert.ok(g.checks.dropped['*'].includes('nothing-after-drop'));
  assert.ok(g.checks.absent['*'].includes('collection-must-exist'));
});

test('replay to a position answers the state there and the steps before it', async () => {
  const r = JSON.parse((await fetchText(`/api/replay?pchannel=${PCH}&to-position=5`)).body);
  assert.is(r.summary.lastPosition, 5);
  assert.equal(r.steps.map((s: { position: number }) => s.position), [0, 1, 2, 3, 4, 5]);
  assert.is(r.steps[4].events[0].invariant, 'partition-must-exist');
  assert.is(r.summary.vchannels[0].deletes, 1);
  assert.is((await fetchText('/api/replay')).status, 400);
});

/** Collects SSE frames from /events as { event, data }. */
function openEvents(): Promise<{ frames: Array<{ event: string; data: string }>; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    get(server.url + '/events', (res) => {
      const frames: Array<{ event: string; data: string }> = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const raw = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(raw)?.[1] ?? 'message';
          const data = raw.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) frames.push({ event, data });
        }
      });
      resolve({ frames, res });
    }).on('error', reject);
  });
}

test('SSE: the current state first, then each event live', async () => {
  const { frames, res } = await openEvents();
  assert.match(res.headers['content-type'] ?? '', /text\/event-stream/);
  await until(() => frames.length > 0, 'the state frame');
  assert.is(frames[0]!.event, 'state');
  assert.is(JSON.parse(frames[0]!.data).vchannels[0].vchannel, VCH);
  publisher.hook({ kind: 'rejected', pchannel: PCH, vchannel: VCH, type: 'Insert', tso: 77n, invariant: 'nothing-after-drop', code: 'InvariantViolated', reason: 'no DML after drop [invariant: nothing-after-drop]' });
  await until(() => frames.some((f) => f.event === 'inspect' && f.data.includes('nothing-after-drop')), 'the live event');
  const live = JSON.parse(frames.find((f) => f.event === 'inspect')!.data);
  assert.equal([live.actor, live.nodeId, live.event.kind, live.event.invariant, live.event.tso], ['streaming-node', 'sn-test', 'rejected', 'nothing-after-drop', '77']);
  const snap = JSON.parse((await fetchText('/api/snapshot')).body);
  assert.is(snap.tail.at(-1).event.invariant, 'nothing-after-drop');
  assert.is(snap.pchannels[0].rejected, 1);
  res.destroy();
});

test.run();
