import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { DEFAULT_RESOURCE_GROUP, type ResourceGroupConfig } from '../../../messages/rpc/resourceGroups.js';

export { DEFAULT_RESOURCE_GROUP };

/**
 * Resource groups (Milvus's): sets of query nodes. Each live query node belongs
 * to exactly one group; a group asks for `requests` nodes and holds at most
 * `limits`; `transferFrom` and `transferTo` name the groups it prefers to take
 * nodes from and give them to. Pure: no I/O, no clock; the same input gives the
 * same placement, and a placement that meets every constraint is kept as it is.
 */
export interface GroupSpec { name: string; requests: number; limits: number; transferFrom: string[]; transferTo: string[] }

/** Milvus's default group holds every node no other group asks for. */
export const DEFAULT_GROUP_SPEC: GroupSpec = { name: DEFAULT_RESOURCE_GROUP, requests: 0, limits: 1_000_000, transferFrom: [], transferTo: [] };
/** A group made without a config asks for no node (Milvus's), so it holds none until configured. */
const NEW_GROUP = { requests: 0, limits: 0 } as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/** A group name as Milvus takes one: a letter or underscore first, then letters, digits and underscores. */
export function checkGroupName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw new ValidationError(`resource group name '${String(name)}' must start with a letter or '_' and hold only letters, digits and '_' (at most 255)`, { field: 'name' });
  return name;
}

/** A config (Milvus's shape) as a spec; fields it leaves out keep `base`'s. */
export function specOf(name: string, config: ResourceGroupConfig | undefined, base?: GroupSpec): GroupSpec {
  const count = (v: unknown, what: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 1_000_000) throw new ValidationError(`${what}.node_num must be an integer in 0..1000000`, { field: `${what}.node_num` });
    return v as number;
  };
  const groups = (list: unknown, what: string, fallback: string[]): string[] => {
    if (list === undefined) return fallback;
    if (!Array.isArray(list)) throw new ValidationError(`${what} must be a list of {resource_group}`, { field: what });
    return list.map((t) => checkGroupName((t as { resource_group?: unknown } | null)?.resource_group));
  };
  const requests = count(config?.requests?.node_num, 'requests', base?.requests ?? NEW_GROUP.requests);
  const limits = count(config?.limits?.node_num, 'limits', base?.limits ?? NEW_GROUP.limits);
  if (requests > limits) throw new ValidationError(`resource group '${name}': requests.node_num (${requests}) must not exceed limits.node_num (${limits})`, { field: 'requests.node_num' });
  return { name, requests, limits, transferFrom: groups(config?.transfer_from, 'transfer_from', base?.transferFrom ?? []), transferTo: groups(config?.transfer_to, 'transfer_to', base?.transferTo ?? []) };
}

/** A spec in Milvus's config shape (what describe reports). */
export function configOf(s: GroupSpec): Required<ResourceGroupConfig> {
  return {
    requests: { node_num: s.requests }, limits: { node_num: s.limits },
    transfer_from: s.transferFrom.map((resource_group) => ({ resource_group })), transfer_to: s.transferTo.map((resource_group) => ({ resource_group })),
  };
}

/** Refuses transfer preferences that name a group not among `specs` (or the group itself). */
export function checkTransfers(specs: readonly GroupSpec[]): void {
  const names = new Set(specs.map((s) => s.name));
  for (const s of specs) {
    for (const t of [...s.transferFrom, ...s.transferTo]) {
      if (!names.has(t)) throw new NuthatchError('ResourceGroupNotFound', `resource group '${s.name}' names resource group '${t}' to transfer nodes with, which does not exist`, { resourceGroup: t });
      if (t === s.name) throw new ValidationError(`resource group '${s.name}' cannot transfer nodes with itself`, { field: 'transfer_from' });
    }
  }
}

/**
 * Which group each live node belongs to. A node keeps its previous group; a new
 * one (or one whose group is gone) fills the group most short of its requests,
 * else joins the default group. Then, until nothing changes: a group short of
 * its requests takes a node from a group above its own requests (its
 * transfer_from first, then the default group, then any by name); a group above
 * its limits gives a node to a group below its limits (its transfer_to first,
 * then the default group, then any by name). A node that moves is the donor's
 * last by id, so the result is deterministic.
 */
export function placeNodes(specs: readonly GroupSpec[], live: readonly string[], previous: ReadonlyMap<string, string>): Map<string, string> {
  const all = specs.some((s) => s.name === DEFAULT_RESOURCE_GROUP) ? [...specs] : [DEFAULT_GROUP_SPEC, ...specs];
  const byName = new Map(all.map((s) => [s.name, s]));
  const members = new Map<string, string[]>(all.map((s) => [s.name, []]));
  const nodes = [...new Set(live)].sort();
  const fresh: string[] = [];
  for (const n of nodes) {
    const g = previous.get(n);
    if (g !== undefined && members.has(g)) members.get(g)!.push(n); else fresh.push(n);
  }
  const size = (g: string) => members.get(g)!.length;
  const missing = (s: GroupSpec) => s.requests - size(s.name);
  const mostShort = () => all.filter((s) => missing(s) > 0).sort((a, b) => missing(b) - missing(a) || byOrder(a.name, b.name));
  for (const n of fresh) members.get(mostShort()[0]?.name ?? DEFAULT_RESOURCE_GROUP)!.push(n);

  /** Preferred groups first, then the default group, then the others by name. */
  const ranked = (preferred: readonly string[], except: string) => {
    const rest = all.map((s) => s.name).filter((g) => !preferred.includes(g)).sort(byOrder);
    return [...preferred, ...rest].filter((g) => g !== except && byName.has(g));
  };
  const move = (from: string, to: string) => {
    const list = members.get(from)!.sort();
    members.get(to)!.push(list.pop()!);
  };
  // Requests first: each move lowers the total shortage and leaves the donor at or above its own requests.
  for (let moved = true; moved;) {
    moved = false;
    for (const s of mostShort()) {
      const donor = ranked(s.transferFrom, s.name).find((g) => size(g) > byName.get(g)!.requests);
      if (donor !== undefined) { move(donor, s.name); moved = true; break; }
    }
  }
  // Then limits: each move lowers the total excess, and requests <= limits keeps the giver at its requests.
  for (let moved = true; moved;) {
    moved = false;
    for (const s of all.filter((x) => size(x.name) > x.limits).sort((a, b) => byOrder(a.name, b.name))) {
      const taker = ranked(s.transferTo, s.name).find((g) => size(g) < byName.get(g)!.limits);
      if (taker !== undefined) { move(s.name, taker); moved = true; break; }
    }
  }
  const out = new Map<string, string>();
  for (const [g, list] of members) for (const n of list) out.set(n, g);
  return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
}

/** The default group first, then by name. */
function byOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === DEFAULT_RESOURCE_GROUP) return -1;
  if (b === DEFAULT_RESOURCE_GROUP) return 1;
  return a.localeCompare(b);
}

/** The live nodes of each group, sorted. */
export function membersOf(placement: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [n, g] of placement) out.set(g, [...(out.get(g) ?? []), n].sort());
  return out;
}
