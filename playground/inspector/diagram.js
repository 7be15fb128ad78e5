// The vchannel machine as SVG, drawn from /api/machine (read from the XState
// definition on the server, so the picture follows the code). States sit in a row
// in breadth-first order from the initial state; accepting transitions are arrows,
// a state's many self-transitions one loop; the invariants a state checks are
// listed under it.
'use strict';

(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 116, H = 50, Y = 74;

  function el(name, attrs, parent, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function order(graph) {
    const seen = [graph.initial];
    for (let i = 0; i < seen.length; i++) {
      for (const e of graph.edges) if (e.from === seen[i] && !seen.includes(e.to)) seen.push(e.to);
    }
    for (const s of graph.states) if (!seen.includes(s)) seen.push(s);
    return seen;
  }

  function label(events, max) {
    const s = events.join(', ');
    return s.length <= max ? s : `${events.length} events`;
  }

  /**
   * Draws `graph` into `svg`. view: { current: state name, counts: {state: n},
   * flash: {state, invariant} | null, fired: {from, to} | null }.
   */
  function drawMachine(svg, graph, view) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const states = order(graph);
    const gap = (760 - states.length * W) / (states.length + 1);
    const x = {};
    states.forEach((s, i) => { x[s] = gap + i * (W + gap); });
    const defs = el('defs', {}, svg);
    const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7280' }, marker);

    // initial pseudo-state
    el('circle', { cx: x[graph.initial] - 18, cy: Y + H / 2, r: 5, fill: '#1d2026' }, svg);
    el('path', { d: `M${x[graph.initial] - 13},${Y + H / 2} L${x[graph.initial] - 2},${Y + H / 2}`, stroke: '#1d2026', 'marker-end': 'url(#arrow)' }, svg);

    for (const e of graph.edges) {
      const fired = view.fired && view.fired.from === e.from && view.fired.to === e.to;
      const g = el('g', { class: `edge${fired ? ' fired' : ''}` }, svg);
      el('title', {}, g, `${e.from} -> ${e.to}: ${e.events.join(', ')}`);
      if (e.from === e.to) {
        const cx = x[e.from] + W / 2;
        el('path', { d: `M${cx - 30},${Y} C${cx - 45},${Y - 48} ${cx + 45},${Y - 48} ${cx + 30},${Y}`, 'marker-end': 'url(#arrow)' }, g);
        el('text', { x: cx, y: Y - 42, 'text-anchor': 'middle' }, g, label(e.events, 24));
      } else {
        const forward = x[e.to] > x[e.from];
        const x1 = forward ? x[e.from] + W : x[e.from], x2 = forward ? x[e.to] : x[e.to] + W;
        const y = forward ? Y + H / 2 : Y + H + 12;
        el('path', { d: forward ? `M${x1},${y} L${x2 - 2},${y}` : `M${x1},${Y + H} Q${(x1 + x2) / 2},${Y + H + 40} ${x2},${Y + H}`, 'marker-end': 'url(#arrow)' }, g);
        el('text', { x: (x1 + x2) / 2, y: forward ? y - 7 : Y + H + 34, 'text-anchor': 'middle' }, g, label(e.events, 28));
      }
    }

    for (const s of states) {
      const cls = ['state'];
      if (view.current === s) cls.push('current');
      if (view.flash && view.flash.state === s) cls.push('flash');
      const g = el('g', { class: cls.join(' '), 'data-state': s }, svg);
      el('rect', { x: x[s], y: Y, width: W, height: H, rx: 10 }, g);
      el('text', { class: 'name', x: x[s] + W / 2, y: Y + 22, 'text-anchor': 'middle' }, g, s);
      const n = (view.counts && view.counts[s]) || 0;
      el('text', { class: 'count', x: x[s] + W / 2, y: Y + 39, 'text-anchor': 'middle' }, g, `${n} vchannel${n === 1 ? '' : 's'}`);
      const checks = new Set();
      for (const list of Object.values(graph.checks[s] || {})) for (const c of list) checks.add(c);
      const flashed = view.flash && view.flash.state === s ? view.flash.invariant : null;
      const t = el('text', { class: `checks${flashed ? ' reject' : ''}`, x: x[s] + W / 2, y: Y + H + 58, 'text-anchor': 'middle' }, svg,
        flashed ? `refused: ${flashed}` : `checks ${checks.size} invariants`);
      el('title', {}, t, [...checks].join('\n'));
    }
  }

  window.drawMachine = drawMachine;
})();
