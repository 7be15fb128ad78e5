/**
 * Text rendering of replay steps and of the state a replay ends in, for
 * `nuthatch replay`. One line per message, indented lines for what it did.
 */
import { physicalMs, type Tso } from '../../messages/types.js';
import type { InspectEvent } from './events.js';
import type { ReplayStep, ReplaySummary } from './replay.js';

/** A TSO with its physical time, e.g. `461...123 (2025-05-01T10:00:00.123Z)`. */
export function tsoText(t: Tso): string {
  const ms = physicalMs(t);
  const when = ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : '-';
  return `${t} (${when})`;
}

function detail(e: InspectEvent): string {
  if (e.kind !== 'appended') return '';
  const parts = [e.segmentId === undefined ? '' : `segment ${e.segmentId}`, e.rows === undefined ? '' : `${e.rows} ${e.type === 'Delete' ? 'primary keys' : 'rows'}`, e.txnId === undefined ? '' : `txn ${e.txnId}`];
  return parts.filter(Boolean).join(', ');
}

/** What an event beyond the first says, or null for those the step line already shows. */
function eventLine(e: InspectEvent): string | null {
  switch (e.kind) {
    case 'transition': return `transition ${e.from} -> ${e.to} (${e.type})`;
    case 'effect': return `${e.what}${e.segmentId === undefined ? '' : ` segment ${e.segmentId}`}`;
    default: return null;
  }
}

/** One step: `#pos  tso  vchannel  Type  detail  verdict`, then its transitions and effects. */
export function formatStep(s: ReplayStep): string {
  const head = `#${String(s.position).padEnd(6)} ${tsoText(s.tso)}  ${(s.vchannel || '(pchannel)').padEnd(16)} ${s.type.padEnd(16)}`;
  const first = s.events[0];
  let line: string;
  if (s.verdict === 'undecodable') line = `${head} UNDECODABLE: ${s.error}`;
  else if (first?.kind === 'rejected') line = `${head} REJECTED [${first.invariant}] ${first.code}: ${first.reason}`;
  else line = `${head} ${first ? detail(first) : ''}`.trimEnd();
  const more = s.events.slice(1).map(eventLine).filter((x): x is string => x !== null).map((x) => `        ${x}`);
  return [line, ...more].join('\n');
}

/** The state at the end: per vchannel its machine state, partitions, segments with rows, txns, indexes, deletes. */
export function formatSummary(r: ReplaySummary): string {
  const out = [`== ${r.pchannel}: ${r.messages} messages (${r.accepted} accepted, ${r.rejected} rejected, ${r.ticks} ticks${r.undecodable ? `, ${r.undecodable} undecodable` : ''}); last position ${r.lastPosition}, last tso ${r.lastPosition < 0 ? '-' : tsoText(r.lastTso)}`];
  for (const v of r.vchannels) {
    const c = v.view.collection;
    out.push(`vchannel ${v.view.vchannel}: ${v.view.state}${c ? `, collection ${c.name} (#${c.id})` : ''}, last tso ${v.view.lastTso}`);
    if (v.view.partitions.length) out.push(`  partitions: ${v.view.partitions.map((p) => `${p.name}#${p.id} ${p.status}`).join(', ')}`);
    const rows = new Map(v.segments.map((s) => [s.id, s.rows]));
    if (v.view.segments.length) out.push(`  segments: ${v.view.segments.map((s) => `#${s.id} ${s.status} ${s.rows} rows${rows.has(s.id) ? ` (${rows.get(s.id)} in memory)` : ''}`).join(', ')}`);
    if (v.view.openTxns.length) out.push(`  open txns: ${v.view.openTxns.map((t) => `#${t.id} (${t.bodyMessages} body messages, ${t.pendingRows} pending rows${t.expired ? ', expired' : ''})`).join(', ')}`);
    if (v.view.indexes.length) out.push(`  indexes: ${v.view.indexes.map((i) => `${i.indexName} on ${i.fieldName} (${i.indexType})`).join(', ')}`);
    out.push(`  deletes: ${v.deletes}${v.deletesTrimmed ? ` held, ${v.deletesTrimmed} trimmed` : ''}`);
  }
  return out.join('\n');
}
