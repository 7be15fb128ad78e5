/** How the test runner (test/run.ts) shares files between lanes: support/lanes.ts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isExclusive, laneOrder, nextFile, parseJobs, type LaneFile } from '../support/lanes.js';

const shared = (file: string): LaneFile => ({ file, exclusive: false });
const exclusive = (file: string): LaneFile => ({ file, exclusive: true });

test('files that start a whole cluster or kill a standalone process are exclusive; the rest are shared', () => {
  assert.ok(isExclusive('cluster/natsRestart.test.js', ''));
  assert.ok(isExclusive('crash/killDuringWrites.test.js', ''));
  assert.ok(isExclusive('metrics/nodeMetrics.test.js', "import { test } from 'uvu';\nimport { startTestCluster } from '../cluster/support/testCluster.js';\n"), 'a cluster started from another directory');
  assert.not.ok(isExclusive('runner/x.test.js', "const s = \"import { a } from '../cluster/support/testCluster.js'\";"), 'only an import line counts');
  assert.not.ok(isExclusive('wal/object.test.js', "import { startS3 } from '../support/services.js';"));
  assert.not.ok(isExclusive('standalone/cluster.test.js', ''), 'only the top directory counts');
});

test('lanes take exclusive files first, then the long directories, then the rest, path order within each', () => {
  const files = [shared('client/a.test.js'), exclusive('cluster/b.test.js'), shared('http/c.test.js'), shared('standalone/d.test.js'), shared('wal/e.test.js'), shared('aggregation/f.test.js'), exclusive('cluster/a.test.js'), exclusive('metrics/g.test.js'), shared('metrics/h.test.js')];
  assert.equal(laneOrder(files).map((f) => f.file), [
    'cluster/b.test.js', 'cluster/a.test.js', 'metrics/g.test.js',
    'wal/e.test.js', 'standalone/d.test.js', 'metrics/h.test.js', 'http/c.test.js',
    'client/a.test.js', 'aggregation/f.test.js',
  ]);
});

test('a free lane skips exclusive files while one runs, and waits when only those are left', () => {
  const pending = [exclusive('cluster/b.test.js'), exclusive('crash/g.test.js'), shared('wal/e.test.js')];
  assert.is(nextFile(pending, []), 0);
  assert.is(nextFile(pending, [shared('wal/x.test.js')]), 0, 'a shared file running does not hold back an exclusive one');
  assert.is(nextFile(pending, [exclusive('cluster/a.test.js')]), 2);
  assert.is(nextFile(pending.slice(0, 2), [exclusive('crash/h.test.js')]), -1);
  assert.is(nextFile([], []), -1);
});

test('NUTHATCH_TEST_JOBS: 2 lanes unless set; a positive integer or an error', () => {
  assert.is(parseJobs(undefined), 2);
  assert.is(parseJobs(''), 2);
  assert.is(parseJobs('1'), 1);
  assert.is(parseJobs('3'), 3);
  for (const bad of ['0', '-1', '1.5', 'two']) assert.throws(() => parseJobs(bad), /NUTHATCH_TEST_JOBS must be a positive integer/);
});

test.run();
