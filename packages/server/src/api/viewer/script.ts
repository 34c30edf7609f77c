/**
 * The web page's script, sent as it is written here (plain ES2017, no build step). It listens to
 * the server's live feed (`events`: a `snapshot` of the newest logs with the cursor of the page
 * before them, then each log as it is stored or updated), reads older pages (`older`) when asked,
 * and draws sessions, trace trees and a log's details. Log strings are untrusted: they
 * are only ever set as text (`textContent`), never parsed as HTML.
 *
 * Kept free of backquotes and dollar-brace so it can live in this template literal unchanged.
 */
export const VIEWER_SCRIPT = String.raw`(function () {
  'use strict';
  var MAX_DEPTH = 64;
  var entries = new Map();
  var arrivals = 0;
  // Older pages take arrivals below the first page's, counting down.
  var earliest = 0;
  var older = null;
  // A new snapshot starts over: an older page asked for before it is dropped.
  var generation = 0;
  var state = { session: null, log: null, shownLog: null, shownVersion: -1, text: '', kind: '', errors: false };
  var scheduled = false;

  function byId(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function kindClass(kind) { return String(kind).toLowerCase().replace(/[^a-z0-9-]/g, ''); }

  function badge(kind) { return el('span', 'badge ' + kindClass(kind), kind); }

  function put(item, version, arrival) {
    var key = item.api + ':' + item.log.id;
    var known = entries.get(key);
    entries.set(key, {
      key: key, api: item.api, log: item.log, summary: item.summary,
      arrival: known ? known.arrival : arrival(), version: version, search: null
    });
  }

  function later() { return ++arrivals; }
  function earlier() { return --earliest; }

  var version = 0;
  // Pages come newest first.
  function onSnapshot(data) {
    entries.clear();
    arrivals = 0;
    earliest = 0;
    generation++;
    data.logs.slice().reverse().forEach(function (item) { put(item, ++version, later); });
    setOlder(data.older);
    schedule();
  }

  function setOlder(cursor) {
    older = cursor;
    var button = byId('load-older');
    button.hidden = older === null;
    button.disabled = false;
  }

  function loadOlder() {
    if (older === null) return;
    var asked = generation;
    var button = byId('load-older');
    button.disabled = true;
    fetch('older?cursor=' + encodeURIComponent(older))
      .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error(String(response.status))); })
      .then(function (data) {
        if (asked !== generation) return;
        data.logs.forEach(function (item) { if (!entries.has(item.api + ':' + item.log.id)) put(item, ++version, earlier); });
        setOlder(data.older);
        schedule();
      })
      .catch(function () { button.disabled = false; });
  }

  function onLog(data) {
    put(data, ++version, later);
    schedule();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; render(); });
  }

  function connect() {
    var status = byId('status');
    var source = new EventSource('events');
    source.addEventListener('open', function () { status.textContent = 'live'; status.className = 'status live'; });
    source.addEventListener('error', function () { status.textContent = 'reconnecting…'; status.className = 'status'; });
    source.addEventListener('snapshot', function (event) { onSnapshot(JSON.parse(event.data)); });
    source.addEventListener('log', function (event) { onLog(JSON.parse(event.data)); });
  }

  // Trees: a log hangs under the log its summary's parent names, unless that would close a loop.
  function forest() {
    var byKey = new Map();
    var nodes = [];
    entries.forEach(function (entry) {
      var node = { entry: entry, children: [] };
      nodes.push(node);
      entry.summary.keys.forEach(function (k) { var key = entry.api + ':' + k; if (!byKey.has(key)) byKey.set(key, node); });
    });
    nodes.sort(function (a, b) { return a.entry.arrival - b.entry.arrival; });
    function parentOf(node) {
      var parent = node.entry.summary.parent;
      return parent ? byKey.get(node.entry.api + ':' + parent) : undefined;
    }
    var roots = [];
    nodes.forEach(function (node) {
      var parent = parentOf(node);
      var up = parent;
      for (var steps = 0; up && up !== node && steps <= nodes.length; steps++) up = parentOf(up);
      if (parent && !up) parent.children.push(node); else roots.push(node);
    });
    nodes.forEach(function (node) { node.children.sort(byStart); });
    return roots;
  }

  // Earlier start first, then earlier end: times are in whole milliseconds, so a quick tool call
  // and the model call after it may start in the same one.
  function byStart(a, b) {
    var x = Date.parse(a.entry.summary.startTime || '') || Infinity;
    var y = Date.parse(b.entry.summary.startTime || '') || Infinity;
    var ends = (x + (a.entry.summary.durationMillis || 0)) - (y + (b.entry.summary.durationMillis || 0));
    if (x !== y) return x - y;
    return ends || a.entry.arrival - b.entry.arrival;
  }

  function sessions(roots) {
    var byKey = new Map();
    roots.forEach(function (root) {
      var s = root.entry.summary;
      var key = s.session ? 'session:' + s.session : 'trace:' + root.entry.key;
      var session = byKey.get(key);
      if (!session) {
        session = { key: key, id: s.session, roots: [], logs: [], newest: 0, latest: 0 };
        byKey.set(key, session);
      }
      session.roots.push(root);
      walk(root, 0, function (node) {
        session.logs.push(node.entry);
        var started = Date.parse(node.entry.summary.startTime || '');
        if (started > session.newest) session.newest = started;
        if (node.entry.arrival > session.latest) session.latest = node.entry.arrival;
      });
    });
    return Array.from(byKey.values()).sort(function (a, b) { return (b.newest - a.newest) || (b.latest - a.latest); });
  }

  function walk(node, depth, visit) {
    visit(node, depth);
    if (depth < MAX_DEPTH) node.children.forEach(function (child) { walk(child, depth + 1, visit); });
  }

  function filtering() { return state.text !== '' || state.kind !== '' || state.errors; }

  function matches(entry) {
    var s = entry.summary;
    if (state.kind && s.kind !== state.kind) return false;
    if (state.errors && !s.error) return false;
    if (state.text) {
      if (entry.search === null) entry.search = JSON.stringify(entry.log).toLowerCase();
      if (entry.search.indexOf(state.text) === -1 && String(s.name).toLowerCase().indexOf(state.text) === -1) return false;
    }
    return true;
  }

  function render() {
    var all = sessions(forest());
    var shown = all.filter(function (session) { return !filtering() || session.logs.some(matches); });
    renderKinds();
    byId('counts').textContent = entries.size + ' logs · ' + all.length + ' sessions' +
      (filtering() ? ' · ' + shown.length + ' match' : '') + (older === null ? '' : ' · older logs not loaded');
    if (!shown.some(function (s) { return s.key === state.session; })) state.session = shown.length ? shown[0].key : null;
    var current = shown.filter(function (s) { return s.key === state.session; })[0];
    if (current && !current.logs.some(function (e) { return e.key === state.log; })) state.log = current.roots[0].entry.key;
    if (!current) state.log = null;
    renderSessions(shown);
    renderTree(current);
    renderDetails();
  }

  function renderKinds() {
    var select = byId('filter-kind');
    var kinds = new Set();
    entries.forEach(function (entry) { kinds.add(entry.summary.kind); });
    var known = Array.from(select.options).map(function (o) { return o.value; });
    Array.from(kinds).sort().forEach(function (kind) {
      if (known.indexOf(kind) === -1) select.appendChild(el('option', '', kind)).value = kind;
    });
  }

  function renderSessions(list) {
    var ol = byId('session-list');
    ol.replaceChildren();
    byId('no-sessions').hidden = entries.size > 0;
    list.forEach(function (session) {
      var root = session.roots[0].entry;
      var button = el('button');
      button.type = 'button';
      button.setAttribute('aria-current', String(session.key === state.session));
      button.dataset.session = session.key;
      var name = el('div', 'session-name');
      name.append(badge(root.summary.kind), el('span', '', root.summary.name));
      var errors = session.logs.filter(function (e) { return e.summary.error; }).length;
      var meta = el('div', 'session-meta');
      var apis = Array.from(new Set(session.logs.map(function (e) { return e.api; }))).join(' + ');
      meta.textContent = [when(session.newest), session.logs.length + (session.logs.length === 1 ? ' log' : ' logs'), apis]
        .filter(Boolean).join(' · ');
      if (errors) meta.append(' ', el('span', 'chip error', errors + (errors === 1 ? ' error' : ' errors')));
      if (session.id) button.title = 'session ' + session.id;
      button.append(name, meta);
      button.addEventListener('click', function () { state.session = session.key; state.log = null; render(); });
      var li = el('li');
      li.appendChild(button);
      ol.appendChild(li);
    });
  }

  function renderTree(session) {
    var tree = byId('tree');
    tree.replaceChildren();
    byId('trace-title').textContent = session ? 'Trace · ' + session.logs.length + ' logs' : 'Trace';
    if (!session) return;
    session.roots.forEach(function (root) {
      var ul = el('ul');
      ul.setAttribute('role', 'group');
      ul.appendChild(treeItem(root, 0));
      tree.appendChild(ul);
    });
  }

  function treeItem(node, depth) {
    var entry = node.entry;
    var s = entry.summary;
    var li = el('li');
    li.setAttribute('role', 'none');
    var row = el('div', 'row');
    row.setAttribute('role', 'treeitem');
    row.tabIndex = 0;
    row.dataset.log = entry.key;
    row.dataset.kind = s.kind;
    row.setAttribute('aria-selected', String(entry.key === state.log));
    if (filtering()) row.classList.add(matches(entry) ? 'hit' : 'dim');
    row.append(badge(s.kind), el('span', 'name', s.name));
    if (s.model && String(s.name).indexOf(s.model) === -1) row.append(el('span', 'muted', s.model));
    if (s.promptTokens !== undefined || s.outputTokens !== undefined) {
      row.append(el('span', 'muted', (s.promptTokens === undefined ? '–' : s.promptTokens) + ' → ' +
        (s.outputTokens === undefined ? '–' : s.outputTokens) + ' tok'));
    }
    if (s.durationMillis !== undefined) row.append(el('span', 'muted', millis(s.durationMillis)));
    if (s.status === 'incomplete') row.append(el('span', 'chip', 'incomplete'));
    if (s.error) row.append(el('span', 'chip error', 'error'));
    (s.judgments || []).forEach(function (j) { row.append(el('span', 'chip judgment', j.name + ': ' + verdict(j))); });
    function pick() { state.log = entry.key; render(); }
    row.addEventListener('click', pick);
    row.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); pick(); }
    });
    li.appendChild(row);
    if (node.children.length && depth < MAX_DEPTH) {
      var ul = el('ul');
      ul.setAttribute('role', 'group');
      node.children.forEach(function (child) { ul.appendChild(treeItem(child, depth + 1)); });
      li.appendChild(ul);
    }
    return li;
  }

  function when(time) {
    if (!time) return '';
    var date = new Date(time);
    var today = new Date().toDateString() === date.toDateString();
    return today ? date.toLocaleTimeString() : date.toLocaleString();
  }

  function millis(ms) { return ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : ms.toFixed(1) + ' ms'; }

  function renderDetails() {
    var entry = state.log ? entries.get(state.log) : undefined;
    if (entry && state.shownLog === entry.key && state.shownVersion === entry.version) return;
    state.shownLog = entry ? entry.key : null;
    state.shownVersion = entry ? entry.version : -1;
    var body = byId('detail-body');
    body.replaceChildren();
    if (!entry) { body.appendChild(el('p', 'empty', 'Select a log to see its messages, output and timing.')); return; }
    var log = entry.log;
    var s = entry.summary;
    body.append(titleSection(entry), factsSection(entry));
    if (s.error) body.appendChild(section('Error', el('pre', 'error', s.error)));
    if (s.judgments && s.judgments.length) body.appendChild(section('Judgments', judgmentList(s.judgments)));
    if (Array.isArray(log.messages) && log.messages.length) body.appendChild(section('Messages', messageList(log.messages)));
    var output = outputParts(log);
    if (output.length) body.appendChild(section('Output', output));
    if (isObject(log.inputs)) body.appendChild(section('Inputs', json(log.inputs)));
    var config = entry.api === 'v4' ? log.config : log[log.type];
    if (config !== undefined) body.appendChild(section(entry.api === 'v4' ? 'Config' : 'Version (' + log.type + ')', json(config)));
    if (Array.isArray(log.tools) && log.tools.length) body.appendChild(section('Tools', json(log.tools)));
    if (isObject(log.metadata)) body.appendChild(section('Metadata', json(log.metadata)));
    var raw = el('details');
    raw.append(el('summary', '', 'Raw log as stored'), json(log));
    body.appendChild(section('Raw', raw));
  }

  function verdict(j) {
    var value = typeof j.value === 'object' && j.value !== null ? JSON.stringify(j.value) : String(j.value === undefined ? '–' : j.value);
    return j.label && j.label !== value ? value + ' (' + j.label + ')' : value;
  }

  function judgmentList(judgments) {
    return judgments.map(function (j) {
      var div = el('div', 'judgment');
      div.append(el('strong', '', j.name), el('span', '', ' ' + verdict(j)));
      if (j.explanation) div.appendChild(el('pre', '', j.explanation));
      return div;
    });
  }

  function section(title, content) {
    var div = el('div', 'section');
    div.appendChild(el('h3', '', title));
    if (Array.isArray(content)) content.forEach(function (c) { div.appendChild(c); }); else div.appendChild(content);
    return div;
  }

  function titleSection(entry) {
    var s = entry.summary;
    var div = el('div', 'section');
    var title = el('div', 'title');
    title.append(badge(s.kind), el('span', '', s.name), el('span', 'chip api', entry.api));
    if (s.status === 'incomplete') title.appendChild(el('span', 'chip', 'incomplete'));
    div.appendChild(title);
    div.appendChild(el('div', 'ids', 'id ' + s.id + (s.parent ? ' · parent ' + s.parent : '')));
    return div;
  }

  function factsSection(entry) {
    var s = entry.summary;
    var log = entry.log;
    var facts = [
      ['Model', s.model],
      ['Tokens', s.promptTokens !== undefined || s.outputTokens !== undefined
        ? (s.promptTokens === undefined ? '–' : s.promptTokens) + ' prompt → ' + (s.outputTokens === undefined ? '–' : s.outputTokens) + ' output' : undefined],
      ['Started', s.startTime ? new Date(s.startTime).toLocaleString() + ' (' + s.startTime + ')' : undefined],
      ['Duration', s.durationMillis !== undefined ? millis(s.durationMillis) : undefined],
      ['Status', s.status],
      ['Project', log.project || log.project_id],
      ['Path', log.path],
      ['Session', s.session],
      ['Environment', log.environment],
      ['Source', log.source]
    ];
    var dl = el('dl', 'facts');
    facts.forEach(function (fact) {
      if (fact[1] === undefined || fact[1] === null || fact[1] === '') return;
      dl.append(el('dt', '', fact[0]), el('dd', '', typeof fact[1] === 'string' ? fact[1] : JSON.stringify(fact[1])));
    });
    return section('Summary', dl);
  }

  function messageList(messages) {
    var box = el('div');
    messages.forEach(function (message) { box.appendChild(messageView(message)); });
    return box;
  }

  function messageView(message) {
    if (!isObject(message)) return el('pre', '', JSON.stringify(message));
    var role = typeof message.role === 'string' ? message.role : 'message';
    var div = el('div', 'msg ' + kindClass(role));
    var head = el('div', 'msg-head', role);
    if (typeof message.name === 'string') head.appendChild(el('span', '', message.name));
    if (typeof message.tool_call_id === 'string') head.appendChild(el('span', '', 'result of ' + message.tool_call_id));
    div.appendChild(head);
    var text = contentText(message.content);
    if (text) div.appendChild(el('div', 'msg-body', text));
    if (Array.isArray(message.tool_calls)) {
      message.tool_calls.forEach(function (call) {
        var fn = isObject(call) && isObject(call.function) ? call.function : {};
        var line = 'call ' + String(fn.name) + '(' + (fn.arguments === undefined ? '' : String(fn.arguments)) + ')';
        div.appendChild(el('div', 'call', line + (isObject(call) && call.id ? '  · ' + call.id : '')));
      });
    }
    return div;
  }

  function contentText(content) {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
    return content.map(function (part) {
      if (isObject(part) && typeof part.text === 'string') return part.text;
      return isObject(part) && part.type ? '[' + part.type + ']' : JSON.stringify(part);
    }).join('\n');
  }

  function outputParts(log) {
    var parts = [];
    var same = isObject(log.output_message) && contentText(log.output_message.content) === log.output;
    if (!same && log.output !== undefined && log.output !== null && log.output !== '') {
      parts.push(el('div', 'text-block', typeof log.output === 'string' ? log.output : JSON.stringify(log.output, null, 2)));
    }
    if (isObject(log.output_message)) parts.push(messageView(log.output_message));
    return parts;
  }

  function json(value) { return el('pre', '', JSON.stringify(value, null, 2)); }

  function isObject(value) { return typeof value === 'object' && value !== null && !Array.isArray(value); }

  function bindFilters() {
    var text = byId('filter-text');
    var kind = byId('filter-kind');
    var errors = byId('filter-error');
    text.addEventListener('input', function () { state.text = text.value.trim().toLowerCase(); render(); });
    kind.addEventListener('change', function () { state.kind = kind.value; render(); });
    errors.addEventListener('change', function () { state.errors = errors.checked; render(); });
  }

  bindFilters();
  byId('load-older').addEventListener('click', loadOlder);
  connect();
})();
`;
