import { REPORT_CSS, REPORT_JS } from './html-client.js';
import { reportData, type ReportInput } from './html-data.js';

/**
 * A trace as one self-contained HTML page: a space-time diagram (a lane per node, messages as
 * arrows from send to delivery, faults as bands, role and term along the lanes), a step slider
 * showing every node's log, the violation and the explanation's steps highlighted. Nothing is
 * fetched: the policy forbids every source but the inline script and style, so the file reads
 * the same attached to a CI run or a bug report, offline.
 */
export function renderHtml(input: ReportInput): string {
  const data = reportData(input);
  const head = input.violation === null ? 'no violation recorded' : `${input.violation.invariant} (${input.violation.kind}) at step ${input.violation.step}: ${input.violation.message}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>raft-check: ${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>raft-check · ${escapeHtml(input.title)}</h1>
<div class="about">${escapeHtml(input.about)}</div>
<div class="${input.violation === null ? 'clean' : 'violation'}" id="violation">${escapeHtml(head)}</div>
</header>
<main>
<div id="diagram"></div>
<div id="side">
<h2>Step</h2>
<input type="range" id="slider" min="0" max="0" value="0" aria-label="step">
<div><span id="step-label"></span> <button id="to-violation" type="button">violation</button> <button id="next-cause" type="button">next causal step</button></div>
<div id="event-line"></div>
<h2>Logs at this step</h2>
<table class="logs"><tbody id="logs-body"></tbody></table>
<h2>Why</h2>
<div id="why-summary"></div>
<ol id="why"></ol>
<h2>Legend</h2>
<div class="legend"><span>lane width: follower · candidate · <b>leader</b></span><span>→ delivered</span><span style="color:#cf222e">⨯ dropped</span><span style="color:#8c959f">○ in flight at the end</span><span style="color:#bc4c00">→ duplicate</span><span style="color:#8250df">▭ partition</span><span style="color:#cf222e">▭ node down</span><span style="background:#fff8c5">causal step</span><span style="background:#ffebe9">violation</span></div>
</div>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close its script element or start a comment, whatever strings the trace holds. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
