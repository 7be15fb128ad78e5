/**
 * Load generations (pure): each release of a collection, or of some of its
 * partitions, starts a new generation of their segment loads. A segment load
 * takes a ticket when it starts; its answer may serve the segment only while
 * the ticket is still current. A load that was in flight when its collection
 * was released is answered after the release took the distribution's segments
 * out (it had nothing of that load to take): served anyway, it would leave the
 * segment listed in a released collection's distribution and held on its node,
 * and with a load since, listed where that load did not place it.
 *
 * In memory only: loads in flight do not outlive the coordinator that asked for them.
 */
export interface LoadGenerations {
  /** Releases of each collection (by id). */
  readonly collections: Map<number, number>;
  /** Releases of each partition (`collectionId/partitionId`). */
  readonly partitions: Map<string, number>;
}

/** What a segment load saw when it started. */
export interface LoadTicket {
  readonly collectionId: number;
  readonly partitionId: number;
  readonly collection: number;
  readonly partition: number;
}

export function newLoadGenerations(): LoadGenerations {
  return { collections: new Map(), partitions: new Map() };
}

const partitionKey = (collectionId: number, partitionId: number): string => `${collectionId}/${partitionId}`;

/** The ticket a load of a segment of this partition takes as it starts. */
export function loadTicket(g: LoadGenerations, collectionId: number, partitionId: number): LoadTicket {
  return { collectionId, partitionId, collection: g.collections.get(collectionId) ?? 0, partition: g.partitions.get(partitionKey(collectionId, partitionId)) ?? 0 };
}

/** A release: of the whole collection, or (`partitionIds`) of those partitions only; loads begun before it are stale. */
export function released(g: LoadGenerations, collectionId: number, partitionIds?: readonly number[]): void {
  if (partitionIds === undefined) { g.collections.set(collectionId, (g.collections.get(collectionId) ?? 0) + 1); return; }
  for (const p of partitionIds) { const k = partitionKey(collectionId, p); g.partitions.set(k, (g.partitions.get(k) ?? 0) + 1); }
}

/** Whether no release of the ticket's collection or partition came since it was taken. */
export function ticketCurrent(g: LoadGenerations, t: LoadTicket): boolean {
  const now = loadTicket(g, t.collectionId, t.partitionId);
  return now.collection === t.collection && now.partition === t.partition;
}

/**
 * Whether a load's answer may serve its segment: the segment still recorded (not discarded by a truncate or a
 * dropped partition), its partition loaded, and the load's ticket current (no release since it began, even one
 * followed by a load again).
 */
export function mayServe(g: LoadGenerations, t: LoadTicket, now: { recorded: boolean; partitionLoaded: boolean }): boolean {
  return now.recorded && now.partitionLoaded && ticketCurrent(g, t);
}

/**
 * The nodes whose copies of a segment, just loaded, leave them again: those
 * the distribution does not name, except where a load now wants the segment
 * (`wantedOn`: none when it is no longer recorded or its partition not loaded).
 * Nothing else would release them: a release takes out what the distribution names.
 */
export function copiesToRelease(loadedOn: readonly string[], servingOn: readonly string[], wantedOn: readonly string[]): string[] {
  return loadedOn.filter((n) => !servingOn.includes(n) && !wantedOn.includes(n));
}
