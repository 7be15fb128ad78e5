/** How the test runner (test/run.ts) shares files between lanes: support/lanes.ts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { laneClass, laneOrder, nextFile, parseJobs } from '../support/lanes.js';

test('files that start a whole cluster or crash a server are exclusive; the rest are shared', () => {
  assert.is(laneClass('cluster/natsRestart.test.js'), 'exclusive');
  assert.is(laneClass('crash/killDuringWrites.test.js'), 'exclusive');
  assert.is(laneClass('wal/object.test.js'), 'shared');
  assert.is(laneClass('standalone/clusterLike.test.js'), 'shared', 'only the top directory counts');
});

test('lanes take exclusive files first, then the long directories, then the rest, path order within each', () => {
  const files = ['client/a.test.js', 'cluster/b.test.js', 'http/c.test.js', 'standalone/d.test.js', 'wal/e.test.js', 'aggregation/f.test.js', 'cluster/a.test.js', 'crash/g.test.js'];
  assert.equal(laneOrder(files), ['cluster/b.test.js', 'cluster/a.test.js', 'crash/g.test.js', 'wal/e.test.js', 'standalone/d.test.js', 'http/c.test.js', 'client/a.test.js', 'aggregation/f.test.js']);
});

test('a free lane skips exclusive files while one runs, and waits when only those are left', () => {
  const pending = ['cluster/b.test.js', 'crash/g.test.js', 'wal/e.test.js'];
  assert.is(nextFile(pending, []), 0);
  assert.is(nextFile(pending, ['wal/x.test.js']), 0, 'a shared file running does not hold back an exclusive one');
  assert.is(nextFile(pending, ['cluster/a.test.js']), 2);
  assert.is(nextFile(['cluster/b.test.js', 'crash/g.test.js'], ['crash/h.test.js']), -1);
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
