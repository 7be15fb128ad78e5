/**
 * The vchannel machine as a graph for the inspector's diagram, read from the
 * XState definition (`vchannelMachine.config`) so the picture cannot drift from
 * the machine: states, accepting transitions (event -> target, or a self-loop),
 * and the invariants each state checks before it accepts.
 */
import { vchannelMachine } from '../../actors/streaming-node/core/vchannel/index.js';
import { Invariant } from '../../messages/errors.js';

export interface MachineEdge { from: string; to: string; events: string[] }

export interface MachineGraph {
  id: string;
  initial: string;
  states: string[];
  /** Accepting transitions grouped by (from, to); `to === from` is a self-loop. */
  edges: MachineEdge[];
  /** Per state: event -> the invariants checked in order, by their wire names (`nothing-after-drop`). */
  checks: Record<string, Record<string, string[]>>;
}

const invariantName = (key: string): string => (Object.hasOwn(Invariant, key) ? Invariant[key as keyof typeof Invariant] : key);

type TransitionConfig = { guard?: unknown; target?: unknown; actions?: unknown };
type StateConfig = { on?: Record<string, TransitionConfig | TransitionConfig[]> };

/** Builds the graph from a machine config (the real one by default). */
export function machineGraph(config: { id?: string; initial?: unknown; states?: Record<string, StateConfig> } = vchannelMachine.config as never): MachineGraph {
  const states = Object.keys(config.states ?? {});
  const edges = new Map<string, MachineEdge>();
  const checks: MachineGraph['checks'] = {};
  for (const from of states) {
    checks[from] = {};
    for (const [event, raw] of Object.entries(config.states![from]!.on ?? {})) {
      const list = Array.isArray(raw) ? raw : [raw];
      checks[from]![event] = list.filter((t) => typeof t.guard === 'string').map((t) => invariantName(String(t.guard).replace(/^breaks/, '')));
      for (const t of list) {
        if (t.guard !== undefined) continue; // a guarded branch here only rejects
        const to = typeof t.target === 'string' ? t.target.replace(/^\./, '') : from;
        const key = `${from}->${to}`;
        const e = edges.get(key) ?? { from, to, events: [] };
        e.events.push(event);
        edges.set(key, e);
      }
    }
  }
  return { id: config.id ?? 'machine', initial: String(config.initial ?? states[0] ?? ''), states, edges: [...edges.values()], checks };
}
