/**
 * What the inspector page shows, folded from the inspection stream: every
 * pchannel (owner, term, WAL position, last tick, checkpoint), every vchannel
 * (latest view, last transition, counts), the tail of messages (appended,
 * rejected, transitions) and of effects. Ring buffers keep it bounded.
 */
import type { VchannelState, VchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { Tso, WalPosition } from '../../messages/types.js';
import type { InspectEnvelope, MachineTransition } from './events.js';

export interface PchannelInfo {
  pchannel: string;
  actor: string;
  nodeId: string;
  term: number | null;
  status: 'open' | 'fenced' | 'failed' | 'unknown';
  /** Last WAL position seen (appended or ticked). */
  position: WalPosition;
  lastTickTso: Tso | null;
  lastTickAtMs: number | null;
  ticks: number;
  appended: number;
  rejected: number;
  checkpoint: WalPosition | null;
  /** Where the log starts after the owner's last truncation (null: never seen truncated). */
  logStart: WalPosition | null;
  opened: string | null;
}

export interface VchannelInfo {
  vchannel: string;
  pchannel: string;
  state: VchannelState;
  view: VchannelView | null;
  deletes: number | null;
  deletesTrimmed: number | null;
  lastTransition: Pick<MachineTransition, 'from' | 'to' | 'type' | 'tso' | 'position'> | null;
  appended: number;
  rejected: number;
  lastPosition: WalPosition;
}

export interface InspectorSnapshot {
  pchannels: PchannelInfo[];
  vchannels: VchannelInfo[];
  tail: InspectEnvelope[];
  effects: InspectEnvelope[];
  /** Events seen per emitter, and how many a sequence gap says were missed. */
  emitters: Array<{ actor: string; nodeId: string; events: number; missed: number }>;
}

export class InspectorModel {
  private readonly pchannels = new Map<string, PchannelInfo>();
  private readonly vchannels = new Map<string, VchannelInfo>();
  private readonly emitters = new Map<string, { actor: string; nodeId: string; events: number; missed: number; lastSeq: number }>();
  private tail: InspectEnvelope[] = [];
  private effects: InspectEnvelope[] = [];

  constructor(private readonly limits = { tail: 300, effects: 100 }) {}

  private pch(env: InspectEnvelope): PchannelInfo {
    const p = env.event.pchannel;
    let info = this.pchannels.get(p);
    if (!info) {
      info = { pchannel: p, actor: env.actor, nodeId: env.nodeId, term: null, status: 'unknown', position: -1, lastTickTso: null, lastTickAtMs: null, ticks: 0, appended: 0, rejected: 0, checkpoint: null, logStart: null, opened: null };
      this.pchannels.set(p, info);
    }
    info.actor = env.actor;
    info.nodeId = env.nodeId;
    return info;
  }

  private vch(vchannel: string, pchannel: string): VchannelInfo {
    let info = this.vchannels.get(vchannel);
    if (!info) {
      info = { vchannel, pchannel, state: 'absent', view: null, deletes: null, deletesTrimmed: null, lastTransition: null, appended: 0, rejected: 0, lastPosition: -1 };
      this.vchannels.set(vchannel, info);
    }
    return info;
  }

  private push(list: 'tail' | 'effects', env: InspectEnvelope): void {
    const l = this[list];
    l.push(env);
    if (l.length > this.limits[list] * 2) this[list] = l.slice(-this.limits[list]);
  }

  /** Folds one envelope. */
  apply(env: InspectEnvelope): void {
    const key = `${env.actor}/${env.nodeId}`;
    const em = this.emitters.get(key) ?? { actor: env.actor, nodeId: env.nodeId, events: 0, missed: 0, lastSeq: -1 };
    if (env.seq > em.lastSeq + 1 && em.lastSeq >= 0) em.missed += env.seq - em.lastSeq - 1;
    em.lastSeq = Math.max(em.lastSeq, env.seq);
    em.events++;
    this.emitters.set(key, em);
    const e = env.event;
    const p = this.pch(env);
    switch (e.kind) {
      case 'appended': {
        p.appended++;
        p.position = Math.max(p.position, e.position);
        if (e.vchannel) { const v = this.vch(e.vchannel, e.pchannel); v.appended++; v.lastPosition = e.position; }
        this.push('tail', env);
        break;
      }
      case 'rejected': p.rejected++; if (e.vchannel) this.vch(e.vchannel, e.pchannel).rejected++; this.push('tail', env); break;
      case 'transition': {
        const v = this.vch(e.vchannel, e.pchannel);
        v.state = e.to;
        v.lastTransition = { from: e.from, to: e.to, type: e.type, tso: e.tso, position: e.position };
        this.push('tail', env);
        break;
      }
      case 'snapshot': {
        const v = this.vch(e.view.vchannel, e.pchannel);
        v.view = e.view;
        v.state = e.view.state;
        v.deletes = e.deletes ?? v.deletes;
        v.deletesTrimmed = e.deletesTrimmed ?? v.deletesTrimmed;
        break;
      }
      case 'tick': p.ticks++; p.lastTickTso = e.tso; p.lastTickAtMs = env.atMs; p.position = Math.max(p.position, e.position); p.status = p.status === 'unknown' ? 'open' : p.status; break;
      case 'effect': {
        if (e.what === 'wal-opened') { p.status = 'open'; p.term = e.term ?? p.term; p.opened = e.detail ?? ''; }
        if (e.what === 'wal-fenced') p.status = 'fenced';
        if (e.what === 'wal-failed') p.status = 'failed';
        if (e.what === 'checkpoint-written') p.checkpoint = e.position ?? p.checkpoint;
        if (e.what === 'wal-truncated') p.logStart = e.position ?? p.logStart;
        this.push('effects', env);
        break;
      }
    }
  }

  /** A copy for the page and the JSON endpoint, names in order. */
  snapshot(): InspectorSnapshot {
    const byName = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    return {
      pchannels: byName(this.pchannels).map((p) => ({ ...p })),
      vchannels: byName(this.vchannels).map((v) => ({ ...v })),
      tail: this.tail.slice(-this.limits.tail),
      effects: this.effects.slice(-this.limits.effects),
      emitters: byName(this.emitters).map(({ lastSeq: _, ...e }) => e),
    };
  }
}
