// The inspector page: the current state from the SSE 'state' event, then every
// inspection event ('inspect') folded in as runtime/inspect/InspectorModel.ts
// folds it; rendering is coalesced to one pass per animation frame.
'use strict';

const $ = (sel) => document.querySelector(sel);
const TAIL = 300, EFFECTS = 100;

let model = { pchannels: [], vchannels: [], tail: [], effects: [], emitters: [] };
let graph = null;
let selected = null;
let flash = null;
let fired = null;
let dirty = false;
let source = null;

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function byKey(list, key, value, make) {
  let x = list.find((i) => i[key] === value);
  if (!x) { x = make(); list.push(x); list.sort((a, b) => (a[key] < b[key] ? -1 : 1)); }
  return x;
}

function pch(env) {
  const e = env.event;
  const p = byKey(model.pchannels, 'pchannel', e.pchannel, () => ({ pchannel: e.pchannel, term: null, status: 'unknown', position: -1, lastTickTso: null, lastTickAtMs: null, ticks: 0, appended: 0, rejected: 0, checkpoint: null, logStart: null, opened: null }));
  p.actor = env.actor; p.nodeId = env.nodeId;
  return p;
}

function vch(v, pchannel) {
  return byKey(model.vchannels, 'vchannel', v, () => ({ vchannel: v, pchannel, state: 'absent', view: null, deletes: null, deletesTrimmed: null, lastTransition: null, appended: 0, rejected: 0, lastPosition: -1 }));
}

function push(list, env, limit) {
  model[list].push(env);
  if (model[list].length > limit) model[list].splice(0, model[list].length - limit);
}

/** The same fold as InspectorModel.apply. */
function apply(env) {
  const e = env.event;
  const p = pch(env);
  const em = byKey(model.emitters, 'nodeId', env.nodeId, () => ({ actor: env.actor, nodeId: env.nodeId, events: 0, missed: 0 }));
  em.events++;
  switch (e.kind) {
    case 'appended':
      p.appended++; p.position = Math.max(p.position, e.position);
      if (e.vchannel) { const v = vch(e.vchannel, e.pchannel); v.appended++; v.lastPosition = e.position; }
      push('tail', env, TAIL);
      break;
    case 'rejected': {
      p.rejected++;
      if (e.vchannel) {
        const v = vch(e.vchannel, e.pchannel); v.rejected++;
        if (!selected || selected === e.vchannel) flash = { state: v.state, invariant: e.invariant, until: Date.now() + 4000 };
      }
      push('tail', env, TAIL);
      break;
    }
    case 'transition': {
      const v = vch(e.vchannel, e.pchannel);
      v.state = e.to; v.lastTransition = { from: e.from, to: e.to, type: e.type, tso: e.tso, position: e.position };
      if (!selected || selected === e.vchannel) fired = { from: e.from, to: e.to, until: Date.now() + 4000 };
      push('tail', env, TAIL);
      break;
    }
    case 'snapshot': { const v = vch(e.view.vchannel, e.pchannel); v.view = e.view; v.state = e.view.state; if (e.deletes !== undefined) v.deletes = e.deletes; if (e.deletesTrimmed !== undefined) v.deletesTrimmed = e.deletesTrimmed; break; }
    case 'tick': p.ticks++; p.lastTickTso = e.tso; p.lastTickAtMs = env.atMs; p.position = Math.max(p.position, e.position); if (p.status === 'unknown') p.status = 'open'; break;
    case 'effect':
      if (e.what === 'wal-opened') { p.status = 'open'; p.term = e.term ?? p.term; p.opened = e.detail; }
      if (e.what === 'wal-fenced') p.status = 'fenced';
      if (e.what === 'wal-failed') p.status = 'failed';
      if (e.what === 'checkpoint-written') p.checkpoint = e.position;
      if (e.what === 'wal-truncated') p.logStart = e.position;
      push('effects', env, EFFECTS);
      break;
  }
}

// ---- rendering ---------------------------------------------------------------

const badge = (s) => `<span class="badge ${esc(s)}">${esc(s)}</span>`;
const clock = (ms) => new Date(ms).toLocaleTimeString(undefined, { hour12: false }) + '.' + String(ms % 1000).padStart(3, '0');

function renderPchannels() {
  const now = Date.now();
  $('#pchannels tbody').innerHTML = model.pchannels.map((p) => `<tr>
    <td class="mono">${esc(p.pchannel)}</td><td>${esc(p.nodeId)}</td><td>${esc(p.term ?? '')}</td><td>${badge(p.status)}</td>
    <td>${p.position}</td><td class="mono">${esc(p.lastTickTso ?? '')}</td><td>${p.lastTickAtMs ? `${Math.max(0, now - p.lastTickAtMs)} ms` : ''}</td>
    <td>${p.appended}</td><td>${p.rejected}</td><td>${esc(p.checkpoint ?? '')}</td><td>${esc(p.logStart ?? 0)}</td></tr>`).join('');
}

function segmentRows(view) {
  if (!view.segments.length) return '<div class="meta">no segments</div>';
  return `<table><thead><tr><th>segment</th><th>partition</th><th>status</th><th>rows</th><th>pending</th><th>sealed by</th></tr></thead><tbody>${
    view.segments.map((s) => `<tr><td>#${s.id}</td><td>${s.partitionId}</td><td>${badge(s.status)}</td><td>${s.rows}</td><td>${s.pendingRows || ''}</td><td>${esc(s.sealReason ?? '')}</td></tr>`).join('')
  }</tbody></table>`;
}

function renderVchannels() {
  $('#vchannels').innerHTML = model.vchannels.map((v) => {
    const view = v.view;
    const c = view && view.collection;
    const parts = view ? view.partitions.map((p) => `${esc(p.name)}#${p.id}${p.status === 'dropped' ? ' (dropped)' : ''}`).join(', ') : '';
    const txns = view && view.openTxns.length ? view.openTxns.map((t) => `#${t.id}: ${t.bodyMessages} msgs, ${t.pendingRows} rows${t.expired ? ', expired' : ''}`).join('; ') : 'none';
    const lt = v.lastTransition;
    return `<div class="card${selected === v.vchannel ? ' selected' : ''}" data-vchannel="${esc(v.vchannel)}">
      <h3><span class="mono">${esc(v.vchannel)}</span> ${badge(v.state)}</h3>
      <div class="meta">${c ? `collection <b>${esc(c.name)}</b> #${c.id} · ` : ''}pchannel ${esc(v.pchannel)} · position ${v.lastPosition} · ${v.appended} appended · ${v.rejected} rejected${v.deletes !== null ? ` · ${v.deletes} deletes held${v.deletesTrimmed ? ` (${v.deletesTrimmed} trimmed)` : ''}` : ''}</div>
      ${view ? `<div class="meta">partitions: ${parts || 'none'}</div><div class="meta">open txns: ${txns}</div>
      ${view.indexes.length ? `<div class="meta">indexes: ${view.indexes.map((i) => `${esc(i.indexName)} (${esc(i.indexType)})`).join(', ')}</div>` : ''}
      ${segmentRows(view)}` : '<div class="meta">no snapshot yet</div>'}
      ${lt ? `<div class="meta">last transition: ${esc(lt.from)} → ${esc(lt.to)} by ${esc(lt.type)} at #${lt.position}</div>` : ''}
    </div>`;
  }).join('') || '<div class="note">no vchannel yet: create a collection</div>';
}

function describe(e) {
  switch (e.kind) {
    case 'appended': return [e.segmentId !== undefined ? `segment ${e.segmentId}` : '', e.rows !== undefined ? `${e.rows} ${e.type === 'Delete' ? 'pks' : 'rows'}` : '', e.txnId !== undefined ? `txn ${e.txnId}` : ''].filter(Boolean).join(', ') || 'appended';
    case 'rejected': return `REJECTED [${e.invariant}] ${e.code}: ${e.reason}`;
    case 'transition': return `${e.from} → ${e.to}`;
    default: return '';
  }
}

function renderTail() {
  const ticks = $('#show-ticks').checked, only = $('#only-selected').checked && selected;
  const rows = [];
  for (let i = model.tail.length - 1; i >= 0 && rows.length < 200; i--) {
    const env = model.tail[i], e = env.event;
    if (!ticks && e.type === 'TimeTick') continue;
    if (only && e.vchannel !== selected) continue;
    const cls = e.kind === 'rejected' ? 'rejected' : e.kind === 'transition' ? 'transition' : e.type === 'TimeTick' ? 'tick' : '';
    const pos = e.position ?? '';
    rows.push(`<tr class="${cls}"><td>${clock(env.atMs)}</td><td class="mono">${esc(e.pchannel)}</td><td>${esc(pos)}</td><td class="mono">${esc(e.tso)}</td>
      <td class="mono">${esc(e.vchannel || '')}</td><td>${esc(e.type)}</td><td class="what wrap">${esc(describe(e))}</td>
      <td>${e.kind === 'appended' ? `<a class="replay" data-pchannel="${esc(e.pchannel)}" data-position="${pos}">replay</a>` : ''}</td></tr>`);
  }
  $('#tail tbody').innerHTML = rows.join('');
}

function renderEffects() {
  $('#effects').innerHTML = model.effects.slice().reverse().map((env) => {
    const e = env.event;
    return `<li>${clock(env.atMs)} <b>${esc(e.what)}</b> ${esc(e.pchannel)}${e.vchannel ? ` ${esc(e.vchannel)}` : ''}${e.segmentId !== undefined ? ` segment #${e.segmentId}` : ''}${e.position !== undefined ? ` at #${e.position}` : ''}${e.term !== undefined ? ` term ${e.term}` : ''}${e.detail ? ` — ${esc(e.detail)}` : ''}</li>`;
  }).join('');
}

function renderDiagram() {
  if (!graph) return;
  const now = Date.now();
  if (flash && flash.until < now) flash = null;
  if (fired && fired.until < now) fired = null;
  const counts = {};
  for (const v of model.vchannels) counts[v.state] = (counts[v.state] || 0) + 1;
  const sel = model.vchannels.find((v) => v.vchannel === selected);
  $('#machine-for').textContent = sel ? `— ${sel.vchannel} is ${sel.state}` : '— select a vchannel';
  window.drawMachine($('#diagram'), graph, { current: sel ? sel.state : null, counts, flash, fired });
  const note = $('#machine-note');
  note.className = flash ? 'note reject' : 'note';
  note.textContent = flash ? `last refusal: ${flash.invariant} in state ${flash.state}` : '';
}

function render() {
  dirty = false;
  const em = model.emitters.map((e) => `${e.actor}/${e.nodeId}: ${e.events} events${e.missed ? ` (${e.missed} missed)` : ''}`).join(' · ');
  $('#emitters').textContent = em;
  renderPchannels(); renderVchannels(); renderTail(); renderEffects(); renderDiagram();
}

function schedule() {
  if (dirty || $('#pause').checked) return;
  dirty = true;
  requestAnimationFrame(render);
}

// ---- replay to here ------------------------------------------------------------

async function replay(pchannel, position) {
  const q = new URLSearchParams({ pchannel });
  if (position !== '' && position !== undefined) q.set('to-position', position);
  $('#replay-title').textContent = `${pchannel} up to ${position === '' || position === undefined ? 'the end' : `#${position}`}`;
  const res = await fetch(`/api/replay?${q}`);
  const body = await res.json();
  if (!res.ok) { $('#replay').innerHTML = `<div class="note reject">${esc(body.error)}</div>`; return; }
  const s = body.summary;
  const states = s.vchannels.map((v) => `${v.view.vchannel}: ${v.view.state}; segments ${v.view.segments.map((g) => `#${g.id} ${g.status} ${g.rows} rows`).join(', ') || 'none'}; deletes ${v.deletes}`).join('\n');
  const steps = body.steps.slice(-40).map((st) => {
    const first = st.events[0] || {};
    const rest = st.events.slice(1).filter((e) => e.kind === 'transition' || e.kind === 'effect').map((e) => e.kind === 'transition' ? ` [${e.from} -> ${e.to}]` : ` [${e.what}]`).join('');
    return `#${st.position} ${st.type} ${st.vchannel} ${st.verdict === 'rejected' ? `REJECTED ${first.invariant}` : st.verdict}${rest}`;
  }).join('\n');
  $('#replay').innerHTML = `<div class="meta">${s.messages} messages, ${s.accepted} accepted, ${s.rejected} rejected, ${s.ticks} ticks; last position ${s.lastPosition}</div><pre>${esc(states)}</pre><pre>${esc(steps)}</pre>`;
}

// ---- wiring ----------------------------------------------------------------------

function connect() {
  source = new EventSource('/events');
  source.onopen = () => { $('#status').textContent = 'live'; $('#status').className = 'status on'; };
  source.onerror = () => { $('#status').textContent = 'reconnecting…'; $('#status').className = 'status off'; };
  source.addEventListener('state', (ev) => { model = JSON.parse(ev.data); schedule(); });
  source.addEventListener('inspect', (ev) => { apply(JSON.parse(ev.data)); schedule(); });
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a.replay');
  if (a) { replay(a.dataset.pchannel, a.dataset.position); return; }
  const card = ev.target.closest('.card');
  if (card) {
    selected = card.dataset.vchannel === selected ? null : card.dataset.vchannel;
    history.replaceState(null, '', selected ? `#v=${encodeURIComponent(selected)}` : '#');
    schedule();
  }
});
for (const id of ['#show-ticks', '#only-selected', '#pause']) $(id).addEventListener('change', schedule);
$('#replay-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  replay(String(f.get('pchannel') || 'dml_0'), String(f.get('to-position') || ''));
});
setInterval(schedule, 1000); // tick ages and fading highlights

// Deep links: #v=<vchannel> follows a vchannel, #replay=<pchannel>:<position> opens a replay.
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get('v')) selected = hash.get('v');
if (hash.get('replay')) { const [p, pos] = hash.get('replay').split(':'); replay(p, pos ?? ''); }

fetch('/api/machine').then((r) => r.json()).then((g) => { graph = g; schedule(); });
connect();
