import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { afterAttempt, applySession, chooseWorker, failedAttempt, MAX_LOSSES, noWorkers, type WorkerSessions } from '../../actors/shared/workers/workerDispatch.js';
import { WorkerPool } from '../../runtime/rpc/workerPool.js';
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { serveProtocol } from '../../runtime/rpc/typedBus.js';
import { DATA_NODE_SUBJECT, dataNodeChecks, dataNodeSubject, type DataNodeProtocol } from '../../messages/rpc/workers.js';
import type { Handlers } from '../../runtime/rpc/typedBus.js';
import { NuthatchError } from '../../messages/errors.js';

/**
 * Where a data or index node task goes and what becomes of it when its node
 * dies: sessions put, deleted or put again by a new process; the least busy
 * live node not yet lost; a lost task rerouted a bounded number of times.
 */
const sessions = (...pairs: Array<[string, string | undefined]>): WorkerSessions =>
  pairs.reduce((s, [n, inc]) => applySession(s, n, inc).sessions, noWorkers());

test('a session deleted, or put again by another incarnation, ends its node; the same one put again does not', () => {
  const s = sessions(['dn-1', 'a'], ['dn-2', 'b']);
  assert.equal(applySession(s, 'dn-1', undefined).ended, true);
  assert.equal([...applySession(s, 'dn-1', undefined).sessions.nodes.keys()], ['dn-2']);
  assert.equal(applySession(s, 'dn-1', 'a2').ended, true, 'a new process under the id holds none of the old tasks');
  assert.equal(applySession(s, 'dn-1', 'a').ended, false, 'the same process registering again');
  assert.equal(applySession(s, 'dn-3', 'c').joined, true);
  assert.equal(applySession(s, 'dn-3', undefined).ended, false, 'an unknown node leaving ends nothing');
});

test('a task goes to the live node with the fewest in flight (ties by id), never to one it was lost on while another lives', () => {
  const s = sessions(['dn-2', 'b'], ['dn-1', 'a'], ['dn-3', 'c']);
  assert.is(chooseWorker(s, new Map(), new Set()), 'dn-1');
  assert.is(chooseWorker(s, new Map([['dn-1', 2], ['dn-2', 1]]), new Set()), 'dn-3');
  assert.is(chooseWorker(s, new Map([['dn-2', 5]]), new Set(['dn-1', 'dn-3'])), 'dn-2', 'busy but not lost beats idle and lost');
  assert.is(chooseWorker(s, new Map([['dn-1', 1]]), new Set(['dn-1', 'dn-2', 'dn-3'])), 'dn-2', 'lost everywhere: any live node');
  assert.is(chooseWorker(noWorkers(), new Map(), new Set()), undefined, 'no session: the queue group');
});

test('a lost task is rerouted up to MAX_LOSSES times; a node\'s own error is final', () => {
  assert.is(afterAttempt({ kind: 'done' }, 0), 'return');
  assert.is(afterAttempt({ kind: 'lost' }, 1), 'reroute');
  assert.is(afterAttempt({ kind: 'lost' }, MAX_LOSSES - 1), 'reroute');
  assert.is(afterAttempt({ kind: 'lost' }, MAX_LOSSES), 'throw');
  assert.is(afterAttempt({ kind: 'failed' }, 0), 'throw');
});

test('an attempt is lost only when nothing answered on the node\'s own subject; an Unavailable the node answered is the task\'s failure', () => {
  const own = 'nuthatch.dn.dn-1';
  assert.equal(failedAttempt({ code: 'Unavailable', info: { subject: own } }, own), { kind: 'lost' });
  // The node's own answer: a collection still loading, a shard it could not reach.
  assert.equal(failedAttempt({ code: 'Unavailable', info: { collection: 'c' } }, own), { kind: 'failed' });
  assert.equal(failedAttempt({ code: 'Unavailable', info: { subject: 'nuthatch.sn.dml_0' } }, own), { kind: 'failed' });
  assert.equal(failedAttempt({ code: 'Timeout', info: { subject: own } }, own), { kind: 'failed' });
});

/** A data node on the in-process bus whose compactions answer with its id (as the data key), or never. */
function fakeNode(bus: MemoryBus, nodeId: string, answers: boolean) {
  const seen: number[] = [];
  const outcome = (dataKey: string) => ({ compacted: true, dataKey, rows: 1, removed: 0, pending: 0, deleteSeq: 0, appliedTso: 0n });
  const held: Array<() => void> = [];
  const handlers = {
    compactSegment: ({ segment }) => {
      seen.push(segment.segmentId);
      // Held until the test ends (then answered, so no request timer outlives the test).
      return answers ? outcome(nodeId) : new Promise((resolve) => held.push(() => resolve(outcome(`${nodeId} (too late)`))));
    },
  } as Partial<Handlers<DataNodeProtocol>> as Handlers<DataNodeProtocol>;
  const subs = [serveProtocol<DataNodeProtocol>(bus, dataNodeSubject(nodeId), dataNodeChecks, handlers), serveProtocol<DataNodeProtocol>(bus, DATA_NODE_SUBJECT, dataNodeChecks, handlers, { queue: 'dn' })];
  return { seen, stop: () => { for (const h of held) h(); subs.forEach((s) => s.unsubscribe()); } };
}

const segment = { segmentId: 7 } as never;

/** A guard only (a broken pool would wait out the 10-minute timeout): the outcome is what is asserted. */
function guarded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the task was not handed on')), 20_000); })]).finally(() => clearTimeout(timer));
}

test('WorkerPool: a compaction held by a node whose session ends completes on another live node, long before its timeout', async () => {
  const bus = new MemoryBus();
  const logs: string[] = [];
  const pool = new WorkerPool<DataNodeProtocol>(bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, (...a) => logs.push(a.join(' ')));
  const stuck = fakeNode(bus, 'dn-1', false), live = fakeNode(bus, 'dn-2', true);
  pool.onSession('dn-1', 'a');
  pool.onSession('dn-2', 'b');
  const call = pool.call('compactSegment', { segment, untilTso: 1n, minRatio: 0 }, 10 * 60_000, ' of segment 7');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal([stuck.seen, live.seen], [[7], []], 'sent to dn-1 first');
  pool.onSession('dn-1', undefined); // its lease ran out
  const out = await guarded(call);
  assert.is(out.dataKey, 'dn-2', 'done by dn-2');
  assert.ok(logs.some((l) => l.includes('compactSegment of segment 7 lost on data-node dn-1')), logs.join('\n'));
  stuck.stop(); live.stop();
});

test('WorkerPool: a node gone before its lease ran out (no responder on its subject) hands the task on at once', async () => {
  const bus = new MemoryBus();
  const pool = new WorkerPool<DataNodeProtocol>(bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, () => {});
  const live = fakeNode(bus, 'dn-2', true);
  pool.onSession('dn-1', 'a'); // its process is gone: nothing serves nuthatch.dn.dn-1
  pool.onSession('dn-2', 'b');
  assert.is((await guarded(pool.call('compactSegment', { segment, untilTso: 1n, minRatio: 0 }, 10 * 60_000))).dataKey, 'dn-2');
  live.stop();
});

test('WorkerPool: a node that answers Unavailable itself (a collection still loading) is not taken for lost: the error is the caller\'s at once', async () => {
  const bus = new MemoryBus();
  const logs: string[] = [];
  const pool = new WorkerPool<DataNodeProtocol>(bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, (...a) => logs.push(a.join(' ')));
  let asked = 0;
  const handlers = { describeForBackup: () => { asked++; throw new NuthatchError('Unavailable', "collection 'c' is still loading", { collection: 'c' }); } } as Partial<Handlers<DataNodeProtocol>> as Handlers<DataNodeProtocol>;
  const subs = ['dn-1', 'dn-2'].map((n) => serveProtocol<DataNodeProtocol>(bus, dataNodeSubject(n), dataNodeChecks, handlers));
  pool.onSession('dn-1', 'a');
  pool.onSession('dn-2', 'b');
  const err = await guarded(pool.call('describeForBackup', { dbName: 'default', collection: 'c', backupName: 'b' }, 10_000).then(() => undefined, (e: NuthatchError) => e));
  assert.is(err?.code, 'Unavailable');
  assert.match(err!.message, /still loading/);
  assert.is(asked, 1, 'asked once, of one node');
  assert.not.ok(logs.some((l) => l.includes('lost on')), logs.join('\n'));
  subs.forEach((s) => s.unsubscribe());
});

test('WorkerPool: with no session known, the queue group serves as before', async () => {
  const bus = new MemoryBus();
  const pool = new WorkerPool<DataNodeProtocol>(bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, () => {});
  const node = fakeNode(bus, 'dn-9', true);
  assert.is((await pool.call('compactSegment', { segment, untilTso: 1n, minRatio: 0 }, 10_000)).dataKey, 'dn-9');
  node.stop();
});

test.run();
