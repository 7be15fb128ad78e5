import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { placeReplicas } from '../../actors/coordinator/core/replicaNodes.js';

/**
 * Replicas onto query nodes: a replica uses nodes of its own resource group,
 * the replicas of one collection never share a node, a replica keeps its
 * nodes while they stay in its group, and the replicas of a group are evened out.
 */
const placement = (groups: Record<string, string[]>) => new Map(Object.entries(groups).flatMap(([g, ns]) => ns.map((n): [string, string] => [n, g])));
const none = new Map<number, string[][]>();

test('given two replicas in two groups, then each uses its own group\'s nodes only', () => {
  const p = placement({ rg1: ['a', 'b'], rg2: ['c'], __default_resource_group: ['d'] });
  assert.equal(placeReplicas(p, [{ collectionId: 1, groups: ['rg1', 'rg2'] }], none).get(1), [['a', 'b'], ['c']]);
});

test('given two replicas in one group, then they split its nodes and share none', () => {
  const p = placement({ rg1: ['a', 'b', 'c'] });
  const r = placeReplicas(p, [{ collectionId: 1, groups: ['rg1', 'rg1'] }], none).get(1)!;
  assert.equal(r, [['a', 'c'], ['b']]);
  assert.is(new Set(r.flat()).size, 3);
});

test('given more replicas than nodes, then the extra replicas have none (and never share)', () => {
  const r = placeReplicas(placement({ rg1: ['a'] }), [{ collectionId: 1, groups: ['rg1', 'rg1'] }], none).get(1)!;
  assert.equal(r, [['a'], []]);
});

test('given two collections in one group, then each uses every node of it', () => {
  const p = placement({ rg1: ['a', 'b'] });
  const r = placeReplicas(p, [{ collectionId: 2, groups: ['rg1'] }, { collectionId: 1, groups: ['rg1'] }], none);
  assert.equal([...r], [[1, [['a', 'b']]], [2, [['a', 'b']]]]);
});

test('stable: replicas keep their nodes; a joining node goes to the replica with fewest', () => {
  const prev = new Map([[1, [['c'], ['a']]]]);
  assert.equal(placeReplicas(placement({ rg1: ['a', 'c'] }), [{ collectionId: 1, groups: ['rg1', 'rg1'] }], prev).get(1), [['c'], ['a']]);
  assert.equal(placeReplicas(placement({ rg1: ['a', 'b', 'c'] }), [{ collectionId: 1, groups: ['rg1', 'rg1'] }], prev).get(1), [['b', 'c'], ['a']]);
});

test('given a replica loses its only node, then one moves over from the replica with most', () => {
  const prev = new Map([[1, [['a', 'c'], ['b']]]]);
  assert.equal(placeReplicas(placement({ rg1: ['a', 'c'] }), [{ collectionId: 1, groups: ['rg1', 'rg1'] }], prev).get(1), [['a'], ['c']]);
});

test('given a node moved to another group, then its replica loses it and a replica of that group may gain it', () => {
  const prev = new Map([[1, [['a', 'b'], ['c']]]]);
  assert.equal(placeReplicas(placement({ rg1: ['a'], rg2: ['b', 'c'] }), [{ collectionId: 1, groups: ['rg1', 'rg2'] }], prev).get(1), [['a'], ['b', 'c']]);
});

test('given a replica transferred to another group, then it leaves its old nodes for the new group\'s', () => {
  const prev = new Map([[1, [['a'], ['b']]]]);
  assert.equal(placeReplicas(placement({ rg1: ['a', 'b'], rg2: ['c'] }), [{ collectionId: 1, groups: ['rg1', 'rg2'] }], prev).get(1), [['a', 'b'], ['c']]);
});

test('given a released collection, then it has no replicas', () => {
  assert.equal(placeReplicas(placement({ rg1: ['a'] }), [], new Map([[1, [['a']]]])).size, 0);
});

test.run();
