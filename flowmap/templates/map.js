/* flowmap map: the page's behaviour. Every model string is put in the page as text
   (textContent), never as markup; the data comes from the JSON block #fm-data. */
(function () {
  "use strict";
  performance.mark("fm-start");
  var D = JSON.parse(document.getElementById("fm-data").textContent);
  D.nodes = nodeItems(D.nodes, D.nodeLooks);
  D.edges = edgeItems(D.edges, D.edgeLooks);
  performance.mark("fm-parsed");
  // The data is in columns (see MapData.to_dict): turn them back into one object per node and per edge.
  function withLook(item, look) {
    for (var k in look) { item[k] = look[k]; }
    return item;
  }
  function nodeItems(N, looks) {
    var out = new Array(N.id.length);
    for (var i = 0; i < out.length; i++) {
      out[i] = withLook({ id: N.id[i], label: N.label[i], x: N.x[i], y: N.y[i] }, looks[N.look[i]]);
    }
    return out;
  }
  function edgeItems(E, looks) {
    var ids = D.nodes.map(function (n) { return n.id; }), out = new Array(E.from.length);
    var sets = D.dataSets.map(function (s) { return s.map(function (c) { return D.options.categories[c]; }); });
    for (var i = 0; i < out.length; i++) {
      var from = ids[E.from[i]], to = ids[E.to[i]];
      out[i] = withLook({ id: from + "->" + to, from: from, to: to, data: sets[E.data[i]], rows: E.rows[i],
                          fromIndex: E.from[i], toIndex: E.to[i] }, looks[E.look[i]]);
    }
    E.ids.forEach(function (p) { out[p[0]].id = p[1]; });
    return out;
  }
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

  // ---- items: compact data expanded with the styles the legend carries ---------------------
  var SECTOR = {}, SHAPE = {}, EDGE = {}, STATUS = {};
  D.legend.sectors.forEach(function (s) { SECTOR[s[0]] = s[1]; });
  D.legend.kinds.forEach(function (k) { SHAPE[k[0]] = k[1]; });
  D.legend.edges.forEach(function (e) { EDGE[e[0]] = { colour: e[1], label: e[2], dashes: e[3] }; });
  D.legend.statuses.forEach(function (s) { STATUS[s[0]] = { colour: s[1], opacity: s[2] }; });
  function nodeItem(n) {   // colours come from the sector's group: far cheaper for vis-network than per-node colours
    var item = { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, shape: SHAPE[n.kind], group: n.sector,
                 sector: n.sector, base: 1 };
    var border = n.status ? STATUS[n.status].colour : (n.actor ? D.legend.actorBorder : null);
    if (border) {
      var fill = SECTOR[n.sector];
      item.borderWidth = 4; item.borderWidthSelected = 5;
      item.color = { background: fill, border: border, highlight: { background: fill, border: "#000000" },
                     hover: { background: fill, border: "#000000" } };
    }
    if (n.status) { item.base = item.opacity = STATUS[n.status].opacity; }
    return item;
  }
  var GROUPS = {};
  D.legend.sectors.forEach(function (s) {
    GROUPS[s[0]] = { borderWidth: 1, color: { background: s[1], border: "#333333",
      highlight: { background: s[1], border: "#000000" }, hover: { background: s[1], border: "#000000" } } };
  });
  function edgeItem(e) {
    var look = EDGE[e.style], colour = look.colour, opacity = 1;
    if (e.status) { colour = STATUS[e.status].colour; opacity = STATUS[e.status].opacity; }
    return { id: e.id, from: e.from, to: e.to, width: e.width, dashes: look.dashes, style: e.style, data: e.data,
             arrows: e.both ? "to, from" : "to", base: opacity, rows: e.rows, hidden: false,
             color: { color: colour, highlight: colour, hover: colour, opacity: opacity } };
  }
  // A large map (D.lod) opens as clusters: nodeList and edgeList then hold what is shown now (clusters,
  // the systems of expanded clusters or revealed by a search or a finding, flows between them, aggregated
  // between clusters), rebuilt by lodItems(); a small map shows every system and flow.
  var LOD = D.lod, nodeIndex = {}, flows = null, sectorOn = {};
  D.nodes.forEach(function (n, i) { nodeIndex[n.id] = i; });
  function flowById(id) {   // built when first asked (by a finding): not needed for the first frame
    if (!flows) { flows = new Map(); D.edges.forEach(function (e) { flows.set(e.id, e); }); }
    return flows.get(id);
  }
  D.legend.sectors.forEach(function (s) { sectorOn[s[0]] = true; });
  var nodeList, edgeList, nodeSize = {}, edgeById = {};
  var lod = LOD ? { by: LOD.by, expanded: {}, revealed: {}, category: "", hops: 1 } : null;
  if (LOD) { lodItems(); } else {
    nodeList = D.nodes.map(nodeItem); edgeList = D.edges.map(edgeItem);
    D.nodes.forEach(function (n) { nodeSize[n.id] = n.size; });
    edgeList.forEach(function (e) { edgeById[e.id] = e; });
  }
  function worse(a, b) { return !a ? b : (!b ? a : (SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b)); }
  function isCluster(id) { return String(id).indexOf("cluster:") === 0; }
  function clusterId(c) { return "cluster:" + lod.by + ":" + c; }
  function labelOf(id) {
    if (isCluster(id)) { return LOD.groupings[lod.by].clusters[Number(id.split(":")[2])].label; }
    return D.nodes[nodeIndex[id]].label;
  }
  function lodItems() {
    var G = LOD.groupings[lod.by], rep = [], count = {}, agg = {};
    nodeList = []; edgeList = []; edgeById = {}; nodeSize = {};
    D.nodes.forEach(function (n, i) {
      if (!sectorOn[n.sector]) { rep.push(null); return; }
      var c = G.of[i];
      if (lod.expanded[c] || lod.revealed[n.id]) { rep.push(n.id); nodeList.push(nodeItem(n)); nodeSize[n.id] = n.size; }
      else { rep.push(clusterId(c)); count[c] = (count[c] || 0) + 1; }
    });
    G.clusters.forEach(function (k, c) {
      if (!count[c]) { return; }
      var id = clusterId(c), border = k.severity ? D.legend.severityColours[k.severity] : "#333333";
      nodeSize[id] = k.r;
      nodeList.push({ id: id, cluster: c, count: count[c], x: k.x, y: k.y, size: k.r, shape: "dot", base: 1,
        label: k.label + "\n" + count[c].toLocaleString("en") + " system" + (count[c] === 1 ? "" : "s"),
        borderWidth: k.severity ? 5 : 2, borderWidthSelected: 6, font: { size: Math.max(14, Math.round(k.r / 7)) },
        widthConstraint: false,
        color: { background: k.colour, border: border, highlight: { background: k.colour, border: "#000000" },
                 hover: { background: k.colour, border: "#000000" } } });
    });
    D.edges.forEach(function (e) {
      if (lod.category && !carries(e, lod.category)) { return; }
      var a = rep[e.fromIndex], b = rep[e.toIndex];
      if (a === null || b === null || a === b) { return; }
      if (!isCluster(a) && !isCluster(b)) { var one = edgeItem(e); edgeList.push(one); edgeById[e.id] = one; return; }
      (e.both ? [[a, b], [b, a]] : [[a, b]]).forEach(function (p) {
        var key = p[0] + "|" + p[1], g = agg[key];
        if (!g) { g = agg[key] = { from: p[0], to: p[1], count: 0, severity: null }; }
        g.count += 1; g.severity = worse(g.severity, e.severity);
      });
    });
    Object.keys(agg).sort().forEach(function (key) {
      var g = agg[key], colour = g.severity ? D.legend.severityColours[g.severity] : "#9E9E9E";
      var item = { id: "agg:" + key, from: g.from, to: g.to, count: g.count, severity: g.severity, style: "aggregate",
                   width: Math.round(10 * (1 + 2 * Math.log10(g.count))) / 10, screen: true, dashes: false, data: [],
                   arrows: "to", base: 1, hidden: false, color: { color: colour, highlight: colour, hover: colour, opacity: 1 } };
      edgeList.push(item); edgeById[item.id] = item;
    });
  }
  function lodRefresh() {   // show what lod now says; keeps the vis DataSets in step with nodeList and edgeList
    lodItems();
    nodes.clear(); nodes.add(nodeList);
    edges.clear(); edges.add(edgeList);
    state.lod = lodSummary();
    network.redraw();
  }
  function lodSummary() {
    return { by: lod.by, expanded: Object.keys(lod.expanded).map(Number).sort(function (a, b) { return a - b; }),
             revealed: Object.keys(lod.revealed).sort(), clusters: nodeList.filter(function (n) { return isCluster(n.id); }).length,
             systems: nodeList.filter(function (n) { return !isCluster(n.id); }).length };
  }
  function expandCluster(c) {
    lod.expanded[c] = true;
    lodRefresh();
    var G = LOD.groupings[lod.by], ids = [];
    D.nodes.forEach(function (n, i) { if (G.of[i] === c && sectorOn[n.sector]) { ids.push(n.id); } });
    if (ids.length) { network.fit({ nodes: ids, animation: false }); }
  }
  var MAX_REVEAL = 2000;
  function neighbourhood(id, hops) {   // the systems k hops out of id (flows either way), at most MAX_REVEAL
    var seen = {}, frontier = [id], order = [id];
    seen[id] = 0;
    for (var k = 0; k < hops && frontier.length && order.length < MAX_REVEAL; k++) {
      var next = [];
      frontier.forEach(function (s) {
        (byNode[s] || []).forEach(function (e) {
          var other = e.from === s ? e.to : e.from;
          if (!(other in seen) && order.length < MAX_REVEAL) { seen[other] = k + 1; order.push(other); next.push(other); }
        });
      });
      frontier = next;
    }
    return order;
  }
  function showNeighbourhood(id) {
    var hops = Math.max(0, Math.min(6, parseInt($("fm-hops").value, 10) || 0)), around = neighbourhood(id, hops), ns = {}, es = {};
    lod.revealed = {};
    around.forEach(function (s) { lod.revealed[s] = 1; ns[s] = 1; });
    lodRefresh();
    around.forEach(function (s) { (byNode[s] || []).forEach(function (e) { if (ns[e.from] && ns[e.to]) { es[e.id] = 1; } }); });
    network.selectNodes([id]);
    showNode(id, true);
    applyHighlight(ns, es);
    state.neighbourhood = { id: id, hops: hops, nodes: around.slice().sort() };
    $("fm-lod-note").textContent = around.length + " system" + (around.length === 1 ? "" : "s") + " within " + hops +
      " hop" + (hops === 1 ? "" : "s") + (around.length >= MAX_REVEAL ? " (the first " + MAX_REVEAL + ")" : "");
    network.fit({ nodes: around, animation: false });
  }
  var nodes = new vis.DataSet(nodeList);
  var edges = new vis.DataSet(edgeList);
  var big = !D.physics;
  performance.mark("fm-datasets");
  var state = { ready: false, drawnAt: null, highlighted: null, drawnEdges: 0, big: big, lod: LOD ? lodSummary() : null };
  window.flowmapMap = { nodes: nodes, edges: edges, data: D, state: state, network: null };
  function setEdges(updates) {   // keeps edgeList (read by the large-map renderer) and the DataSet in step
    var byId = edgeById;
    updates.forEach(function (u) {
      var e = byId[u.id];
      if ("hidden" in u) { e.hidden = u.hidden; }
      if ("opacity" in u) { e.color = { color: e.color.color, highlight: e.color.highlight, hover: e.color.hover, opacity: u.opacity }; }
    });
    edges.update(updates.map(function (u) { var e = byId[u.id]; return { id: e.id, hidden: e.hidden, color: e.color }; }));
    if (big) { network.redraw(); }
  }

  // indexes: edges by node, findings by element
  var byNode = {};
  D.edges.forEach(function (e) {
    (byNode[e.from] = byNode[e.from] || []).push(e);
    if (e.to !== e.from) { (byNode[e.to] = byNode[e.to] || []).push(e); }
  });
  // what a finding lights up: its anchor (a flow and its two ends, or a system) and every
  // witness path it carries, each hop with the flow that realises it (pathFlows)
  function elementsOf(f) {
    var ns = {}, es = {};
    if (f.anchor[0] === "flow") {
      var a = flowById(f.anchor[1]);
      es[f.anchor[1]] = 1;
      if (a) { ns[a.from] = 1; ns[a.to] = 1; }
    } else { ns[f.anchor[1]] = 1; }
    f.paths.forEach(function (p, k) {
      p.forEach(function (s) { ns[s] = 1; });
      (f.pathFlows[k] || []).forEach(function (id) { if (id) { es[id] = 1; } });
    });
    return { nodes: ns, edges: es };
  }
  var lighting = null;
  function findingsAt() {   // system or flow id -> the findings that light it up; built when first asked
    if (!lighting) {
      lighting = { nodes: {}, edges: {} };
      D.findings.forEach(function (f, i) {
        var lit = elementsOf(f);
        Object.keys(lit.nodes).forEach(function (s) { (lighting.nodes[s] = lighting.nodes[s] || []).push(i); });
        Object.keys(lit.edges).forEach(function (id) { (lighting.edges[id] = lighting.edges[id] || []).push(i); });
      });
    }
    return lighting;
  }

  // Large maps: vis-network builds an object per edge (about 0.2 ms each), so past a few hundred
  // systems the page draws the flows itself on vis-network's canvas, in a few batched strokes.
  var network = new vis.Network($("fm-network"), { nodes: nodes, edges: big ? new vis.DataSet([]) : edges }, {
    autoResize: true,
    groups: GROUPS,
    layout: { improvedLayout: false, randomSeed: 7 },
    nodes: {
      font: { size: 12, face: "system-ui, sans-serif", color: "#222222", strokeWidth: 3, strokeColor: "#ffffff" },
      widthConstraint: { maximum: 150 },
      scaling: { label: { drawThreshold: 6 } }
    },
    edges: {
      smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.3 },
      arrows: { to: { enabled: true, scaleFactor: 0.55 } },
      selectionWidth: 2, hoverWidth: 0.5
    },
    physics: D.physics ? {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -120, centralGravity: 0.01, springLength: 150,
                          springConstant: 0.04, avoidOverlap: 1 },
      stabilization: { enabled: true, iterations: 300, updateInterval: 100, fit: true }
    } : { enabled: false },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false,
                   navigationButtons: false, tooltipDelay: 100 }
  });
  window.flowmapMap.network = network;
  performance.mark("fm-network");
  network.once("afterDrawing", function () {   // the map is visible: fill the panels that can wait
    performance.mark("fm-drawn");
    state.drawnAt = performance.now();
    window.setTimeout(function () { buildFindingsPanel(); buildSearchList(); findingsAt(); state.ready = true; }, 0);
  });
  if (D.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });
  }

  var dragging = false;
  network.on("dragStart", function () { dragging = true; });
  network.on("dragEnd", function () { dragging = false; if (big) { network.redraw(); } });
  // Flows are clipped to the visible part of the canvas (Liang-Barsky), so the cost of a frame follows
  // what is on screen; dashes are drawn only once zoomed in enough to tell flows apart.
  function clipper(x0, y0, x1, y1) {
    return function (a, b) {
      var dx = b.x - a.x, dy = b.y - a.y, t0 = 0, t1 = 1;
      var p = [-dx, dx, -dy, dy], q = [a.x - x0, x1 - a.x, a.y - y0, y1 - a.y];
      for (var i = 0; i < 4; i++) {
        if (p[i] === 0) { if (q[i] < 0) { return null; } continue; }
        var r = q[i] / p[i];
        if (p[i] < 0) { if (r > t1) { return null; } if (r > t0) { t0 = r; } }
        else { if (r < t0) { return null; } if (r < t1) { t1 = r; } }
      }
      return [a.x + t0 * dx, a.y + t0 * dy, a.x + t1 * dx, a.y + t1 * dy, t1 === 1, t0 === 0];
    };
  }
  function drawEdges(ctx) {   // one stroke per look; lit (highlighted) flows last, on top and at least 2.5 px wide
    var pos = network.getPositions(), scale = network.getScale(), batches = {}, count = 0;
    var minWidth = 0.6 / scale, arrows = scale > 0.45, dashed = scale >= 0.25, focused = state.highlighted !== null;
    var box = $("fm-network"), margin = 20 / scale;
    var tl = network.DOMtoCanvas({ x: 0, y: 0 }), br = network.DOMtoCanvas({ x: box.clientWidth, y: box.clientHeight });
    var clip = clipper(tl.x - margin, tl.y - margin, br.x + margin, br.y + margin);
    edgeList.forEach(function (e) {
      if (e.hidden) { return; }
      var lit = focused && e.color.opacity > DIM;
      var key = (lit ? "1" : "0") + "|" + e.color.color + "|" + e.width + "|" + e.color.opacity + "|" + e.style;
      (batches[key] = batches[key] || []).push(e);
      count += 1;
    });
    Object.keys(batches).sort().forEach(function (key) {
      var list = batches[key], first = list[0], lit = key.charAt(0) === "1", heads = [];
      ctx.save();
      ctx.strokeStyle = ctx.fillStyle = first.color.color;
      ctx.globalAlpha = lit ? first.color.opacity : (focused ? 0.05 : Math.min(first.color.opacity, 0.55));
      ctx.lineWidth = first.screen ? first.width / scale : Math.max(first.width, lit ? 2.5 / scale : minWidth);
      ctx.setLineDash(first.dashes && (dashed || lit) ? first.dashes.map(function (d) { return Math.max(d, d / scale); }) : []);
      ctx.beginPath();
      list.forEach(function (e) {
        var a = pos[e.from], b = pos[e.to], seg = a && b ? clip(a, b) : null;
        if (!seg) { return; }
        ctx.moveTo(seg[0], seg[1]); ctx.lineTo(seg[2], seg[3]);
        if (arrows || lit) {
          if (seg[4]) { heads.push([a, b, nodeSize[e.to]]); }
          if (seg[5] && e.arrows !== "to") { heads.push([b, a, nodeSize[e.from]]); }
        }
      });
      ctx.stroke();
      if (heads.length) {
        var size = lit ? Math.max(7, 9 / scale) : 7;
        ctx.setLineDash([]);
        ctx.beginPath();
        heads.forEach(function (h) { arrowHead(ctx, h[0], h[1], h[2], size); });
        ctx.fill();
      }
      ctx.restore();
    });
    state.drawnEdges = count;
  }
  function arrowHead(ctx, a, b, gap, s) {
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy);
    if (len < gap + 1) { return; }
    var ux = dx / len, uy = dy / len, tx = b.x - ux * gap, ty = b.y - uy * gap;
    ctx.moveTo(tx, ty);
    ctx.lineTo(tx - ux * s - uy * s * 0.5, ty - uy * s + ux * s * 0.5);
    ctx.lineTo(tx - ux * s + uy * s * 0.5, ty - uy * s - ux * s * 0.5);
    ctx.closePath();
  }
  function edgeAt(dom) {   // the drawn flow nearest to a point, within a few pixels
    var p = network.DOMtoCanvas(dom), pos = network.getPositions(), limit = 5 / network.getScale(), best = null;
    edgeList.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (e.hidden || !a || !b) { return; }
      var dx = b.x - a.x, dy = b.y - a.y, t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy || 1);
      t = Math.max(0, Math.min(1, t));
      var ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y, d = Math.sqrt(ex * ex + ey * ey);
      if (d <= limit) { limit = d; best = e.id; }
    });
    return best;
  }
  if (big) {
    network.on("beforeDrawing", function (ctx) { if (!dragging) { drawEdges(ctx); } });
  }

  // ---- tooltip -------------------------------------------------------------
  var ROWS = null;
  function rowData() {   // tooltip rows: a JSON block of their own, read when one is first shown
    if (!ROWS) { ROWS = JSON.parse($("fm-rows").textContent); }
    return ROWS;
  }
  function rowsOf(flat) {   // [label, text] index pairs into the strings (see MapData.details_dict)
    var S = rowData().strings, out = [];
    for (var i = 0; i < flat.length; i += 2) {
      var text = flat[i + 1];
      out.push([S[flat[i]], typeof text === "number" ? S[text] : receivedText(text)]);
    }
    return out;
  }
  function receivedText(parts) {   // [head, count, ..., -more]: "category from a, b, c +N more; ...; +M more categories"
    var S = rowData().strings, heads = rowData().heads, out = [];
    for (var i = 0; i < parts.length; i += 2) {
      if (parts[i] < 0) { out.push("+" + (-parts[i]) + " more categories"); break; }
      var head = heads[parts[i]], count = parts[i + 1], first = head.slice(1).map(function (k) { return S[k]; });
      out.push(S[head[0]] + " from " + first.join(", ") + (count > first.length ? " +" + (count - first.length) + " more" : ""));
    }
    return out.join("; ");
  }
  function detailsOf(id) {   // the heading comes from the node itself
    var n = D.nodes[nodeIndex[id]], rows = [["", (n.actor ? n.label.slice(2) : n.label) + " (" + n.id + ")"]];
    if (n.status) { rows.push(["status", n.status]); }
    rows.push(["kind", n.kind + " \u00b7 " + n.sector]);
    return rows.concat(rowsOf(rowData().nodes[nodeIndex[id]]));
  }
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
  function clusterRows(id) {
    var n = nodes.get(id), k = LOD.groupings[lod.by].clusters[n.cluster];
    return [["", k.label], ["grouped by", lod.by], ["systems", n.count.toLocaleString("en")],
            ["worst finding", k.severity || "none at its systems"], ["", "Click to expand"]];
  }
  network.on("hoverNode", function (p) {
    if (isCluster(p.node)) { showTip(clusterRows(p.node), null, p.pointer.DOM); return; }
    showTip(detailsOf(p.node), findingsAt().nodes[p.node], p.pointer.DOM);
  });
  function edgeRows(id) {
    var e = edgeById[id];
    if (e.style === "aggregate") {
      return [["", labelOf(e.from) + " \u2192 " + labelOf(e.to)], ["flows", e.count.toLocaleString("en")],
              ["worst finding", e.severity || "none"]];
    }
    return [["", e.from + (e.arrows === "to" ? " \u2192 " : " \u2194 ") + e.to + " (" + id + ")"],
            ["link", EDGE[e.style].label], ["data", e.data.join(", ")]].concat(rowsOf(rowData().edges[e.rows]));
  }
  network.on("hoverEdge", function (p) { showTip(edgeRows(p.edge), findingsAt().edges[p.edge], p.pointer.DOM); });
  if (big) {   // vis-network does not know the flows of a large map: find the one under the pointer here
    var pending = false;
    $("fm-network").addEventListener("mousemove", function (ev) {
      if (pending || dragging) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        var box = $("fm-network").getBoundingClientRect(), p = { x: ev.clientX - box.left, y: ev.clientY - box.top };
        if (network.getScale() < 0.3 || network.getNodeAt(p) !== undefined) { return; }
        var id = edgeAt(p);
        if (id) { showTip(edgeRows(id), findingsAt().edges[id], p); } else if (tip.dataset.edge) { tip.hidden = true; }
        tip.dataset.edge = id || "";
      });
    });
  }
  network.on("blurNode", function () { tip.hidden = true; });
  network.on("blurEdge", function () { tip.hidden = true; });
  network.on("dragStart", function () { tip.hidden = true; });

  // ---- highlighting ----------------------------------------------------------
  function applyHighlight(nodeSet, edgeSet) {
    state.highlighted = nodeSet ? { nodes: Object.keys(nodeSet).sort(), edges: Object.keys(edgeSet).sort() } : null;
    nodes.update(nodeList.map(function (n) {
      return { id: n.id, opacity: !nodeSet || nodeSet[n.id] ? n.base : DIM };
    }));
    setEdges(edgeList.map(function (e) { return { id: e.id, opacity: !edgeSet || edgeSet[e.id] ? e.base : DIM }; }));
  }
  function highlightFinding(i) {
    var f = D.findings[i], lit = elementsOf(f);
    if (LOD) {   // show the finding's systems wherever their clusters are
      Object.keys(lit.nodes).forEach(function (s) { lod.revealed[s] = 1; });
      lodRefresh();
    }
    applyHighlight(lit.nodes, lit.edges);
    state.highlighted.anchor = f.anchor.slice();
    var items = document.querySelectorAll(".fm-finding");
    items.forEach(function (b) { b.classList.toggle("fm-active", Number(b.dataset.index) === i); });
    var ids = Object.keys(lit.nodes).filter(function (id) { return nodes.get(id); });
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
  function showNode(id, keepHighlight) {
    details.replaceChildren(rowsElement(detailsOf(id)));
    var outs = el("ul"), ins = el("ul");
    (byNode[id] || []).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;   // a bidirectional flow goes both ways
      if (e.from === id || e.both) { outs.appendChild(el("li")).appendChild(linkTo(other, "\u2192 " + labelOf(other))); }
      if (e.to === id || e.both) { ins.appendChild(el("li")).appendChild(linkTo(other, "\u2190 " + labelOf(other))); }
    });
    details.appendChild(el("h2", null, "Sends to")); details.appendChild(outs);
    details.appendChild(el("h2", null, "Receives from")); details.appendChild(ins);
    if (findingsAt().nodes[id]) {
      details.appendChild(el("h2", null, "Findings"));
      details.appendChild(findingButtons(findingsAt().nodes[id]));
    }
    details.hidden = false;
    var ns = {}, es = {};
    ns[id] = 1;
    (byNode[id] || []).forEach(function (e) { ns[e.from] = 1; ns[e.to] = 1; es[e.id] = 1; });
    if (!keepHighlight) { applyHighlight(ns, es); }
  }
  function showEdge(id) {
    details.replaceChildren(rowsElement(edgeRows(id)));
    if (findingsAt().edges[id]) {
      details.appendChild(el("h2", null, "Findings"));
      details.appendChild(findingButtons(findingsAt().edges[id]));
    }
    details.hidden = false;
  }
  function selectSystem(id) {
    if (LOD && !nodes.get(id)) { lod.revealed[id] = 1; lodRefresh(); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    showNode(id);
  }
  network.on("click", function (p) {
    var edge = p.edges.length ? p.edges[0] : (big && !p.nodes.length ? edgeAt(p.pointer.DOM) : null);
    if (p.nodes.length && isCluster(p.nodes[0])) { expandCluster(nodes.get(p.nodes[0]).cluster); }
    else if (p.nodes.length) { showNode(p.nodes[0]); }
    else if (edge) { showEdge(edge); }
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
    if (f.confidence === "low") { b.appendChild(el("span", "fm-badge fm-question", "question")); }
    if (f.status !== "open") { b.appendChild(el("span", "fm-badge", f.status.replace("_", " "))); }
    b.appendChild(el("span", "fm-text", f.confidence === "low" && f.question ? f.question : f.title));
    b.title = f.message;
    b.addEventListener("click", function () { highlightFinding(i); });
    return b;
  }
  var panel = $("fm-findings");
  function buildFindingsPanel() {   // by rank: established findings first, then the questions, marked
    if (!D.findings.length) {
      panel.appendChild(el("p", "fm-note", "No findings shown on this map."));
      return;
    }
    var total = D.options.findingsTotal;
    panel.appendChild(el("h2", null, "Findings (" + (total > D.findings.length ? D.findings.length + " of " + total : total) + ")"));
    [["high", "Established"], ["low", "Questions to answer (rest on unknowns)"]].forEach(function (part) {
      var mine = [];
      D.findings.forEach(function (f, i) { if (f.confidence === part[0]) { mine.push(i); } });
      if (!mine.length) { return; }
      var group = el("div", "fm-group");
      group.dataset.confidence = part[0];
      group.appendChild(el("h2", null, part[1] + " (" + mine.length + ")"));
      var list = el("ol");
      mine.forEach(function (i) {
        var li = list.appendChild(el("li"));
        li.dataset.severity = D.findings[i].severity;
        li.hidden = !severityShown(D.findings[i].severity);
        li.appendChild(findingButton(i));
      });
      group.appendChild(list);
      panel.appendChild(group);
    });
  }

  // ---- legend and filters ------------------------------------------------------------
  var legend = $("fm-legend");
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
  if (LOD) {
    var groups = legendList("Clusters (more than " + LOD.limit.toLocaleString("en") + " systems)");
    groups.appendChild(el("li", "fm-note", "a circle is a group of systems, counted; click it to expand it"));
    groups.appendChild(el("li", "fm-note", "between clusters, one line per direction: width by the number of flows, colour by the worst finding on them"));
    SEVERITIES.forEach(function (sv) {
      var li = groups.appendChild(el("li")), line = el("span", "fm-line"); line.style.borderTopColor = D.legend.severityColours[sv];
      li.appendChild(line); li.appendChild(el("span", null, sv));
    });
    var none = groups.appendChild(el("li")), grey = el("span", "fm-line"); grey.style.borderTopColor = "#9E9E9E";
    none.appendChild(grey); none.appendChild(el("span", null, "no finding"));
    var group = $("fm-group");
    Object.keys(LOD.groupings).forEach(function (by) { var o = el("option", null, by); o.value = by; group.appendChild(o); });
    group.value = lod.by;
    group.addEventListener("change", function () {
      lod.by = group.value; lod.expanded = {}; lodRefresh(); network.fit({ animation: false });
    });
    $("fm-collapse").addEventListener("click", function () {
      lod.expanded = {}; lod.revealed = {}; $("fm-lod-note").textContent = ""; applyHighlight(null, null); lodRefresh();
      network.fit({ animation: false });
    });
    $("fm-lod").hidden = false;
  }

  var category = $("fm-category"), severity = $("fm-severity");
  D.options.categories.forEach(function (c) { var o = el("option", null, c); o.value = c; category.appendChild(o); });
  SEVERITIES.forEach(function (s) { var o = el("option", null, s); o.value = s; severity.appendChild(o); });
  function carries(e, c) {
    return e.data.some(function (d) { return d === c || c.indexOf(d + ".") === 0 || d.indexOf(c + ".") === 0; });
  }
  function applyFilters() {
    var c = category.value, nodeUpd = [], edgeUpd = [], visible = {};
    if (LOD) {
      lod.category = c;
      lodRefresh();
      document.querySelectorAll(".fm-group li[data-severity]").forEach(function (li) { li.hidden = !severityShown(li.dataset.severity); });
      return;
    }
    nodeList.forEach(function (n) {
      var hide = !sectorOn[n.sector];
      if (!hide) { visible[n.id] = 1; }
      if (Boolean(n.hidden) !== hide) { n.hidden = hide; nodeUpd.push({ id: n.id, hidden: hide }); }
    });
    D.edges.forEach(function (e) {
      var hide = !visible[e.from] || !visible[e.to] || (c !== "" && !carries(e, c));
      if (edgeById[e.id].hidden !== hide) { edgeUpd.push({ id: e.id, hidden: hide }); }
    });
    if (nodeUpd.length) { nodes.update(nodeUpd); }
    if (edgeUpd.length) { setEdges(edgeUpd); }
    document.querySelectorAll(".fm-group li[data-severity]").forEach(function (li) { li.hidden = !severityShown(li.dataset.severity); });
  }
  function severityShown(s) {
    var rank = SEVERITIES.indexOf(severity.value);
    return rank < 0 || SEVERITIES.indexOf(s) <= rank;
  }
  category.addEventListener("change", applyFilters);
  severity.addEventListener("change", applyFilters);

  // ---- search and reset ------------------------------------------------------------------
  var search = $("fm-search"), note = $("fm-search-note"), options = $("fm-search-list");
  function buildSearchList() {
    var all = document.createDocumentFragment();
    D.nodes.forEach(function (n) { var o = el("option"); o.value = n.id; o.label = n.label; all.appendChild(o); });
    options.appendChild(all);
  }
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
    if (id && LOD) { showNeighbourhood(id); } else if (id) { selectSystem(id); }
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { runSearch(); } });
  $("fm-reset").addEventListener("click", function () {
    if (LOD) { lod.expanded = {}; lod.revealed = {}; $("fm-lod-note").textContent = ""; state.neighbourhood = null; }
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
