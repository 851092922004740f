/* flowmap map: the page's behaviour. Every model string is put in the page as text
   (textContent), never as markup; the data comes from the JSON block #fm-data. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("fm-data").textContent);
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var GLYPH = { dot: "\u25CF", square: "\u25A0", diamond: "\u25C6", hexagon: "\u2B22", triangle: "\u25B2",
                triangleDown: "\u25BC", star: "\u2605" };
  var DIM = 0.12;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  var nodes = new vis.DataSet(D.nodes);
  var edges = new vis.DataSet(D.edges);
  var big = !D.physics;
  var state = { ready: false, drawnAt: null, highlighted: null, selected: null, hidden: {} };
  window.flowmapMap = { nodes: nodes, edges: edges, data: D, state: state, network: null };

  // indexes: edges by node, findings by element
  var byNode = {};
  D.edges.forEach(function (e) {
    (byNode[e.from] = byNode[e.from] || []).push(e);
    if (e.to !== e.from) { (byNode[e.to] = byNode[e.to] || []).push(e); }
  });
  var findingsOfNode = {}, findingsOfEdge = {};
  D.findings.forEach(function (f, i) {
    var seen = {};
    f.systems.concat(f.path).forEach(function (s) {
      if (!seen[s]) { seen[s] = 1; (findingsOfNode[s] = findingsOfNode[s] || []).push(i); }
    });
    f.flows.forEach(function (id) { (findingsOfEdge[id] = findingsOfEdge[id] || []).push(i); });
  });

  var network = new vis.Network($("fm-network"), { nodes: nodes, edges: edges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    nodes: {
      font: { size: 13, face: "system-ui, sans-serif", color: "#222222", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: 6 } }
    },
    edges: {
      smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.3 },
      arrows: { to: { enabled: true, scaleFactor: 0.55 } },
      selectionWidth: 2, hoverWidth: 0.5
    },
    physics: D.physics ? {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -70, centralGravity: 0.012, springLength: 110,
                          springConstant: 0.045, avoidOverlap: 0.7 },
      stabilization: { enabled: true, iterations: 300, updateInterval: 100, fit: true }
    } : { enabled: false },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false,
                   navigationButtons: false, tooltipDelay: 100 }
  });
  window.flowmapMap.network = network;
  network.once("afterDrawing", function () { state.drawnAt = performance.now(); state.ready = true; });
  if (D.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });
  }

  // ---- tooltip -------------------------------------------------------------
  function rowsElement(rows) {
    var box = el("div");
    var list = el("dl", "fm-rows");
    rows.forEach(function (r) {
      if (r[0] === "") { box.appendChild(el("div", "fm-head", r[1])); return; }
      var row = el("div", "fm-row");
      row.appendChild(el("dt", null, r[0]));
      row.appendChild(el("dd", null, r[1]));
      list.appendChild(row);
    });
    box.appendChild(list);
    return box;
  }
  function findingLines(indexes, limit) {
    var list = el("ul");
    (indexes || []).slice(0, limit).forEach(function (i) {
      var f = D.findings[i];
      var li = el("li", "fm-text", f.severity + ": " + f.title);
      list.appendChild(li);
    });
    if (indexes && indexes.length > limit) { list.appendChild(el("li", "fm-note", "+" + (indexes.length - limit) + " more")); }
    return list;
  }
  var tip = $("fm-tooltip");
  function showTip(rows, found, pointer) {
    tip.replaceChildren(rowsElement(rows));
    if (found && found.length) {
      tip.appendChild(el("div", "fm-head", found.length + " finding" + (found.length === 1 ? "" : "s")));
      tip.appendChild(findingLines(found, 5));
    }
    var wrap = $("fm-network").getBoundingClientRect();
    tip.style.left = Math.round(wrap.left + pointer.x + 14) + "px";
    tip.style.top = Math.round(wrap.top + pointer.y + 14) + "px";
    tip.hidden = false;
  }
  network.on("hoverNode", function (p) { showTip(D.details[p.node], findingsOfNode[p.node], p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(D.edgeDetails[p.edge], findingsOfEdge[p.edge], p.pointer.DOM); });
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });

  // ---- highlighting ----------------------------------------------------------
  function applyHighlight(nodeSet, edgeSet) {
    state.highlighted = nodeSet ? { nodes: Object.keys(nodeSet).sort(), edges: Object.keys(edgeSet).sort() } : null;
    nodes.update(D.nodes.map(function (n) {
      return { id: n.id, opacity: !nodeSet || nodeSet[n.id] ? n.opacity : DIM };
    }));
    edges.update(D.edges.map(function (e) {
      var on = !edgeSet || edgeSet[e.id];
      return { id: e.id, color: { color: e.color.color, highlight: e.color.highlight, hover: e.color.hover,
                                  opacity: on ? e.color.opacity : DIM } };
    }));
  }
  function highlightFinding(i) {
    var f = D.findings[i], ns = {}, es = {};
    f.systems.concat(f.path).forEach(function (s) { ns[s] = 1; });
    f.flows.forEach(function (id) { es[id] = 1; });
    for (var k = 0; k + 1 < f.path.length; k++) {   // hops of the path the finding names no flow for
      (byNode[f.path[k]] || []).forEach(function (e) {
        var hop = (e.from === f.path[k] && e.to === f.path[k + 1]) ||
                  (e.arrows !== "to" && e.to === f.path[k] && e.from === f.path[k + 1]);
        if (hop && !f.flows.length) { es[e.id] = 1; }
      });
    }
    applyHighlight(ns, es);
    var items = document.querySelectorAll(".fm-finding");
    items.forEach(function (b) { b.classList.toggle("fm-active", Number(b.dataset.index) === i); });
    var ids = Object.keys(ns).filter(function (id) { return nodes.get(id); });
    if (ids.length) { network.fit({ nodes: ids, animation: false }); }
  }

  // ---- details of a node or an edge -----------------------------------------
  var details = $("fm-details");
  function linkTo(id, text) {
    var b = el("button", "fm-link", text);
    b.type = "button";
    b.addEventListener("click", function () { selectSystem(id); });
    return b;
  }
  function findingButtons(indexes) {
    var list = el("ul");
    (indexes || []).forEach(function (i) { list.appendChild(el("li")).appendChild(findingButton(i)); });
    return list;
  }
  function showNode(id) {
    details.replaceChildren(rowsElement(D.details[id]));
    var outs = el("ul"), ins = el("ul");
    (byNode[id] || []).forEach(function (e) {
      if (e.from === id) { outs.appendChild(el("li")).appendChild(linkTo(e.to, "\u2192 " + nodes.get(e.to).label)); }
      if (e.to === id && e.from !== id) { ins.appendChild(el("li")).appendChild(linkTo(e.from, "\u2190 " + nodes.get(e.from).label)); }
    });
    details.appendChild(el("h2", null, "Sends to")); details.appendChild(outs);
    details.appendChild(el("h2", null, "Receives from")); details.appendChild(ins);
    if (findingsOfNode[id]) {
      details.appendChild(el("h2", null, "Findings"));
      details.appendChild(findingButtons(findingsOfNode[id]));
    }
    details.hidden = false;
    var ns = {}, es = {};
    ns[id] = 1;
    (byNode[id] || []).forEach(function (e) { ns[e.from] = 1; ns[e.to] = 1; es[e.id] = 1; });
    applyHighlight(ns, es);
  }
  function showEdge(id) {
    details.replaceChildren(rowsElement(D.edgeDetails[id]));
    if (findingsOfEdge[id]) {
      details.appendChild(el("h2", null, "Findings"));
      details.appendChild(findingButtons(findingsOfEdge[id]));
    }
    details.hidden = false;
  }
  function selectSystem(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    showNode(id);
  }
  network.on("click", function (p) {
    if (p.nodes.length) { showNode(p.nodes[0]); }
    else if (p.edges.length) { showEdge(p.edges[0]); }
  });

  // ---- findings panel -----------------------------------------------------------
  function findingButton(i) {
    var f = D.findings[i];
    var b = el("button", "fm-finding");
    b.type = "button";
    b.dataset.index = String(i);
    b.dataset.severity = f.severity;
    var sev = el("span", "fm-sev", f.severity);
    sev.style.background = D.legend.severityColours[f.severity];
    b.appendChild(sev);
    if (f.badge) { b.appendChild(el("span", "fm-badge", f.badge)); }
    if (f.status !== "open") { b.appendChild(el("span", "fm-badge", f.status.replace("_", " "))); }
    b.appendChild(el("span", "fm-text", f.title));
    b.title = f.message;
    b.addEventListener("click", function () { highlightFinding(i); });
    return b;
  }
  var panel = $("fm-findings");
  var LIMIT = 1000;
  if (D.findings.length) {
    panel.appendChild(el("h2", null, "Findings (" + D.findings.length + ")"));
    SEVERITIES.forEach(function (s) {
      var mine = [];
      D.findings.forEach(function (f, i) { if (f.severity === s) { mine.push(i); } });
      if (!mine.length) { return; }
      var group = el("div", "fm-group");
      group.dataset.severity = s;
      group.appendChild(el("h2", null, s + " (" + mine.length + ")"));
      var list = el("ul");
      mine.slice(0, LIMIT).forEach(function (i) { list.appendChild(el("li")).appendChild(findingButton(i)); });
      if (mine.length > LIMIT) { list.appendChild(el("li", "fm-note", (mine.length - LIMIT) + " more not listed")); }
      group.appendChild(list);
      panel.appendChild(group);
    });
  } else {
    panel.appendChild(el("p", "fm-note", "No findings shown on this map."));
  }

  // ---- legend and filters ------------------------------------------------------------
  var legend = $("fm-legend"), sectorOn = {};
  function legendList(title) { legend.appendChild(el("h2", null, title)); return legend.appendChild(el("ul")); }
  var sectors = legendList("Sectors (filter)");
  D.legend.sectors.forEach(function (s) {
    sectorOn[s[0]] = true;
    var li = sectors.appendChild(el("li"));
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.className = "fm-sector"; box.value = s[0];
    box.setAttribute("aria-label", "show sector " + s[0]);
    box.addEventListener("change", function () { sectorOn[s[0]] = box.checked; applyFilters(); });
    var sw = el("span", "fm-swatch"); sw.style.background = s[1];
    li.appendChild(box); li.appendChild(sw); li.appendChild(el("span", "fm-text", s[0].replace(/_/g, " ")));
  });
  var kinds = legendList("Kinds");
  D.legend.kinds.forEach(function (k) {
    var li = kinds.appendChild(el("li"));
    li.appendChild(el("span", "fm-glyph", GLYPH[k[1]])); li.appendChild(el("span", null, k[0]));
  });
  var marks = legendList("Marks");
  if (D.legend.actor) {
    var a = marks.appendChild(el("li"));
    a.appendChild(el("span", "fm-glyph", "\u2691")); a.appendChild(el("span", null, "actor of concern (thick black outline)"));
  }
  var size = marks.appendChild(el("li"));
  size.appendChild(el("span", "fm-glyph", "\u25CF")); size.appendChild(el("span", null, "size: most sensitive data held or received"));
  D.legend.statuses.forEach(function (s) {
    var li = marks.appendChild(el("li"));
    var sw = el("span", "fm-swatch"); sw.style.borderColor = s[1]; sw.style.borderWidth = "3px";
    li.appendChild(sw); li.appendChild(el("span", null, s[0]));
  });
  var lines = legendList("Flows");
  D.legend.edges.forEach(function (e) {
    var li = lines.appendChild(el("li"));
    var line = el("span", "fm-line" + (e[3] ? " fm-dashed" : "")); line.style.borderTopColor = e[1];
    li.appendChild(line); li.appendChild(el("span", null, e[2]));
  });
  lines.appendChild(el("li", "fm-note", "width: most sensitive category carried"));

  var category = $("fm-category"), severity = $("fm-severity");
  D.options.categories.forEach(function (c) { var o = el("option", null, c); o.value = c; category.appendChild(o); });
  SEVERITIES.forEach(function (s) { var o = el("option", null, s); o.value = s; severity.appendChild(o); });
  function carries(e, c) {
    return e.data.some(function (d) { return d === c || c.indexOf(d + ".") === 0 || d.indexOf(c + ".") === 0; });
  }
  function applyFilters() {
    var c = category.value, nodeUpd = [], edgeUpd = [], visible = {};
    D.nodes.forEach(function (n) {
      var hide = !sectorOn[n.sector];
      if (!hide) { visible[n.id] = 1; }
      if (Boolean(state.hidden[n.id]) !== hide) { state.hidden[n.id] = hide; nodeUpd.push({ id: n.id, hidden: hide }); }
    });
    D.edges.forEach(function (e) {
      var hide = !visible[e.from] || !visible[e.to] || (c !== "" && !carries(e, c));
      var key = "e:" + e.id;
      if (Boolean(state.hidden[key]) !== hide) { state.hidden[key] = hide; edgeUpd.push({ id: e.id, hidden: hide }); }
    });
    if (nodeUpd.length) { nodes.update(nodeUpd); }
    if (edgeUpd.length) { edges.update(edgeUpd); }
    var rank = SEVERITIES.indexOf(severity.value);
    document.querySelectorAll(".fm-group").forEach(function (g) {
      g.hidden = rank >= 0 && SEVERITIES.indexOf(g.dataset.severity) > rank;
    });
  }
  category.addEventListener("change", applyFilters);
  severity.addEventListener("change", applyFilters);

  // ---- search and reset ------------------------------------------------------------------
  var search = $("fm-search"), note = $("fm-search-note"), options = $("fm-search-list");
  D.nodes.forEach(function (n) { var o = el("option"); o.value = n.id; o.label = n.label; options.appendChild(o); });
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var exact = null, partial = null;
    D.nodes.forEach(function (n) {
      var name = n.label.toLowerCase();
      if (!exact && (n.id === q || name === q)) { exact = n.id; }
      if (!partial && (n.id.indexOf(q) >= 0 || name.indexOf(q) >= 0)) { partial = n.id; }
    });
    return exact || partial;
  }
  function runSearch() {
    var id = find(search.value);
    note.textContent = search.value.trim() && !id ? "no system matches" : "";
    if (id) { selectSystem(id); }
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { runSearch(); } });
  $("fm-reset").addEventListener("click", function () {
    search.value = ""; note.textContent = ""; category.value = ""; severity.value = "";
    document.querySelectorAll(".fm-sector").forEach(function (b) { b.checked = true; sectorOn[b.value] = true; });
    applyFilters();
    applyHighlight(null, null);
    document.querySelectorAll(".fm-finding.fm-active").forEach(function (b) { b.classList.remove("fm-active"); });
    details.hidden = true; details.replaceChildren();
    network.unselectAll();
    network.fit({ animation: false });
  });
}());
