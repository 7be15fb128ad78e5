import type { Bodies } from './types.js';

/**
 * A collection DDL taken by its record before it is broadcast to the shards
 * (actors/coordinator/core/journaledDdl.ts says why and how it is finished).
 */

/** The DDL steps journaled, by their message type. */
export const JOURNALED = ['AddCollectionField', 'AlterCollectionField', 'DropCollectionField', 'AddCollectionFunction', 'AlterCollectionFunction', 'DropCollectionFunction', 'CreatePartition', 'DropPartition', 'TruncateCollection', 'CreateIndex', 'DropIndex'] as const;
export type JournaledType = typeof JOURNALED[number];

/** One step: its message type and body (collectionId is the record's). */
export type DdlStep = { [T in JournaledType]: { type: T; body: Omit<Bodies[T], 'collectionId'> } }[JournaledType];

/** A step taken by the record before its broadcast: `broadcastId` makes every sending of it one append per shard. */
export interface PendingDdl { broadcastId: number; step: DdlStep }
