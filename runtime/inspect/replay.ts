/**
 * The replay engine: folds a pchannel's log with the pure cores the streaming
 * node runs (the vchannel machine `applyMessage`, then `evolveShard` for accepted
 * messages), as its durable fold does, and says what each message did as
 * inspection events. Pure: no I/O, no clock; the caller reads the WAL
 * (walSource.ts) and prints or serves the steps.
 */
import { appendedEvent, foldedEvents, rejectedEvent } from '../../actors/streaming-node/shell/nodeContext.js';
import { evolveShard, newShard, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { applyMessage, initialVchannel, vchannelView, type VchannelSnapshot, type VchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { AnyMessage, MessageType, Tso, WalPosition } from '../../messages/types.js';
import type { InspectEvent } from './events.js';

/** A WAL record the codec could not read: replay reports it and goes on. */
export interface Undecodable { undecodable: string; position: WalPosition; tso: Tso }
/** What replay reads: decoded messages (header.walPosition set) or records that failed to decode. */
export type ReplayInput = AnyMessage | Undecodable;

export interface ReplayOptions {
  /** Only this vchannel's messages (TimeTicks are left out too). */
  vchannel?: string;
  /** Stop before the first message with a TSO above this one. */
  toTso?: Tso;
  /** Stop after this WAL position. */
  toPosition?: WalPosition;
}

export const StepVerdict = { Accepted: 'accepted', Rejected: 'rejected', Tick: 'tick', Undecodable: 'undecodable' } as const;
export type StepVerdict = (typeof StepVerdict)[keyof typeof StepVerdict];

/** One message of the log and what it did. */
export interface ReplayStep {
  position: WalPosition;
  tso: Tso;
  type: MessageType | '?';
  vchannel: string;
  verdict: StepVerdict;
  /** appended / rejected, then transitions and segment effects. */
  events: InspectEvent[];
  /** Why a record could not be decoded. */
  error?: string;
}

export interface SegmentRows { id: number; rows: number; sealed: boolean; flushed: boolean }

/** One vchannel at the end of a replay: the machine's view and the shard's data. */
/** `deletes`: entries the shard's delete log holds; `deletesTrimmed`: entries TrimDeletes dropped from its head. */
export interface ReplayedVchannel { view: VchannelView; segments: SegmentRows[]; deletes: number; deletesTrimmed?: number; pendingTxns: number }

export interface ReplaySummary {
  pchannel: string;
  messages: number;
  accepted: number;
  rejected: number;
  undecodable: number;
  ticks: number;
  lastPosition: WalPosition;
  lastTso: Tso;
  vchannels: ReplayedVchannel[];
}

const isUndecodable = (x: ReplayInput): x is Undecodable => 'undecodable' in x;

/** An incremental replay of one pchannel: feed records in WAL order with `step`. */
export class Replayer {
  private readonly machines = new Map<string, VchannelSnapshot>();
  private readonly shards = new Map<string, ShardData>();
  private readonly counts = { messages: 0, accepted: 0, rejected: 0, undecodable: 0, ticks: 0 };
  private last = { position: -1, tso: 0n };
  /** True once a record lies past the stop point: the caller may stop reading. */
  done = false;

  constructor(readonly pchannel: string, private readonly opts: ReplayOptions = {}) {}

  /** Folds one record; null when it is filtered out or past the stop point. */
  step(x: ReplayInput): ReplayStep | null {
    const position = isUndecodable(x) ? x.position : x.header.walPosition;
    const tso = isUndecodable(x) ? x.tso : x.header.tso;
    if (this.done || (this.opts.toPosition !== undefined && position > this.opts.toPosition) || (this.opts.toTso !== undefined && tso > this.opts.toTso)) {
      this.done = true;
      return null;
    }
    if (isUndecodable(x)) {
      this.counts.undecodable++;
      this.last = { position, tso };
      return { position, tso, type: '?', vchannel: '', verdict: 'undecodable', events: [], error: x.undecodable };
    }
    const v = x.header.vchannel;
    if (this.opts.vchannel !== undefined && v !== this.opts.vchannel) return null;
    this.counts.messages++;
    this.last = { position, tso };
    const base = { position, tso, type: x.header.type, vchannel: v };
    if (x.header.type === 'TimeTick') {
      this.counts.ticks++;
      return { ...base, verdict: 'tick', events: [appendedEvent(this.pchannel, x)] };
    }
    const before = this.machines.get(v) ?? initialVchannel(v);
    const verdict = applyMessage(before, x);
    if (!verdict.ok) {
      this.counts.rejected++;
      return { ...base, verdict: 'rejected', events: [rejectedEvent(this.pchannel, x, verdict.error, position)] };
    }
    this.counts.accepted++;
    this.machines.set(v, verdict.snapshot);
    let shard = this.shards.get(v);
    if (!shard) { shard = newShard(v, -1); this.shards.set(v, shard); }
    const fx = evolveShard(shard, x);
    // Offline nothing is dispatched, and the summary holds the state: keep what the message itself did.
    const folded = foldedEvents(this.pchannel, x, before, verdict.snapshot, shard, fx).filter((e) => e.kind !== 'snapshot' && !(e.kind === 'effect' && e.what === 'flush-dispatched'));
    return { ...base, verdict: 'accepted', events: [appendedEvent(this.pchannel, x), ...folded] };
  }

  /** The state so far, vchannels in name order. */
  summary(): ReplaySummary {
    const vchannels = [...this.machines.keys()].sort().map((v): ReplayedVchannel => {
      const shard = this.shards.get(v);
      return {
        view: vchannelView(this.machines.get(v)!),
        segments: shard ? [...shard.segments.values()].sort((a, b) => a.id - b.id).map((s) => ({ id: s.id, rows: s.rows, sealed: s.sealPos !== null, flushed: s.flushed })) : [],
        deletes: shard?.deletes.length ?? 0,
        ...(shard && shard.deleteBase > 0 ? { deletesTrimmed: shard.deleteBase } : {}),
        pendingTxns: shard?.txns.size ?? 0,
      };
    });
    return { pchannel: this.pchannel, ...this.counts, lastPosition: this.last.position, lastTso: this.last.tso, vchannels };
  }
}

/** Replays a whole log: every step that was not filtered out, and the state at the stop point. */
export function replayLog(pchannel: string, log: Iterable<ReplayInput>, opts: ReplayOptions = {}): { steps: ReplayStep[]; summary: ReplaySummary } {
  const r = new Replayer(pchannel, opts);
  const steps: ReplayStep[] = [];
  for (const x of log) {
    const s = r.step(x);
    if (r.done) break;
    if (s) steps.push(s);
  }
  return { steps, summary: r.summary() };
}
