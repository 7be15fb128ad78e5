/**
 * The model check (test/support/modelRun.ts) on a distributed cluster: every
 * role a process on NATS, etcd and S3. Its faults: a SIGKILL of any node
 * (streaming, query, data, index node or the coordinator), started again at
 * once; a pchannel handed over between two live streaming nodes (one stops
 * cleanly, its pchannels move to the other, and it takes some back when it
 * returns); and a nats-server crash and restart. Compaction applies deletes at
 * once and trims the delete logs. Every Strong read must still equal the model.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { runModel } from '../support/modelRun.js';

const FAULTS = process.env.MODEL_VICTIMS?.split(',') ?? [
  'streaming-node-1', 'streaming-node-2', 'query-node-1', 'query-node-2', 'data-node-1', 'index-node-1', 'coordinator-1', 'transfer', 'nats',
];
const TRIMMING = ['--compaction-interval-ms', '3000', '--compaction-grace-ms', '0', '--trim-after-entries', '16'];

/** Stops a streaming node cleanly, waits for its pchannels to move to the other, starts it again and waits for it to take some back. */
async function transfer(c: TestCluster, r: () => number): Promise<string> {
  const [a, b] = c.byRole('streaming-node');
  const [from, to] = r() < 0.5 ? [a!, b!] : [b!, a!];
  await from.stop();
  await eventually(`${from.id}'s pchannels on ${to.id}`, async () => (await c.assignments()).every((x) => x.nodeId === to.id));
  from.launch();
  await from.started;
  await eventually(`${from.id} takes pchannels back`, async () => (await c.assignments()).some((x) => x.nodeId === from.id));
  return `pchannels moved ${from.id} -> ${to.id} -> ${from.id}`;
}

if (haveServices('cluster: model check')) {
  let cluster: TestCluster | undefined;
  const faults: string[] = [];
  test.before(async () => { cluster = await startTestCluster({ args: TRIMMING }); });
  test.after(async () => { await cluster?.stop(); });

  test('model check on a cluster: every Strong read agrees with the model while nodes are killed, pchannels move and NATS restarts', async () => {
    const c = cluster!;
    const stats = await runModel({
      client: c.client,
      async fault(r, collection) {
        const what = FAULTS[Math.floor(r() * FAULTS.length)]!;
        if (what === 'transfer') faults.push(await transfer(c, r));
        else if (what === 'nats') {
          await c.natsServer.crash();
          await c.natsServer.start();
          faults.push('nats-server crashed and restarted');
        } else {
          const node = c.nodes.get(what)!;
          await node.kill();
          node.launch();
          await node.started;
          faults.push(`${node.id} killed and restarted`);
        }
        console.log(`  ${faults.at(-1)}`);
        // Back in service: a Strong read answers (the run's next step may be a DDL, which does not retry).
        await eventually('the cluster to answer again', async () => (await c.client.query(collection, { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' })).length > 0);
        return c.client;
      },
      async close() {},
    }, Number(process.env.MODEL_SEED ?? 10), Number(process.env.MODEL_STEPS ?? 36), 5, { faultRate: 0.07 });
    console.log(`  ${JSON.stringify(stats)}; ${faults.join('; ')}`);
    assert.ok(stats.faults > 0 && stats.flushes > 0 && stats.compactions > 0, `the run took faults, flushes and compactions: ${JSON.stringify(stats)}`);
  });

  test.run();
}
