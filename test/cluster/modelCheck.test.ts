/**
 * The model check (test/support/modelRun.ts) on a distributed cluster: every
 * role a process on NATS, etcd and S3. Its fault is a SIGKILL of a streaming
 * node, a query node or the data node, started again at once: pchannels and
 * segments move and come back while the run goes on, and every Strong read
 * must still equal the model.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { runModel } from '../support/modelRun.js';

const VICTIMS = process.env.MODEL_VICTIMS?.split(',') ?? ['streaming-node-1', 'streaming-node-2', 'query-node-1', 'query-node-2', 'data-node-1'];

if (haveServices('cluster: model check')) {
  let cluster: TestCluster | undefined;
  const killed: string[] = [];
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('model check on a cluster: every Strong read agrees with the model while nodes are killed and restarted', async () => {
    const c = cluster!;
    const stats = await runModel({
      client: c.client,
      async fault(r) {
        const node = c.nodes.get(VICTIMS[Math.floor(r() * VICTIMS.length)]!)!;
        await node.kill();
        node.launch();
        await node.started;
        killed.push(node.id);
        console.log(`  killed and restarted ${node.id}`);
        return c.client;
      },
      async close() {},
    }, Number(process.env.MODEL_SEED ?? 10), Number(process.env.MODEL_STEPS ?? 36), 5, 0.07);
    console.log(`  ${JSON.stringify(stats)}; killed ${killed.join(', ')}`);
    assert.ok(stats.faults > 0 && stats.flushes > 0 && stats.compactions > 0, `the run took faults, flushes and compactions: ${JSON.stringify(stats)}`);
  });

  test.run();
}
