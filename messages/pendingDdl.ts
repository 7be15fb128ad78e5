import type { CollectionProperties } from './collectionProperties.js';
import type { Bodies } from './types.js';

/**
 * A collection DDL taken by its record before it is broadcast to the shards
 * (actors/coordinator/core/journaledDdl.ts says why and how it is finished).
 */

/** The DDL steps journaled, by their message type. */
export const JOURNALED = ['AddCollectionField', 'AlterCollectionField', 'DropCollectionField', 'AddCollectionFunction', 'AlterCollectionFunction', 'DropCollectionFunction', 'CreatePartition', 'DropPartition', 'TruncateCollection', 'CreateIndex', 'DropIndex'] as const;
export type JournaledType = typeof JOURNALED[number];

/** One step: its message type and body (collectionId is the record's). */
export type DdlStep = { [T in JournaledType]: { type: T; body: Omit<Bodies[T], 'collectionId'> } }[JournaledType] | AlterStep;

/**
 * A change of a collection's properties. Each property the record holds after
 * it (null: none) goes into the record with the step; only a changed TTL is
 * also a message to every shard (`body`; null: the step is the record's alone).
 */
export interface AlterStep {
  type: 'AlterCollection';
  body: Omit<Bodies['AlterCollection'], 'collectionId'> | null;
  properties: { [K in keyof CollectionProperties]-?: CollectionProperties[K] | null };
}

/** A step taken by the record before its broadcast: `broadcastId` makes every sending of it one append per shard. */
export interface PendingDdl { broadcastId: number; step: DdlStep }
