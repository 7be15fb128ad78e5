import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copiesToRelease, loadTicket, mayServe, newLoadGenerations, released, ticketCurrent } from '../../actors/coordinator/core/loadGenerations.js';

const live = { recorded: true, partitionLoaded: true };

test('a load with no release since it began serves its segment', () => {
  const g = newLoadGenerations();
  const t = loadTicket(g, 7, 1);
  assert.ok(ticketCurrent(g, t));
  assert.ok(mayServe(g, t, live));
});

test('a release of the collection makes every load begun before it stale, even once loaded again', () => {
  const g = newLoadGenerations();
  const before = loadTicket(g, 7, 1);
  released(g, 7);
  // Loaded again: the partition is loaded now, but the old load was placed for the old load.
  assert.not.ok(mayServe(g, before, live));
  const after = loadTicket(g, 7, 1);
  assert.ok(mayServe(g, after, live), 'a load begun after the release serves');
  assert.ok(mayServe(g, loadTicket(g, 8, 1), live), 'another collection is untouched');
});

test('a release of some partitions makes only their loads stale', () => {
  const g = newLoadGenerations();
  const p1 = loadTicket(g, 7, 1), p2 = loadTicket(g, 7, 2);
  released(g, 7, [2]);
  assert.ok(mayServe(g, p1, live), 'a partition still loaded keeps its loads');
  assert.not.ok(mayServe(g, p2, live));
  released(g, 7);
  assert.not.ok(mayServe(g, p1, live));
});

test('a discarded segment or a partition not loaded is never served, whatever the ticket', () => {
  const g = newLoadGenerations();
  const t = loadTicket(g, 7, 1);
  assert.not.ok(mayServe(g, t, { recorded: false, partitionLoaded: true }));
  assert.not.ok(mayServe(g, t, { recorded: true, partitionLoaded: false }));
});

test('copies not listed leave their nodes unless a load now wants them there', () => {
  assert.equal(copiesToRelease(['a', 'b', 'c'], ['a'], []), ['b', 'c']);
  assert.equal(copiesToRelease(['a', 'b', 'c'], [], ['b']), ['a', 'c'], 'a newer load placing the segment on b keeps its copy');
  assert.equal(copiesToRelease(['a'], ['a'], ['a']), []);
});

test.run();
