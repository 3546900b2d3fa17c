/**
 * The HTML report's own script and style, inlined into the page (no network: the page's
 * Content-Security-Policy allows nothing else). The script reads the JSON data block, draws the
 * space-time diagram as SVG through the DOM (trace strings only ever become text nodes), and
 * drives the step slider. Plain ES2020, kept free of backticks so it can live in this string.
 */

export const REPORT_CSS = String.raw`
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #1d2430; background: #fafbfc; }
header { padding: 10px 16px; border-bottom: 1px solid #d8dee4; background: #fff; }
header h1 { font-size: 16px; margin: 0 0 2px; }
header .about { color: #57606a; }
header .violation { color: #b3261e; font-weight: 600; margin-top: 4px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 440px; gap: 0; height: calc(100vh - 80px); }
#diagram { overflow: auto; border-right: 1px solid #d8dee4; background: #fff; }
#lane-head { position: sticky; top: 0; z-index: 1; display: block; background: #fff; border-bottom: 1px solid #eef0f2; }
#side { overflow: auto; padding: 10px 14px; }
#side h2 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
#slider { width: 100%; }
#step-label { font-weight: 600; }
#event-line { font: 12px/1.35 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; background: #f3f4f6; padding: 4px 6px; border-radius: 4px; }
table.logs { border-collapse: collapse; width: 100%; }
table.logs td { padding: 2px 4px; vertical-align: top; border-bottom: 1px solid #eef0f2; }
table.logs td.who { white-space: nowrap; font-weight: 600; width: 150px; }
.cell { display: inline-block; min-width: 16px; padding: 0 2px; margin: 1px; border-radius: 2px; font: 11px ui-monospace, monospace; text-align: center; color: #fff; }
.cell.uncommitted { opacity: .45; }
.cell.snap { background: #8c959f; }
.role-2 { color: #1a7f37; } .role-1 { color: #9a6700; } .role-0 { color: #57606a; } .role--1 { color: #b3261e; }
ol#why { padding-left: 20px; margin: 4px 0; }
ol#why li { margin: 3px 0; cursor: pointer; }
ol#why li.on { background: #fff8c5; }
ol#why li .st { font-weight: 600; }
.legend span { display: inline-block; margin-right: 10px; }
svg text { font: 10px ui-monospace, monospace; fill: #57606a; }
svg .lane-label { font: bold 12px system-ui, sans-serif; fill: #1d2430; }
svg .term { font-size: 9px; }
svg .row:hover { fill: #f3f4f6; }
`;

export const REPORT_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var ROW = 16, LANE = 120, LEFT = 96, TOP = 8, HEAD = 26;
  var TERM_COLORS = ['#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#116329', '#953800', '#0550ae'];
  var ROLE_WIDTH = [1.5, 3, 6];
  var ROLE_COLOR = ['#8c959f', '#d4a72c', '#1a7f37'];
  var ROLES = ['follower', 'candidate', 'leader'];
  var N = D.rows.length;
  function termColor(t) { return t <= 0 ? '#8c959f' : TERM_COLORS[(t - 1) % TERM_COLORS.length]; }
  function x(node) { return LEFT + (node - 1) * LANE + LANE / 2; }
  function y(row) { return TOP + row * ROW + ROW / 2; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function title(e, text) { var t = el('title', {}, e); t.textContent = text; return e; }
  function text(s, attrs, parent) { var t = el('text', attrs, parent); t.textContent = s; return t; }

  var width = LEFT + D.nodes * LANE + 24;
  var height = TOP + N * ROW + 24;
  // Lane names in a strip of their own that stays in view while the diagram scrolls.
  var head = el('svg', { id: 'lane-head', width: width, height: HEAD, viewBox: '0 0 ' + width + ' ' + HEAD });
  document.getElementById('diagram').appendChild(head);
  text('step', { x: 4, y: 17 }, head);
  text('time', { x: 40, y: 17 }, head);
  var svg = el('svg', { id: 'space-time', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height });
  document.getElementById('diagram').appendChild(svg);
  var defs = el('defs', {}, svg);
  function marker(id, color, draw) {
    var m = el('marker', { id: id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    draw(m, color);
  }
  marker('arrow', '#57606a', function (m, c) { el('path', { d: 'M0,0 L10,5 L0,10 z', fill: c }, m); });
  marker('arrow-dup', '#bc4c00', function (m, c) { el('path', { d: 'M0,0 L10,5 L0,10 z', fill: c }, m); });
  marker('lost', '#cf222e', function (m, c) { el('path', { d: 'M1,1 L9,9 M9,1 L1,9', stroke: c, 'stroke-width': 2.5 }, m); });
  marker('flying', '#8c959f', function (m, c) { el('circle', { cx: 5, cy: 5, r: 3.5, fill: 'none', stroke: c, 'stroke-width': 1.5 }, m); });

  // Rows: clickable stripes, with the explanation's steps and the violation marked.
  var rows = el('g', { id: 'rows' }, svg);
  var causeRows = {};
  if (D.why) D.why.steps.forEach(function (s, k) { causeRows[s[0]] = k + 1; });
  for (var i = 0; i < N; i++) {
    var r = D.rows[i];
    var cls = 'row';
    var fill = i % 2 ? '#fcfcfd' : '#ffffff';
    if (causeRows[i]) { fill = '#fff8c5'; cls += ' cause'; }
    if (D.violation && D.violation.row === i) { fill = '#ffebe9'; cls += ' violation-row'; }
    var stripe = el('rect', { x: 0, y: TOP + i * ROW, width: width, height: ROW, fill: fill, 'class': cls, 'data-row': i }, rows);
    title(stripe, D.lines[i]);
    stripe.addEventListener('click', (function (row) { return function () { go(row); }; })(i));
    text('#' + r[0], { x: 4, y: y(i) + 3 }, rows);
    text(r[1] + 'ms', { x: 40, y: y(i) + 3 }, rows);
    if (causeRows[i]) text(String(causeRows[i]), { x: LEFT - 12, y: y(i) + 3, 'font-weight': 'bold', fill: '#9a6700' }, rows);
  }

  // Faults: partitions as bands across the lanes they cut, crashed nodes as red bands on their lane.
  var bands = el('g', { id: 'faults' }, svg);
  D.partitions.forEach(function (b) {
    var lo = Math.min.apply(null, b[2]), hi = Math.max.apply(null, b[2]);
    var rect = el('rect', { x: x(lo) - LANE / 2 + 6, y: TOP + b[0] * ROW, width: (hi - lo + 1) * LANE - 12, height: (b[1] - b[0] + 1) * ROW, fill: '#8250df', 'fill-opacity': 0.08, stroke: '#8250df', 'stroke-opacity': 0.4, 'stroke-dasharray': '4 3', 'class': 'partition' }, bands);
    title(rect, 'partition ' + D.strs[b[3]] + ' (rows ' + b[0] + '-' + b[1] + ')');
    text(D.strs[b[3]], { x: x(lo) - LANE / 2 + 10, y: TOP + b[0] * ROW + 11, fill: '#8250df' }, bands);
  });
  D.downs.forEach(function (b) {
    var rect = el('rect', { x: x(b[2][0]) - 14, y: TOP + b[0] * ROW, width: 28, height: (b[1] - b[0] + 1) * ROW, fill: '#cf222e', 'fill-opacity': 0.12, 'class': 'down' }, bands);
    title(rect, 'node ' + b[2][0] + ' down');
  });

  // Lanes: a line per node, as wide as its role, coloured by role, with the term written where it changes.
  var lanes = el('g', { id: 'lanes' }, svg);
  for (var id = 1; id <= D.nodes; id++) {
    var g = el('g', { 'class': 'lane', 'data-node': id }, lanes);
    text('n' + id, { x: x(id) - 8, y: 18, 'class': 'lane-label' }, head);
    el('line', { x1: x(id), y1: TOP, x2: x(id), y2: TOP + N * ROW, stroke: '#d0d7de', 'stroke-dasharray': '2 3' }, g);
  }
  var lastTerm = {};
  D.segments.forEach(function (s) {
    var g = lanes.querySelector('g[data-node="' + s[0] + '"]');
    var seg = el('line', { x1: x(s[0]), y1: y(s[1]), x2: x(s[0]), y2: y(s[2]) + ROW / 2, stroke: ROLE_COLOR[s[3]], 'stroke-width': ROLE_WIDTH[s[3]], 'class': 'seg role-' + s[3] }, g);
    title(seg, 'node ' + s[0] + ': ' + ROLES[s[3]] + ', term ' + s[4]);
    if (lastTerm[s[0]] !== s[4] || s[3] === 2) text((s[3] === 2 ? 'L ' : '') + 't' + s[4], { x: x(s[0]) + 6, y: y(s[1]) + 3, 'class': 'term', fill: termColor(s[4]) }, g);
    lastTerm[s[0]] = s[4];
  });

  // Messages: arrows from send to delivery; lost ones end in a cross; those still in flight in a ring.
  var msgs = el('g', { id: 'messages' }, svg);
  D.arrows.forEach(function (a) {
    var y2 = a[4] === 2 ? y(a[3]) + ROW : y(a[3]);
    var x2 = a[4] === 2 ? x(a[0]) + (x(a[1]) - x(a[0])) * 0.6 : x(a[1]);
    var color = a[4] === 1 ? '#cf222e' : a[4] === 2 ? '#8c959f' : a[5] ? '#bc4c00' : '#57606a';
    var attrs = { x1: x(a[0]), y1: y(a[2]), x2: x2, y2: y2, stroke: color, 'stroke-width': 1, 'class': 'msg fate-' + a[4] };
    if (a[4] !== 0) attrs['stroke-dasharray'] = '3 2';
    if (a[4] === 2) attrs['stroke-opacity'] = 0.45;
    attrs['marker-end'] = a[4] === 1 ? 'url(#lost)' : a[4] === 2 ? 'url(#flying)' : a[5] ? 'url(#arrow-dup)' : 'url(#arrow)';
    title(el('line', attrs, msgs), 'n' + a[0] + ' -> n' + a[1] + ' ' + D.strs[a[6]] + ': ' + D.strs[a[7]]);
  });

  // Events on the lanes: crashes, restarts, timers, proposals.
  var marks = el('g', { id: 'events' }, svg);
  var GLYPH = { crash: ['x', '#cf222e'], restart: ['R', '#1a7f37'], start: ['S', '#1a7f37'], timer: ['T', '#57606a'], propose: ['P', '#0969da'], apply: ['a', '#116329'], 'install-snapshot': ['s', '#8250df'] };
  D.rows.forEach(function (r, i) {
    var kind = D.kinds[r[2]];
    var gl = GLYPH[kind];
    if (!gl || r[3] < 1) return;
    var c = el('circle', { cx: x(r[3]), cy: y(i), r: 6, fill: '#fff', stroke: gl[1], 'stroke-width': 1.5 }, marks);
    title(c, D.lines[i]);
    text(gl[0], { x: x(r[3]) - 3, y: y(i) + 3, fill: gl[1], 'font-weight': 'bold' }, marks);
  });

  var cursor = el('rect', { id: 'cursor', x: 0, y: TOP, width: width, height: ROW, fill: 'none', stroke: '#0969da', 'stroke-width': 2 }, svg);

  // The side panel: slider, the step's event, every node's log at that step, the explanation.
  var slider = document.getElementById('slider');
  slider.max = String(Math.max(0, N - 1));
  var whyList = document.getElementById('why');
  if (D.why) {
    document.getElementById('why-summary').textContent = D.why.summary;
    D.why.steps.forEach(function (s) {
      var li = document.createElement('li');
      li.setAttribute('data-row', String(s[0]));
      var st = document.createElement('span');
      st.className = 'st';
      st.textContent = '#' + s[1] + ' ';
      li.appendChild(st);
      li.appendChild(document.createTextNode(s[2]));
      li.addEventListener('click', function () { go(s[0]); });
      whyList.appendChild(li);
    });
  } else {
    document.getElementById('why-summary').textContent = 'No violation recorded.';
  }

  function fold(upTo) {
    var logs = [], st = [];
    for (var n = 0; n <= D.nodes; n++) { logs.push({ base: 0, baseTerm: 0, e: [] }); st.push(null); }
    for (var i = 0; i <= upTo && i < N; i++) {
      var node = D.rows[i][3];
      var kind = D.kinds[D.rows[i][2]];
      if (node < 1) continue;
      if (D.states[i]) st[node] = D.states[i].slice();
      if (kind === 'crash' && st[node]) st[node][0] = -1;
      var ch = D.logs[i];
      if (!ch) continue;
      var l = logs[node];
      if (ch.snap) {
        var si = ch.snap[0];
        l.e = si >= l.base && si < l.base + l.e.length ? l.e.slice(si - l.base) : [];
        l.base = si; l.baseTerm = ch.snap[1];
      }
      if (ch.trunc !== undefined && ch.trunc > l.base && ch.trunc <= l.base + l.e.length) l.e = l.e.slice(0, ch.trunc - l.base - 1);
      if (ch.app) ch.app.forEach(function (a) { l.e.push(a); });
    }
    return { logs: logs, st: st };
  }

  var tbody = document.getElementById('logs-body');
  function render(row) {
    var f = fold(row);
    tbody.textContent = '';
    for (var id = 1; id <= D.nodes; id++) {
      var tr = document.createElement('tr');
      var who = document.createElement('td');
      who.className = 'who';
      var s = f.st[id];
      who.textContent = 'n' + id + ' ' + (s ? (s[0] < 0 ? 'down' : ROLES[s[0]]) + ' t' + s[1] + ' c' + s[2] : '-');
      if (s) who.classList.add('role-' + s[0]);
      var cells = document.createElement('td');
      cells.className = 'log';
      cells.setAttribute('data-node', String(id));
      var l = f.logs[id];
      if (l.base > 0) {
        var sp = document.createElement('span');
        sp.className = 'cell snap';
        sp.textContent = 's' + l.base;
        sp.title = 'snapshot through ' + l.base + '/t' + l.baseTerm;
        cells.appendChild(sp);
      }
      l.e.forEach(function (a) {
        var c = document.createElement('span');
        c.className = 'cell' + (s && a[0] > s[2] ? ' uncommitted' : '');
        c.style.background = termColor(a[1]);
        c.textContent = String(a[1]);
        c.title = 'index ' + a[0] + ', term ' + a[1] + ', ' + (a[2] === null ? 'no-op' : a[2]);
        cells.appendChild(c);
      });
      tr.appendChild(who);
      tr.appendChild(cells);
      tbody.appendChild(tr);
    }
  }

  function go(row) {
    row = Math.max(0, Math.min(N - 1, row));
    slider.value = String(row);
    update();
  }
  function update() {
    var row = Number(slider.value);
    if (N === 0) return;
    cursor.setAttribute('y', String(TOP + row * ROW));
    document.getElementById('step-label').textContent = 'step ' + D.rows[row][0] + ' of ' + D.rows[N - 1][0] + ' (t=' + D.rows[row][1] + ' ms)';
    document.getElementById('event-line').textContent = D.lines[row];
    render(row);
    Array.prototype.forEach.call(whyList.children, function (li) { li.classList.toggle('on', Number(li.getAttribute('data-row')) === row); });
    var diagram = document.getElementById('diagram');
    var top = TOP + row * ROW;
    if (top < diagram.scrollTop + HEAD || top > diagram.scrollTop + diagram.clientHeight - HEAD - 2 * ROW) diagram.scrollTop = Math.max(0, top - diagram.clientHeight / 2);
  }
  slider.addEventListener('input', update);
  document.getElementById('to-violation').addEventListener('click', function () { if (D.violation) go(D.violation.row); });
  document.getElementById('next-cause').addEventListener('click', function () {
    if (!D.why) return;
    var row = Number(slider.value);
    var next = D.why.steps.map(function (s) { return s[0]; }).filter(function (r) { return r > row; })[0];
    go(next === undefined ? D.why.steps[0][0] : next);
  });
  go(D.violation ? D.violation.row : 0);
  document.body.setAttribute('data-ready', 'true');
})();
`;
