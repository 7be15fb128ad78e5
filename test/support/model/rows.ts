import type { NuthatchApi } from '../../../runtime/client/api.js';

/**
 * The model check's rows and the state a run carries: the collection it
 * drives, and the plain Map that says what every read must answer.
 */
export const DIM = 4;
export const PARTS = ['_default', 'p1'] as const;
/** `extra` is a field the run adds halfway (absent before it: rows written earlier read null). */
export type Row = { id: number; part: string; cat: number; tag: string | null; score: number; vec: number[]; extra?: number | null };
export type Model = Map<number, Row>;

export const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'cat', dataType: 'Int64' as const },
    { name: 'tag', dataType: 'VarChar' as const, maxLength: 16, nullable: true },
    { name: 'score', dataType: 'Float' as const },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};

export const f32 = (x: number) => Math.fround(x);
/** A row as written: its partition is where it is written, not a field. */
export const stored = ({ part: _part, ...row }: Row) => row;
export const l2 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (f32(x) - f32(b[i]!)) ** 2, 0);

/** What a run has done so far, so a test can check it took the paths it is meant to check. */
export interface ModelStats {
  faults: number; flushes: number; compactions: number; truncates: number;
  renames: number; aliasSwaps: number; partitionDrops: number; restores: number;
}

/** A run in progress: the seeded randomness, the collection (renames change its name) and the model of it. */
export interface RunState {
  readonly client: NuthatchApi;
  r: () => number;
  /** The collection's current name. */
  name: string;
  model: Model;
  nextId: number;
  extraAdded: boolean;
  stats: ModelStats;
  where: string;
}

export const pick = <T>(s: Pick<RunState, 'r'>, xs: readonly T[]): T => xs[Math.floor(s.r() * xs.length)]!;

/** A new row for `id` (in its model partition if it has one). */
export function newRow(s: RunState, id: number, part: string = s.model.get(id)?.part ?? pick(s, PARTS)): Row {
  const { r } = s;
  return {
    id, part, cat: Math.floor(r() * 4), tag: r() < 0.2 ? null : pick(s, ['a', 'b', 'c']), score: f32(r() * 100),
    vec: Array.from({ length: DIM }, () => f32(r() * 2 - 1)),
    ...(s.extraAdded ? { extra: r() < 0.3 ? null : Math.floor(r() * 100) } : {}),
  };
}

/** `n` ids, some beyond those written (deletes and upserts of keys never seen). */
export const someIds = (s: RunState, n: number) => Array.from({ length: n }, () => Math.floor(s.r() * (s.nextId + 5)));
