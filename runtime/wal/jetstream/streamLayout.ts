/**
 * Names and configuration of the JetStream stream behind one pchannel, including
 * the durability choice (see README.md in this folder).
 */
import type { StreamConfig } from '@nats-io/jetstream';

/**
 * How an acknowledged append survives an OS crash. JetStream file storage fsyncs
 * only every `sync_interval` (2 min by default), so a single replica acknowledges
 * writes that an OS crash can lose.
 */
export const JetStreamDurability = {
  /**
   * Three replicas (`num_replicas: 3`): the publish ack means a quorum of two
   * servers stored the message, so an OS crash of one host loses nothing. Needs a
   * JetStream cluster of 3+ servers on separate hosts; works on nats-server 2.9.
   */
  Replicated: 'replicated',
  /**
   * One replica on servers configured with `jetstream { sync_interval: always }`
   * (nats-server >= 2.10; 2.9 rejects the option): every write is fsynced before
   * its ack. Opening checks the server version; the setting itself is the
   * operator's promise (the client cannot read it).
   */
  SyncAlways: 'sync-always',
  /**
   * One replica, acked before fsync: survives a server crash but not an OS crash
   * (up to `sync_interval` of acked writes lost). Development and tests on a single
   * nats-server 2.9 only; never production.
   */
  Unsynced: 'unsynced',
} as const;
export type JetStreamDurability = (typeof JetStreamDurability)[keyof typeof JetStreamDurability];

/** Where one pchannel lives: its stream and the two subjects in it. */
export interface StreamLayout {
  stream: string;
  /** Entry groups (purged by truncate). */
  data: string;
  /** Fence records (never purged: the last one holds the owner's term). */
  fence: string;
}

/**
 * Maps a pchannel to names JetStream accepts, injectively: every character outside
 * `[A-Za-z0-9-]` becomes `_` and two hex digits per UTF-8 byte.
 */
export function streamLayout(streamPrefix: string, subjectPrefix: string, pchannel: string): StreamLayout {
  const token = [...new TextEncoder().encode(pchannel)]
    .map((b) => (/[A-Za-z0-9-]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, '0')}`))
    .join('');
  return { stream: `${streamPrefix}${token}`, data: `${subjectPrefix}.${token}.d`, fence: `${subjectPrefix}.${token}.f` };
}

/** JetStream's duplicate window for our streams: 10 s, in nanoseconds. */
const DUPLICATE_WINDOW_NS = 10_000_000_000;

/** The stream configuration for a layout and a durability choice. */
export function streamConfig(layout: StreamLayout, durability: JetStreamDurability): Partial<StreamConfig> & { name: string; num_replicas: number } {
  return {
    name: layout.stream,
    subjects: [layout.data, layout.fence],
    storage: 'file' as StreamConfig['storage'],
    retention: 'limits' as StreamConfig['retention'],
    num_replicas: durability === JetStreamDurability.Replicated ? 3 : 1,
    // Positions are derived from stream sequences: a message deleted in the middle
    // would break the binary search, so only whole-prefix purges are allowed.
    deny_delete: true,
    // Writers set message ids only to chain their messages (messageId.ts), never to
    // deduplicate retries: a short window keeps the server's id table small.
    duplicate_window: DUPLICATE_WINDOW_NS,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
  };
}

/** Required server version for a durability choice, or undefined when any will do. */
export function minimumServerVersion(durability: JetStreamDurability): string | undefined {
  return durability === JetStreamDurability.SyncAlways ? '2.10.0' : undefined;
}

/** Compares dotted versions (`2.9.10` < `2.10.0`), ignoring pre-release tags. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const b = minimum.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i]!;
  }
  return true;
}
