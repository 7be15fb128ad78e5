/**
 * The order in which a database replicator renames its mirrors when source
 * collections were renamed (found by collection id, never by name). Renames
 * are applied one at a time on the target, so a rename onto a name another
 * moving mirror still holds must wait for that one, and a cycle (two
 * collections that swapped names, or a ring of three) is broken by moving one
 * mirror to a temporary name first: a swap is mirrored as renames, never as a
 * mirror dropped and copied again. Pure: the caller names the temporary.
 */

/** One mirror to move: its source collection id, its name now and the name its source has now. */
export interface MirrorMove { id: number; from: string; to: string }

/** One rename to apply on the target, in order. */
export interface RenameStep { id: number; from: string; to: string }

/**
 * Renames that take every mirror from `from` to `to`, each onto a name free at
 * its turn (no mirror of `moves` holds it then). `temporary(id)` names a free
 * name for breaking a cycle.
 */
export function planRenames(moves: readonly MirrorMove[], temporary: (id: number) => string): RenameStep[] {
  const pending = moves.filter((m) => m.from !== m.to).map((m) => ({ ...m }));
  const steps: RenameStep[] = [];
  while (pending.length > 0) {
    const held = new Set(pending.map((m) => m.from));
    const free = pending.findIndex((m) => !held.has(m.to));
    if (free >= 0) {
      steps.push(pending.splice(free, 1)[0]!);
      continue;
    }
    // Every destination is held by another moving mirror: only cycles are left. Park one.
    const m = pending[0]!, parked = temporary(m.id);
    steps.push({ id: m.id, from: m.from, to: parked });
    m.from = parked;
  }
  return steps;
}
