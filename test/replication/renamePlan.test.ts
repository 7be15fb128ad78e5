/**
 * The order of mirror renames (actors/replicator/core/renamePlan.ts): each
 * rename lands on a name no other moving mirror holds at its turn, chains go
 * back to front, and a swap or a ring is broken through a parked name, never
 * by dropping a mirror.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planRenames, type MirrorMove, type RenameStep } from '../../actors/replicator/core/renamePlan.js';

const park = (id: number) => `_parked_${id}`;

/** Applies steps to a name -> id map, failing on a rename onto a held name or from an absent one. */
function apply(start: Map<string, number>, steps: RenameStep[]): Map<string, number> {
  const names = new Map(start);
  for (const s of steps) {
    assert.is(names.get(s.from), s.id, `${s.from} holds mirror ${s.id} when it is renamed`);
    assert.not.ok(names.has(s.to), `${s.to} is free when ${s.from} is renamed onto it`);
    names.delete(s.from);
    names.set(s.to, s.id);
  }
  return names;
}
const check = (moves: MirrorMove[], others: Array<[string, number]> = []) => {
  const before = new Map<string, number>([...moves.map((m) => [m.from, m.id] as [string, number]), ...others]);
  const after = apply(before, planRenames(moves, park));
  const want = new Map<string, number>([...moves.map((m) => [m.to, m.id] as [string, number]), ...others]);
  assert.equal([...after].sort(), [...want].sort());
  return planRenames(moves, park);
};

test('a plain rename is one step; nothing to move is no step', () => {
  assert.equal(check([{ id: 1, from: 'a', to: 'b' }]), [{ id: 1, from: 'a', to: 'b' }]);
  assert.equal(planRenames([{ id: 1, from: 'a', to: 'a' }], park), []);
});

test('a chain (a to b, b to c) renames b first', () => {
  assert.equal(check([{ id: 1, from: 'a', to: 'b' }, { id: 2, from: 'b', to: 'c' }]).map((s) => s.id), [2, 1]);
});

test('a swap goes through one parked name: three renames, no mirror dropped', () => {
  const steps = check([{ id: 1, from: 'a', to: 'b' }, { id: 2, from: 'b', to: 'a' }], [['other', 9]]);
  assert.equal(steps, [{ id: 1, from: 'a', to: '_parked_1' }, { id: 2, from: 'b', to: 'a' }, { id: 1, from: '_parked_1', to: 'b' }]);
});

test('a ring of three and a separate swap each park one mirror', () => {
  const steps = check([
    { id: 1, from: 'a', to: 'b' }, { id: 2, from: 'b', to: 'c' }, { id: 3, from: 'c', to: 'a' },
    { id: 4, from: 'x', to: 'y' }, { id: 5, from: 'y', to: 'x' },
  ]);
  assert.is(steps.filter((s) => s.to.startsWith('_parked_')).length, 2);
  assert.is(steps.length, 7);
});

test.run();
