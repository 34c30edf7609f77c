/**
 * The web page's HTML and CSS. Static: the logs reach the page through its live feed, and its
 * script draws them with text nodes only.
 */

export const VIEWER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Humanloop local logs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="viewer.css">
</head>
<body>
<header>
  <h1>Humanloop local logs</h1>
  <span id="status" class="status" role="status">connecting…</span>
  <span id="counts" class="counts"></span>
  <div class="filters" role="search">
    <input id="filter-text" type="search" placeholder="Filter by text in any field" aria-label="Filter by text" autocomplete="off">
    <select id="filter-kind" aria-label="Filter by kind"><option value="">All kinds</option></select>
    <label class="check"><input id="filter-error" type="checkbox"> Errors only</label>
  </div>
</header>
<main>
  <nav class="pane" aria-labelledby="sessions-title">
    <h2 id="sessions-title">Sessions</h2>
    <ol id="session-list" class="sessions"></ol>
    <p id="no-sessions" class="empty">No logs yet. Point the exporter's <code>baseUrl</code> at this server's
      <code>/v4</code> or <code>/v5</code> URL and they appear here as they arrive.</p>
    <button id="load-older" class="older" type="button" hidden>Load older logs</button>
  </nav>
  <section class="pane" aria-labelledby="trace-title">
    <h2 id="trace-title">Trace</h2>
    <div id="tree" role="tree" aria-labelledby="trace-title"></div>
  </section>
  <section class="pane details" aria-labelledby="details-title">
    <h2 id="details-title">Details</h2>
    <div id="detail-body"><p class="empty">Select a log to see its messages, output and timing.</p></div>
  </section>
</main>
<script src="viewer.js"></script>
</body>
</html>
`;

export const VIEWER_CSS = `
:root {
  --bg: #f6f7f9; --pane: #ffffff; --line: #e3e6eb; --text: #1c2330; --muted: #667085; --accent: #2563eb;
  --select: #e8f0fe; --error: #c2291d; --error-bg: #fdecea;
  --agent: #7c3aed; --model: #2563eb; --prompt: #2563eb; --tool: #b45309; --flow: #0f766e; --other: #4b5563;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; height: 100vh; display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 14px; padding: 10px 16px; background: #111827; color: #f9fafb; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; }
.status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #374151; }
.status.live { background: #065f46; }
.status.live::before { content: "● "; color: #34d399; }
.counts { font-size: 12px; color: #d1d5db; }
.filters { margin-left: auto; display: flex; gap: 8px; align-items: center; }
.filters input[type=search], .filters select { font: inherit; font-size: 13px; padding: 4px 8px; border-radius: 6px; border: 1px solid #4b5563; background: #1f2937; color: #f9fafb; }
.filters input[type=search] { width: 240px; }
.check { font-size: 13px; display: flex; gap: 4px; align-items: center; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(220px, 290px) minmax(320px, 1fr) minmax(360px, 1.15fr); }
.pane { overflow: auto; border-right: 1px solid var(--line); background: var(--pane); padding: 0 0 16px; }
.pane h2 { position: sticky; top: 0; z-index: 1; margin: 0; padding: 10px 14px; font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); background: var(--pane); border-bottom: 1px solid var(--line); }
.empty { color: var(--muted); padding: 12px 14px; margin: 0; }
.older { display: block; margin: 10px 14px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
.older:disabled { cursor: progress; color: var(--muted); }
.older[hidden] { display: none; }
.sessions { list-style: none; margin: 0; padding: 0; }
.sessions button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 9px 14px; border-bottom: 1px solid var(--line); cursor: pointer; }
.sessions button:hover { background: #f3f4f6; }
.sessions button[aria-current=true] { background: var(--select); box-shadow: inset 3px 0 0 var(--accent); }
.sessions button:focus-visible, .row:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.session-name { font-weight: 600; display: flex; gap: 6px; align-items: center; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.session-meta { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 4px; color: #fff; background: var(--other); text-transform: lowercase; flex: none; }
.badge.agent { background: var(--agent); } .badge.model, .badge.prompt { background: var(--model); }
.badge.tool { background: var(--tool); } .badge.flow { background: var(--flow); }
.chip { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; border: 1px solid var(--line); color: var(--muted); flex: none; }
.chip.error { color: var(--error); border-color: #f4b4ae; background: var(--error-bg); }
.chip.judgment { color: var(--text); }
.chip.api { font-family: ui-monospace, Menlo, Consolas, monospace; }
#tree ul { list-style: none; margin: 0; padding: 0 0 0 18px; border-left: 1px dashed #d0d5dd; margin-left: 10px; }
#tree > ul { border: 0; margin: 6px 0 10px; padding-left: 6px; }
.row { display: flex; gap: 8px; align-items: baseline; padding: 5px 8px; border-radius: 6px; cursor: pointer; white-space: nowrap; }
.row:hover { background: #f3f4f6; }
.row[aria-selected=true] { background: var(--select); }
.row .name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; }
.row .muted { color: var(--muted); font-size: 12px; }
.row.dim { opacity: .4; }
.row.hit .name { background: #fff3bf; }
.details .section { padding: 10px 14px; border-bottom: 1px solid var(--line); }
.details h3 { margin: 0 0 6px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.title { display: flex; gap: 8px; align-items: center; font-size: 16px; font-weight: 600; }
.ids { font: 12px ui-monospace, Menlo, Consolas, monospace; color: var(--muted); margin-top: 4px; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-word; }
.msg { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 8px; overflow: hidden; }
.msg-head { font-size: 12px; font-weight: 600; padding: 3px 10px; background: #f3f4f6; display: flex; gap: 8px; }
.msg.system .msg-head { background: #eef2f6; } .msg.user .msg-head { background: #e8f0fe; }
.msg.assistant .msg-head { background: #ecfdf3; } .msg.tool .msg-head { background: #fff7e6; }
.msg-body { padding: 6px 10px; white-space: pre-wrap; word-break: break-word; }
.call { font: 12px ui-monospace, Menlo, Consolas, monospace; padding: 4px 10px; border-top: 1px dashed var(--line); white-space: pre-wrap; word-break: break-word; }
pre { margin: 0; font: 12px/1.5 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; background: #f8fafc; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
pre.error { color: var(--error); background: var(--error-bg); border-color: #f4b4ae; }
.text-block { white-space: pre-wrap; word-break: break-word; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
`;
