import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTransfers, DEFAULT_RESOURCE_GROUP as DEF, placeNodes, specOf, type GroupSpec } from '../../actors/coordinator/core/resourceGroups.js';
import { NuthatchError } from '../../messages/errors.js';

/**
 * Query nodes into resource groups (Milvus's declarative resource groups):
 * given the groups' requests, limits and transfer preferences, the live nodes
 * and where they were, then which group each node is in.
 */
const group = (name: string, requests: number, limits: number, from: string[] = [], to: string[] = []): GroupSpec => ({ name, requests, limits, transferFrom: from, transferTo: to });
const groupsOf = (placement: Map<string, string>) => {
  const out: Record<string, string[]> = {};
  for (const [n, g] of placement) (out[g] ??= []).push(n);
  return out;
};
const nodes = (count: number) => Array.from({ length: count }, (_, i) => `qn${i + 1}`);

test('given no group but the default, then every node joins the default group', () => {
  assert.equal(groupsOf(placeNodes([], nodes(3), new Map())), { [DEF]: ['qn1', 'qn2', 'qn3'] });
});

test('given a group short of its requests, then a joining node fills it before the default group', () => {
  const specs = [group('rg1', 1, 1)];
  const first = placeNodes(specs, ['qn1'], new Map());
  assert.equal(groupsOf(first), { rg1: ['qn1'] });
  assert.equal(groupsOf(placeNodes(specs, ['qn1', 'qn2'], first)), { rg1: ['qn1'], [DEF]: ['qn2'] });
});

test('given two groups short by different amounts, then new nodes go to the one most short first', () => {
  const p = placeNodes([group('rg1', 1, 1), group('rg2', 2, 2)], nodes(3), new Map());
  // qn1 to rg2 (short by 2), then a tie broken by name: qn2 to rg1, qn3 to rg2.
  assert.equal(groupsOf(p), { rg1: ['qn2'], rg2: ['qn1', 'qn3'] });
});

test('given a group made later, then it takes its requests from the default group (a node the default does not need)', () => {
  const before = placeNodes([], nodes(3), new Map());
  assert.equal(groupsOf(placeNodes([group('rg1', 2, 2)], nodes(3), before)), { [DEF]: ['qn1'], rg1: ['qn2', 'qn3'] });
});

test('given a node of a group leaves, then the group is refilled from the default group', () => {
  const specs = [group('rg1', 1, 1), group('rg2', 1, 1)];
  const p = placeNodes(specs, nodes(3), new Map());
  const rg1Node = [...p].find(([, g]) => g === 'rg1')![0];
  const after = placeNodes(specs, nodes(3).filter((n) => n !== rg1Node), p);
  const g = groupsOf(after);
  assert.equal(g.rg1!.length, 1);
  assert.equal(g.rg2, groupsOf(p).rg2, 'the other group keeps its node');
  assert.is(g[DEF], undefined, 'the default group gave its only node');
});

test('given no spare node, then a short group takes none from a group at its own requests', () => {
  const specs = [group('rg1', 1, 1), group('rg2', 1, 1)];
  const p = placeNodes(specs, ['qn1', 'qn2'], new Map());
  const after = placeNodes(specs, ['qn2'], p);
  assert.equal(after, new Map([['qn2', p.get('qn2')!]]));
});

test('given transfer_from, then a short group takes from the group it prefers before the default group', () => {
  const specs = [group('rg1', 0, 3), group('rg2', 2, 2, ['rg1'])];
  const prev = new Map([['qn1', DEF], ['qn2', 'rg1'], ['qn3', 'rg1']]);
  assert.equal(groupsOf(placeNodes(specs, nodes(3), prev)), { [DEF]: ['qn1'], rg2: ['qn2', 'qn3'] });
  const noPreference = [group('rg1', 0, 3), group('rg2', 2, 2)];
  assert.equal(groupsOf(placeNodes(noPreference, nodes(3), prev)), { rg1: ['qn2'], rg2: ['qn1', 'qn3'] }, 'without one: the default group first, then by name');
});

test('given a group above its limits, then it gives nodes to its transfer_to first, else to the default group', () => {
  const prev = new Map([['qn1', 'rg1'], ['qn2', 'rg1'], ['qn3', 'rg1']]);
  assert.equal(groupsOf(placeNodes([group('rg1', 1, 1, [], ['rg2']), group('rg2', 0, 5)], nodes(3), prev)), { rg1: ['qn1'], rg2: ['qn2', 'qn3'] });
  assert.equal(groupsOf(placeNodes([group('rg1', 1, 1), group('rg2', 0, 5)], nodes(3), prev)), { [DEF]: ['qn2', 'qn3'], rg1: ['qn1'] });
});

test('given the default group at its limits, then the excess goes to another group below its limits', () => {
  const specs = [group(DEF, 0, 1), group('rg1', 0, 5)];
  assert.equal(groupsOf(placeNodes(specs, nodes(3), new Map())), { [DEF]: ['qn1'], rg1: ['qn2', 'qn3'] });
});

test('given a group between its requests and its limits, then spare nodes stay in the default group', () => {
  assert.equal(groupsOf(placeNodes([group('rg1', 1, 4)], nodes(3), new Map())), { rg1: ['qn1'], [DEF]: ['qn2', 'qn3'] });
});

test('given a dropped group, then its nodes go where new nodes go', () => {
  const prev = new Map([['qn1', 'gone'], ['qn2', 'rg1']]);
  assert.equal(groupsOf(placeNodes([group('rg1', 1, 1)], ['qn1', 'qn2'], prev)), { [DEF]: ['qn1'], rg1: ['qn2'] });
});

test('stable: a placement that meets every constraint is returned as it was, whatever order the nodes come in', () => {
  const specs = [group('rg1', 1, 2), group('rg2', 2, 2, [DEF])];
  const p = placeNodes(specs, nodes(5), new Map());
  assert.equal(placeNodes(specs, nodes(5).reverse(), p), p);
  assert.equal(placeNodes(specs, nodes(5), p), p);
  // A node that joins disturbs no one else.
  const grown = placeNodes(specs, nodes(6), p);
  for (const [n, g] of p) assert.is(grown.get(n), g, n);
});

test('deterministic: the same input gives the same placement', () => {
  const specs = [group('b', 2, 3), group('a', 2, 3)];
  assert.equal(placeNodes(specs, nodes(7), new Map()), placeNodes(specs, nodes(7).reverse(), new Map()));
});

test('configs: Milvus shape in, requests over limits and bad counts refused, a field left out keeps its value', () => {
  const s = specOf('rg1', { requests: { node_num: 1 }, limits: { node_num: 2 }, transfer_from: [{ resource_group: DEF }] });
  assert.equal(s, { name: 'rg1', requests: 1, limits: 2, transferFrom: [DEF], transferTo: [] });
  assert.equal(specOf('rg1', { limits: { node_num: 5 } }, s), { ...s, limits: 5 });
  assert.equal(specOf('rg1', undefined), { name: 'rg1', requests: 0, limits: 0, transferFrom: [], transferTo: [] });
  assert.throws(() => specOf('rg1', { requests: { node_num: 3 }, limits: { node_num: 2 } }), /must not exceed limits/);
  assert.throws(() => specOf('rg1', { requests: { node_num: -1 } }), /requests.node_num must be an integer/);
  assert.throws(() => specOf('rg1', { transfer_to: [{ resource_group: '1bad' }] }), /resource group name/);
  try { checkTransfers([group('rg1', 0, 0, ['nope'])]); assert.unreachable(); } catch (e) { assert.is((e as NuthatchError).code, 'ResourceGroupNotFound'); }
});

test.run();
