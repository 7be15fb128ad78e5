import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placeFollowers } from '../../actors/coordinator/core/followers.js';
import type { PchannelAssignment } from '../../messages/rpc/records.js';

/**
 * Follower delegators: N replicas -> N-1 followers per pchannel on streaming
 * nodes other than the owner, capped by the live nodes; live followers keep
 * their place, new places spread over the nodes that follow least.
 */
const owned = (pairs: Array<[string, string, string[]?]>): PchannelAssignment[] =>
  pairs.map(([pchannel, nodeId, followers]) => ({ pchannel, nodeId, term: 1, ...(followers ? { followers } : {}) }));
const byPchannel = (list: PchannelAssignment[]) => Object.fromEntries(list.map((a) => [a.pchannel, a.followers]));

test('given 2 replicas on two nodes, then each pchannel is followed by the node that does not own it', () => {
  const a = owned([['dml_0', 'sn1'], ['dml_1', 'sn2']]);
  assert.equal(byPchannel(placeFollowers(a, new Map([['dml_0', 1], ['dml_1', 1]]), ['sn1', 'sn2'])), { dml_0: ['sn2'], dml_1: ['sn1'] });
});

test('given more replicas than live nodes, then followers are capped by the live nodes other than the owner', () => {
  const a = owned([['dml_0', 'sn1']]);
  assert.equal(byPchannel(placeFollowers(a, new Map([['dml_0', 4]]), ['sn1', 'sn2', 'sn3'])), { dml_0: ['sn2', 'sn3'] });
  assert.equal(placeFollowers(a, new Map([['dml_0', 4]]), ['sn1']), [], 'one live node: no follower, nothing changes');
});

test('given no loaded collection wants replicas, then followers are removed; a pchannel not wanted is left alone', () => {
  const a = owned([['dml_0', 'sn1', ['sn2']], ['dml_1', 'sn2']]);
  assert.equal(byPchannel(placeFollowers(a, new Map(), ['sn1', 'sn2'])), { dml_0: [] });
});

test('given a follower died, then it is replaced by a live node; a live follower keeps its place', () => {
  const a = owned([['dml_0', 'sn1', ['sn2']], ['dml_1', 'sn1', ['sn3']]]);
  const changed = placeFollowers(a, new Map([['dml_0', 1], ['dml_1', 1]]), ['sn1', 'sn3', 'sn4']);
  assert.equal(byPchannel(changed), { dml_0: ['sn4'] }, 'sn3 keeps dml_1; sn2 is replaced by the node following least');
  assert.is(changed[0]!.term, 1, 'terms are untouched');
});

test('given the owner moved onto its follower, then the follower place goes to another node', () => {
  const a = owned([['dml_0', 'sn2', ['sn2']]]);
  assert.equal(byPchannel(placeFollowers(a, new Map([['dml_0', 1]]), ['sn1', 'sn2'])), { dml_0: ['sn1'] });
});

test('given many pchannels, then follower places spread evenly', () => {
  const a = owned([['p0', 'a'], ['p1', 'a'], ['p2', 'a'], ['p3', 'a']]);
  const changed = placeFollowers(a, new Map(a.map((x) => [x.pchannel, 1])), ['a', 'b', 'c']);
  const count = new Map<string, number>();
  for (const c of changed) for (const n of c.followers!) count.set(n, (count.get(n) ?? 0) + 1);
  assert.equal(Object.fromEntries(count), { b: 2, c: 2 });
});

test.run();
