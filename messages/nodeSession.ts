/**
 * A node's session value (the leased key `sessions/<role>/<nodeId>`): its id
 * and its incarnation, one per process. A node started again under the same id
 * puts its session before the old lease expires, so the key never disappears;
 * the new incarnation is how the coordinator tells a restart (a node that holds
 * nothing now) from the same process registering again after a lost lease.
 */
export interface NodeSession { nodeId: string; incarnation: string }

export function encodeSession(s: NodeSession): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

/** The session a value holds; a value written before incarnations (the bare node id) is its own incarnation. */
export function decodeSession(value: Uint8Array | undefined): NodeSession | undefined {
  if (!value) return undefined;
  const text = new TextDecoder().decode(value);
  try {
    const v = JSON.parse(text) as Partial<NodeSession>;
    if (typeof v.nodeId === 'string' && typeof v.incarnation === 'string') return { nodeId: v.nodeId, incarnation: v.incarnation };
  } catch { /* the bare node id of an older node */ }
  return { nodeId: text, incarnation: text };
}
