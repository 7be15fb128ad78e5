/**
 * The inspection stream over NATS, as in a cluster: an emitter publishes on its
 * own connection, `nuthatch inspect --nats` (a real child process) reads it, gets
 * what was published before it connected through the sync request, and serves it
 * as JSON; events keep their bigint TSOs through the value codec.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { snapshotEvent } from '../../actors/streaming-node/shell/nodeContext.js';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import type { InspectEnvelope } from '../../runtime/inspect/events.js';
import { createInspectPublisher, inspectStream } from '../../runtime/inspect/transport.js';
import { requireService } from '../support/requireService.js';
import { until } from '../support/until.js';
import { fold } from '../vchannel/spec.js';
import { liveCollection } from '../vchannel/fixtures.js';
import { PCH, VCH } from './sampleLog.js';

const MAIN = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));
const nats = requireService('NUTHATCH_TEST_NATS', 'inspection over NATS');

if (nats) {
  test('a second connection sees the events, with what came before it through sync', async () => {
    const a = await NatsBus.connect({ servers: nats }), b = await NatsBus.connect({ servers: nats });
    const pub = createInspectPublisher(a, 'streaming-node', 'sn-nats-1');
    try {
      pub.hook(snapshotEvent(PCH, fold(liveCollection())));
      await a.flush();
      const seen: InspectEnvelope[] = [];
      const sub = inspectStream(b).subscribe((e) => seen.push(e));
      await until(() => seen.some((e) => e.event.kind === 'snapshot'), 'the synced snapshot');
      pub.hook({ kind: 'tick', pchannel: PCH, tso: 123456789012345678n, position: 9 });
      await until(() => seen.some((e) => e.event.kind === 'tick'), 'the live tick');
      sub.unsubscribe();
      const tick = seen.find((e) => e.event.kind === 'tick')!;
      assert.equal({ ...tick.event }, { kind: 'tick', pchannel: PCH, tso: 123456789012345678n, position: 9 });
      assert.is(tick.actor, 'streaming-node');
      assert.is(tick.nodeId, 'sn-nats-1');
      const snap = seen.find((e) => e.event.kind === 'snapshot')!.event;
      assert.ok(snap.kind === 'snapshot' && snap.view.vchannel === VCH && snap.view.state === 'live');
    } finally {
      pub.close();
      await a.close();
      await b.close();
    }
  });

  test('nuthatch inspect --nats serves what the cluster publishes', async () => {
    const bus = await NatsBus.connect({ servers: nats });
    const pub = createInspectPublisher(bus, 'streaming-node', 'sn-nats-2');
    pub.hook(snapshotEvent(PCH, fold(liveCollection())));
    await bus.flush();
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [MAIN, 'inspect', '--nats', nats, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => { err += d; });
      await until(() => /open (http:\/\/\S+)/.test(err), 'the inspector to start', 30_000);
      const url = /open (http:\/\/\S+)/.exec(err)![1]!;
      const snapshot = async () => (await fetch(`${url}/api/snapshot`)).json() as Promise<{ vchannels: Array<{ vchannel: string; state: string }> }>;
      await until(async () => (await snapshot()).vchannels.length > 0, 'the vchannel on the page');
      assert.equal((await snapshot()).vchannels.map((v) => `${v.vchannel}:${v.state}`), [`${VCH}:live`]);
      assert.match(await (await fetch(url)).text(), /nuthatch inspector/);
    } finally {
      child?.kill('SIGTERM');
      pub.close();
      await bus.close();
    }
  });
}

test.run();
