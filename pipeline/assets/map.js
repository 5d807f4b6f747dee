/* paperkg map: decodes the index of the whole graph, draws the overview at the positions
 * computed in Python (no physics), and opens any paper's or concept's neighbourhood on a click
 * or a search result. Every piece of user text goes into the page through textContent, never
 * innerHTML. The data format is described in pipeline/visualize.py. */
(function () {
  "use strict";

  var started = performance.now();
  var data = JSON.parse(document.getElementById("paperkg-data").textContent);
  var state = { ready: false, network: null, nodes: null, edges: null, timing: {} };
  window.paperkgMap = state;

  var NEIGHBOUR_PAPERS = 30; // papers added around an opened concept (all are in its details)
  var NEIGHBOUR_LINKS = 20; // stated links added around an opened concept
  var CO_TOP = 5; // co-occurrence partners drawn per concept (as in Python)
  var RESULTS = 20; // search results listed
  var LABEL_CHARS = 32;

  // ---- decoding the index ----------------------------------------------------
  function Varints(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    this.bytes = bytes;
    this.pos = 0;
  }
  Varints.prototype.next = function () {
    var bytes = this.bytes, value = 0, scale = 1, b;
    do {
      b = bytes[this.pos++];
      value += (b & 127) * scale;
      scale *= 128;
    } while (b & 128);
    return value;
  };
  Varints.prototype.more = function () { return this.pos < this.bytes.length; };

  function lines(text, count) {
    if (count === 0 || (count === undefined && text === "")) return [];
    return text.split("\n");
  }

  function start(ix) {
    state.timing.unpack = performance.now() - started; // ms from script start: inflate + parse
    var P = ix.papers.count, C = ix.concepts.count;
    var paperIds = lines(ix.papers.ids, P);
    var titles = lines(ix.papers.titles, P);
    var firstAuthors = lines(ix.papers.authors, P);
    var names = lines(ix.concepts.names, C);
    var typeCodes = ix.concepts.types;
    var types = data.types, roles = data.roles, linkTypes = data.linkTypes;

    var days = new Int32Array(P);
    (function () {
      var r = new Varints(ix.papers.days), day = 0;
      for (var p = 0; p < P; p++) {
        var v = r.next();
        day += v % 2 ? -(v + 1) / 2 : v / 2;
        days[p] = day;
      }
    })();

    var urlOther = new Map();
    (function () {
      var r = new Varints(ix.papers.urlOther), values = lines(ix.papers.urlOtherValues);
      var p = -1, k = 0;
      while (r.more()) {
        p += r.next() + 1;
        urlOther.set(p, values[k++] || "");
      }
    })();

    var aliasFirst = new Int32Array(C).fill(-1), aliasCount = new Uint8Array(C);
    var aliases = lines(ix.concepts.aliases);
    (function () {
      var r = new Varints(ix.concepts.aliasOwners), owner = -1;
      for (var k = 0; k < aliases.length; k++) {
        var delta = r.next();
        if (delta) {
          owner += delta;
          aliasFirst[owner] = k;
        }
        aliasCount[owner]++;
      }
    })();

    // paper -> (concept, role), concepts ascending (see visualize._index_data)
    var E = ix.edges.count;
    var paperStart = new Int32Array(P + 1), edgeConcept = new Int32Array(E), edgeRole = new Uint8Array(E);
    (function () {
      var r = new Varints(ix.edges.data), e = 0, own = ix.concepts.nMulti;
      for (var p = 0; p < P; p++) {
        var n = r.next(), prev = -1, j;
        for (j = 0; j < n; j++) {
          var v = r.next();
          prev += Math.floor(v / 4) + 1;
          edgeConcept[e] = prev;
          edgeRole[e++] = v & 3;
        }
        var m = r.next();
        for (j = 0; j < m; j++) {
          edgeConcept[e] = own++;
          edgeRole[e++] = r.next();
        }
        paperStart[p + 1] = e;
      }
    })();

    // concept -> (paper, role), papers ascending
    var conceptStart = new Int32Array(C + 1), conceptPaper = new Int32Array(E), conceptRole = new Uint8Array(E);
    (function () {
      var e, p;
      for (e = 0; e < E; e++) conceptStart[edgeConcept[e] + 1]++;
      for (var c = 0; c < C; c++) conceptStart[c + 1] += conceptStart[c];
      var fill = conceptStart.slice(0, C);
      for (p = 0; p < P; p++) {
        for (e = paperStart[p]; e < paperStart[p + 1]; e++) {
          var k = fill[edgeConcept[e]]++;
          conceptPaper[k] = p;
          conceptRole[k] = edgeRole[e];
        }
      }
    })();

    // stated links, and per concept the links it takes part in
    var L = ix.links.count;
    var linkSource = new Int32Array(L), linkTarget = new Int32Array(L), linkType = new Uint8Array(L),
      linkWeight = new Int32Array(L), linkStart = new Int32Array(C + 1), linkAt = new Int32Array(2 * L);
    (function () {
      var r = new Varints(ix.links.data), s = 0, l;
      for (l = 0; l < L; l++) {
        s += r.next();
        linkSource[l] = s;
        linkTarget[l] = r.next();
        var v = r.next();
        linkType[l] = v & 1;
        linkWeight[l] = Math.floor(v / 2) + 1;
        linkStart[s + 1]++;
        linkStart[linkTarget[l] + 1]++;
      }
      for (var c = 0; c < C; c++) linkStart[c + 1] += linkStart[c];
      var fill = linkStart.slice(0, C);
      for (l = 0; l < L; l++) {
        linkAt[fill[linkSource[l]]++] = l;
        linkAt[fill[linkTarget[l]]++] = l;
      }
    })();

    function typeOf(c) { return types[typeCodes.charCodeAt(c) - 48]; }
    function paperCount(c) { return conceptStart[c + 1] - conceptStart[c]; }
    function conceptCount(p) { return paperStart[p + 1] - paperStart[p]; }
    function aliasesOf(c) {
      return aliasFirst[c] < 0 ? [] : aliases.slice(aliasFirst[c], aliasFirst[c] + aliasCount[c]);
    }
    function dateOf(p) {
      if (!days[p]) return "";
      return new Date((days[p] - ix.papers.dayOffset) * 86400000).toISOString().slice(0, 10);
    }
    function urlOf(p) {
      return urlOther.has(p) ? urlOther.get(p) : ix.papers.urlPrefix + paperIds[p];
    }
    function titleOf(p) { return titles[p] || paperIds[p]; }
    function nameOf(kind, i) { return kind === "paper" ? titleOf(i) : names[i]; }

    // rich details of what the overview draws
    var ov = data.overview;
    var conceptRich = new Map(), paperRich = new Map(), mentionRich = new Map(), linkSnippet = new Map();
    ov.concepts.forEach(function (c, k) { conceptRich.set(c, ov.conceptInfo[k]); });
    ov.papers.forEach(function (p, k) { paperRich.set(p, ov.paperInfo[k]); });
    ov.mentions.forEach(function (m) { mentionRich.set(m[0] + ":" + m[1], { count: m[2], snippet: m[3] }); });
    ov.linkSnippets.forEach(function (s) { linkSnippet.set(s[0], s[1]); });

    // ---- DOM helpers ---------------------------------------------------------------
    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
      return node;
    }

    function row(parent, label, value) {
      if (value === undefined || value === null || value === "") return;
      var line = el("div", "pkg-row");
      line.appendChild(el("span", "pkg-key", label + ": "));
      line.appendChild(el("span", "pkg-val", value));
      parent.appendChild(line);
    }

    function httpUrl(url) {
      return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url) ? url : "";
    }

    function link(parent, url) {
      var href = httpUrl(url);
      if (href) {
        var a = el("a", "pkg-link", url);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        parent.appendChild(a);
      } else if (url) {
        parent.appendChild(el("div", "pkg-link", url));
      }
    }

    function shorten(text, limit) {
      if (text.length <= limit) return text;
      var cut = text.slice(0, limit - 1), space = cut.lastIndexOf(" ");
      if (space > limit / 2) cut = cut.slice(0, space);
      return cut.replace(/[ ,.;:]+$/, "") + "\u2026";
    }

    // ---- cards (tooltips and the details panel) ------------------------------------
    function paperCard(p, full) {
      var info = paperRich.get(p);
      var box = el("div", "pkg-tip pkg-tip-paper");
      box.appendChild(el("div", "pkg-kind", "Paper"));
      box.appendChild(el("div", "pkg-name", titleOf(p)));
      row(box, "Authors", info ? info.authors.join(", ") : firstAuthors[p]);
      row(box, "Date", dateOf(p));
      if (full) row(box, "Id", paperIds[p]);
      if (full && info) row(box, "Categories", info.categories.join(", "));
      row(box, "Concepts", conceptCount(p));
      if (info && info.abstract) box.appendChild(el("div", "pkg-abstract", info.abstract));
      link(box, urlOf(p));
      return box;
    }

    function conceptCard(c) {
      var info = conceptRich.get(c);
      var box = el("div", "pkg-tip pkg-tip-concept");
      box.appendChild(el("div", "pkg-kind", typeOf(c)));
      box.appendChild(el("div", "pkg-name", names[c]));
      row(box, "Aliases", aliasesOf(c).join(", "));
      row(box, "Papers", paperCount(c));
      if (info && info.evidence) {
        var quote = el("div", "pkg-evidence");
        quote.appendChild(el("div", "pkg-snippet", "\u201c" + info.evidence.snippet + "\u201d"));
        quote.appendChild(el("div", "pkg-source", info.evidence.role + " \u2014 " + info.evidence.paper));
        box.appendChild(quote);
      }
      return box;
    }

    function edgeCard(rel, fields) {
      var box = el("div", "pkg-tip pkg-tip-edge");
      box.appendChild(el("div", "pkg-kind", rel));
      row(box, rel === "CO_OCCURS_WITH" ? "Papers together" : "Papers", fields.papers);
      row(box, "Mentions", fields.count);
      if (fields.snippet) box.appendChild(el("div", "pkg-snippet", "\u201c" + fields.snippet + "\u201d"));
      return box;
    }

    // ---- vis items -------------------------------------------------------------------
    var styles = data.style;
    var overviewLook = new Map();
    ov.concepts.forEach(function (c, k) {
      overviewLook.set(c, [ov.conceptLook[2 * k], ov.conceptLook[2 * k + 1]]);
    });

    // [node size, label font size]: bigger concepts are bigger and have bigger labels, so the
    // overview reads from the top down (the rule of visualize._look, which laid it out)
    function look(c) {
      if (overviewLook.has(c)) return overviewLook.get(c);
      var share = Math.sqrt(Math.min(paperCount(c), ov.biggest) / Math.max(ov.biggest, 1));
      return [Math.round(6 + 14 * share), Math.round(13 + 7 * share)];
    }

    function conceptItem(c, x, y) {
      var type = typeOf(c), shape = styles.nodes[type], sized = look(c);
      return {
        id: "c" + c, label: shorten(names[c], LABEL_CHARS), x: x, y: y,
        shape: shape.shape, color: shape.color, ptype: type, kind: "concept", index: c,
        size: sized[0], font: { size: sized[1] }, title: conceptCard(c), hidden: !!hiddenTypes[type]
      };
    }

    function paperItem(p, x, y) {
      var shape = styles.nodes.Paper;
      return {
        id: "p" + p, label: shorten(titleOf(p), LABEL_CHARS), x: x, y: y,
        shape: shape.shape, color: shape.color, ptype: "Paper", kind: "paper", index: p, size: 7,
        font: { size: 11 }, title: paperCard(p, false), hidden: !!hiddenTypes.Paper
      };
    }

    function mentionItem(p, c, role) {
      var rel = roles[role], look = styles.edges[rel], rich = mentionRich.get(p + ":" + c) || {};
      return {
        id: "p" + p + ">c" + c, from: "p" + p, to: "c" + c, rel: rel, arrows: "to", width: 1,
        color: { color: look.color, highlight: look.color, hover: look.color },
        title: edgeCard(rel, { count: rich.count, snippet: rich.snippet })
      };
    }

    function linkItem(l) {
      var rel = linkTypes[linkType[l]], look = styles.edges[rel], w = linkWeight[l];
      return {
        id: "l" + l, from: "c" + linkSource[l], to: "c" + linkTarget[l], rel: rel,
        arrows: "to", dashes: look.dashes, width: Math.round(Math.min(1 + Math.log2(w), 5) * 100) / 100,
        color: { color: look.color, highlight: look.color, hover: look.color },
        title: edgeCard(rel, { papers: w, snippet: linkSnippet.get(l) })
      };
    }

    function coItem(a, b, w) {
      var lo = Math.min(a, b), hi = Math.max(a, b);
      return {
        id: "co" + lo + "-" + hi, from: "c" + lo, to: "c" + hi, rel: "CO_OCCURS_WITH",
        color: { color: styles.co, highlight: "#888888", hover: "#888888" },
        width: Math.round(Math.min(1 + Math.log2(w), 6) * 100) / 100, arrows: { to: { enabled: false } },
        hidden: !showCo(), title: edgeCard("CO_OCCURS_WITH", { papers: w })
      };
    }

    // ---- the network -----------------------------------------------------------------
    var hiddenTypes = {};
    var coBox = document.getElementById("pkg-show-cooccur");
    function showCo() { return !coBox || coBox.checked; }

    var drawnConcept = new Uint8Array(C), drawnPaper = new Uint8Array(P);
    var nodes = new vis.DataSet(), edges = new vis.DataSet();

    // Adds nodes, [kind, index, x, y] each, and every edge between them and what is drawn
    // (for the overview, edges between concepts come from Python: addNodes(list, false, false)).
    function addNodes(list, coEdges, linkEdges) {
      var nodeItems = [], edgeItems = [], edgeSeen = {}, added = [];
      function edge(item) {
        if (edgeSeen[item.id] || edges.get(item.id)) return;
        edgeSeen[item.id] = true;
        edgeItems.push(item);
      }
      list.forEach(function (n) {
        var kind = n[0], i = n[1];
        if (kind === "paper" ? drawnPaper[i] : drawnConcept[i]) return;
        if (kind === "paper") {
          drawnPaper[i] = 1;
          nodeItems.push(paperItem(i, n[2], n[3]));
        } else {
          drawnConcept[i] = 1;
          nodeItems.push(conceptItem(i, n[2], n[3]));
        }
        added.push(n);
      });
      added.forEach(function (n) {
        var i = n[1], e, k;
        if (n[0] === "paper") {
          for (e = paperStart[i]; e < paperStart[i + 1]; e++) {
            if (drawnConcept[edgeConcept[e]]) edge(mentionItem(i, edgeConcept[e], edgeRole[e]));
          }
          return;
        }
        for (e = conceptStart[i]; e < conceptStart[i + 1]; e++) {
          if (drawnPaper[conceptPaper[e]]) edge(mentionItem(conceptPaper[e], i, conceptRole[e]));
        }
        for (k = linkStart[i]; k < linkStart[i + 1] && linkEdges !== false; k++) {
          var l = linkAt[k];
          if (drawnConcept[linkSource[l]] && drawnConcept[linkTarget[l]]) edge(linkItem(l));
        }
        if (coEdges) {
          strongestPartners(i, function (c) { return drawnConcept[c] && c !== i; }).forEach(function (pair) {
            edge(coItem(i, pair[0], pair[1]));
          });
        }
      });
      if (nodeItems.length) nodes.add(nodeItems);
      if (edgeItems.length) edges.add(edgeItems);
      return added.length;
    }

    // Co-occurrence from the index: papers linked to both, as CO_OCCURS_WITH's weight.
    function coCounts(c, accept) {
      var counts = new Map();
      for (var e = conceptStart[c]; e < conceptStart[c + 1]; e++) {
        var p = conceptPaper[e];
        for (var f = paperStart[p]; f < paperStart[p + 1]; f++) {
          var d = edgeConcept[f];
          if (d !== c && accept(d)) counts.set(d, (counts.get(d) || 0) + 1);
        }
      }
      return counts;
    }
    function strongestPartners(c, accept) {
      var pairs = [];
      coCounts(c, accept).forEach(function (w, d) { pairs.push([d, w]); });
      pairs.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      return pairs.slice(0, CO_TOP);
    }

    // A concept's papers, most telling first: most specific role, most concepts, then number.
    function papersOf(c) {
      var list = [];
      for (var e = conceptStart[c]; e < conceptStart[c + 1]; e++) list.push([conceptPaper[e], conceptRole[e]]);
      list.sort(function (a, b) {
        return a[1] - b[1] || conceptCount(b[0]) - conceptCount(a[0]) || a[0] - b[0];
      });
      return list.map(function (x) { return x[0]; });
    }
    function linksOf(c) {
      var list = [];
      for (var k = linkStart[c]; k < linkStart[c + 1]; k++) list.push(linkAt[k]);
      list.sort(function (a, b) { return linkWeight[b] - linkWeight[a] || a - b; });
      return list;
    }
    function conceptsOf(p) {
      var list = [];
      for (var e = paperStart[p]; e < paperStart[p + 1]; e++) list.push([edgeConcept[e], edgeRole[e]]);
      list.sort(function (a, b) { return a[1] - b[1] || a[0] - b[0]; });
      return list.map(function (x) { return x[0]; });
    }

    var coMode = !!data.cooccurrence;
    var initial = [];
    ov.concepts.forEach(function (c, k) { initial.push(["concept", c, ov.conceptXY[2 * k], ov.conceptXY[2 * k + 1]]); });
    ov.papers.forEach(function (p, k) { initial.push(["paper", p, ov.paperXY[2 * k], ov.paperXY[2 * k + 1]]); });
    addNodes(initial, false, false);
    edges.add(ov.links.map(linkItem));
    if (ov.co) {
      var coItems = [];
      for (var k = 0; k < ov.co.length; k += 3) coItems.push(coItem(ov.co[k], ov.co[k + 1], ov.co[k + 2]));
      edges.add(coItems);
    }
    var initialIds = nodes.getIds();

    var container = document.getElementById("mynetwork");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    state.network = network;
    state.nodes = nodes;
    state.edges = edges;

    // ---- opening a neighbourhood ---------------------------------------------------------
    function nodeId(kind, i) { return (kind === "paper" ? "p" : "c") + i; }

    // Positions on a sunflower spiral around a point: even spacing for any count, no physics.
    // Label boxes, as visualize._layout computes them: [centre x, centre y, width, height].
    function box(kind, i, x, y) {
      var sized = kind === "paper" ? [7, 11] : look(i);
      var label = shorten(nameOf(kind, i), LABEL_CHARS);
      return [x, y + (sized[1] + 4) / 2, Math.max(2 * sized[0], 0.6 * sized[1] * label.length) + 6,
        2 * sized[0] + sized[1] + 10];
    }
    function drawnBoxes() {
      var positions = network.getPositions(), boxes = [];
      nodes.forEach(function (n) {
        var p = positions[n.id];
        if (p) boxes.push(box(n.kind, n.index, p.x, p.y));
      });
      return boxes;
    }
    // New nodes go to the nearest free places on a spiral around a point (wider than high, as
    // labels are), so they cover neither each other nor what is drawn; nothing else moves.
    function around(center, list) {
      var boxes = drawnBoxes(), out = [], step = 14;
      list.forEach(function (n) {
        var mine = box(n[0], n[1], 0, 0), dy = mine[1], spot = null;
        for (var ring = 1; ring <= 80 && !spot; ring++) {
          // at most 40 points a ring: far out, coarser steps keep a crowded map fast
          var count = Math.min(Math.ceil(2 * Math.PI * ring), 40), turn = ring * 0.618;
          for (var k = 0; k < count && !spot; k++) {
            var a = 2 * Math.PI * (k / count + turn);
            var x = center.x + 1.4 * ring * step * Math.cos(a), y = center.y + ring * step * Math.sin(a);
            if (free(boxes, x, y + dy, mine[2], mine[3])) spot = [x, y];
          }
        }
        if (!spot) spot = [center.x, center.y];
        boxes.push([spot[0], spot[1] + dy, mine[2], mine[3]]);
        out.push([n[0], n[1], Math.round(spot[0]), Math.round(spot[1])]);
      });
      return out;
    }
    function free(boxes, x, y, w, h) {
      for (var b = 0; b < boxes.length; b++) {
        var o = boxes[b];
        if (Math.abs(o[0] - x) < (o[2] + w) / 2 && Math.abs(o[1] - y) < (o[3] + h) / 2) return false;
      }
      return true;
    }

    function viewCenter() { return network.getViewPosition(); }

    function place(kind, i) {
      if (kind === "paper" ? drawnPaper[i] : drawnConcept[i]) return;
      // next to what it is linked to and already drawn, else in the middle of the view
      var xs = 0, ys = 0, n = 0, e;
      function at(id) { var pos = network.getPosition(id); xs += pos.x; ys += pos.y; n++; }
      if (kind === "paper") {
        for (e = paperStart[i]; e < paperStart[i + 1]; e++) if (drawnConcept[edgeConcept[e]]) at("c" + edgeConcept[e]);
      } else {
        for (e = conceptStart[i]; e < conceptStart[i + 1] && n < 50; e++) if (drawnPaper[conceptPaper[e]]) at("p" + conceptPaper[e]);
      }
      addNodes(around(n ? { x: xs / n, y: ys / n } : viewCenter(), [[kind, i]]), coMode);
    }

    function expand(kind, i) {
      var center = network.getPosition(nodeId(kind, i)), list = [];
      if (kind === "paper") {
        conceptsOf(i).forEach(function (c) { if (!drawnConcept[c]) list.push(["concept", c]); });
      } else {
        papersOf(i).slice(0, NEIGHBOUR_PAPERS).forEach(function (p) { if (!drawnPaper[p]) list.push(["paper", p]); });
        linksOf(i).slice(0, NEIGHBOUR_LINKS).forEach(function (l) {
          var other = linkSource[l] === i ? linkTarget[l] : linkSource[l];
          if (!drawnConcept[other]) list.push(["concept", other]);
        });
        if (coMode) {
          strongestPartners(i, function () { return true; }).forEach(function (pair) {
            if (!drawnConcept[pair[0]]) list.push(["concept", pair[0]]);
          });
        }
      }
      var seen = {};
      list = list.filter(function (n) { var key = n[0] + n[1]; if (seen[key]) return false; seen[key] = true; return true; });
      return addNodes(around(center, list), coMode);
    }

    function openNode(kind, i) {
      results.hidden = true;
      place(kind, i);
      var added = expand(kind, i), id = nodeId(kind, i);
      network.selectNodes([id], false);
      network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: false });
      showDetails(kind, i);
      return added;
    }
    state.open = function (id) {
      var kind = id.charAt(0) === "p" ? "paper" : "concept";
      return openNode(kind, parseInt(id.slice(1), 10));
    };
    state.idOf = function (kind, text) { // a test/debug helper: the node id of a paper id or concept name
      var list = kind === "paper" ? paperIds : names, i = list.indexOf(text);
      return i < 0 ? null : nodeId(kind, i);
    };
    state.isDrawn = function (id) { return nodes.get(id) !== null; };
    state.reset = function () {
      var keep = {};
      initialIds.forEach(function (id) { keep[id] = true; });
      var drop = nodes.getIds().filter(function (id) { return !keep[id]; });
      drop.forEach(function (id) {
        if (id.charAt(0) === "p") drawnPaper[+id.slice(1)] = 0; else drawnConcept[+id.slice(1)] = 0;
      });
      nodes.remove(drop);
      edges.remove(edges.getIds({ filter: function (e) { return !nodes.get(e.from) || !nodes.get(e.to); } }));
      network.unselectAll();
      network.fit({ animation: false });
    };

    // ---- details panel -----------------------------------------------------------------
    var details = document.getElementById("pkg-details-body");
    function neighbourList(title, total, items) {
      details.appendChild(el("div", "pkg-key", title + " (" + total + ")"));
      var list = el("ul", "pkg-neighbours");
      items.forEach(function (n) {
        var li = el("li", null, shorten(nameOf(n[0], n[1]), 90));
        li.setAttribute("data-type", n[0] === "paper" ? "Paper" : typeOf(n[1]));
        li.setAttribute("data-id", nodeId(n[0], n[1]));
        li.addEventListener("click", function () { openNode(n[0], n[1]); });
        list.appendChild(li);
      });
      details.appendChild(list);
    }
    function showDetails(kind, i) {
      details.replaceChildren();
      details.className = "";
      if (kind === "paper") {
        details.appendChild(paperCard(i, true));
        var cs = conceptsOf(i);
        if (cs.length) neighbourList("Concepts", cs.length, cs.map(function (c) { return ["concept", c]; }));
        return;
      }
      details.appendChild(conceptCard(i));
      var ls = linksOf(i);
      if (ls.length) {
        neighbourList("Linked concepts", ls.length, ls.slice(0, 40).map(function (l) {
          return ["concept", linkSource[l] === i ? linkTarget[l] : linkSource[l]];
        }));
      }
      var ps = papersOf(i);
      if (ps.length) neighbourList("Papers", ps.length, ps.slice(0, 100).map(function (p) { return ["paper", p]; }));
    }
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var id = params.nodes[0];
      openNode(id.charAt(0) === "p" ? "paper" : "concept", parseInt(id.slice(1), 10));
    });

    // ---- filters -------------------------------------------------------------------------
    var typeBoxes = Array.prototype.slice.call(document.querySelectorAll("input.pkg-type-filter"));
    function applyFilters() {
      hiddenTypes = {};
      typeBoxes.forEach(function (box) { if (!box.checked) hiddenTypes[box.value] = true; });
      var nodeUpdates = [];
      nodes.forEach(function (n) {
        var hide = !!hiddenTypes[n.ptype];
        if (!!n.hidden !== hide) nodeUpdates.push({ id: n.id, hidden: hide });
      });
      if (nodeUpdates.length) nodes.update(nodeUpdates);
      var edgeUpdates = [];
      edges.forEach(function (e) {
        var hide = e.rel === "CO_OCCURS_WITH" && !showCo();
        if (!!e.hidden !== hide) edgeUpdates.push({ id: e.id, hidden: hide });
      });
      if (edgeUpdates.length) edges.update(edgeUpdates);
    }
    typeBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
    if (coBox) coBox.addEventListener("change", applyFilters);
    state.visibleNodeCount = function () {
      return nodes.get({ filter: function (n) { return !n.hidden; } }).length;
    };

    // ---- search over every paper and concept ------------------------------------------------
    // One lower-cased string per field, items separated by "\n", and where each item starts:
    // indexOf over a few MB takes milliseconds, and no per-item objects are made.
    function Haystack(text) {
      this.text = text.toLowerCase();
      var starts = [0], pos = this.text.indexOf("\n");
      while (pos !== -1) { starts.push(pos + 1); pos = this.text.indexOf("\n", pos + 1); }
      this.starts = Int32Array.from(starts);
      this.empty = text === "";
    }
    Haystack.prototype.itemAt = function (pos) {
      var lo = 0, hi = this.starts.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (this.starts[mid] <= pos) lo = mid; else hi = mid - 1;
      }
      return lo;
    };
    // calls hit(item, score) once per item containing q; score 0 exact, 1 prefix, 2 word, 3 inside
    Haystack.prototype.find = function (q, hit) {
      if (this.empty) return;
      var text = this.text, starts = this.starts, pos = text.indexOf(q);
      while (pos !== -1) {
        var i = this.itemAt(pos), start = starts[i];
        var end = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
        var at = pos - start, score;
        if (at === 0) score = end - start === q.length ? 0 : 1;
        else score = /[\s\-(\/:"']/.test(text.charAt(pos - 1)) ? 2 : 3;
        // a better match later in the same item (a word start after an inside match)
        if (score === 3) {
          var again = text.indexOf(q, pos + 1);
          while (again !== -1 && again < end) {
            if (/[\s\-(\/:"']/.test(text.charAt(again - 1))) { score = 2; break; }
            again = text.indexOf(q, again + 1);
          }
        }
        hit(i, score);
        pos = text.indexOf(q, end + 1);
      }
    };
    var nameHay = new Haystack(ix.concepts.names), aliasHay = new Haystack(ix.concepts.aliases),
      titleHay = new Haystack(ix.papers.titles), idHay = new Haystack(ix.papers.ids);
    var aliasOwner = new Int32Array(aliases.length);
    for (var c0 = 0; c0 < C; c0++) {
      for (var a0 = 0; a0 < aliasCount[c0]; a0++) aliasOwner[aliasFirst[c0] + a0] = c0;
    }

    // Every match, best first: concepts before papers at the same score; among concepts the
    // lower number has more papers (the index's order); papers by number.
    function findAll(query) {
      var q = query.trim().toLowerCase();
      if (!q || q.indexOf("\n") !== -1) return [];
      var concept = new Map(), paper = new Map();
      function best(map, i, s) { var old = map.get(i); if (old === undefined || s < old) map.set(i, s); }
      nameHay.find(q, function (i, s) { best(concept, i, s); });
      aliasHay.find(q, function (k, s) { best(concept, aliasOwner[k], s); });
      titleHay.find(q, function (p, s) { best(paper, p, s); });
      idHay.find(q, function (p, s) { if (s === 0) best(paper, p, 0); });
      var hits = [];
      concept.forEach(function (s, i) { hits.push([2 * s, i, "concept"]); });
      paper.forEach(function (s, i) { hits.push([2 * s + 1, i, "paper"]); });
      hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      return hits.map(function (h) { return { kind: h[2], index: h[1], id: nodeId(h[2], h[1]) }; });
    }

    var search = document.getElementById("pkg-search");
    var status = document.getElementById("pkg-search-status");
    var results = document.getElementById("pkg-results");
    var current = [];

    function choose(hit) {
      results.replaceChildren();
      results.hidden = true;
      openNode(hit.kind, hit.index);
    }

    function runSearch() {
      current = findAll(search.value);
      results.replaceChildren();
      if (!search.value.trim()) {
        status.textContent = "";
        results.hidden = true;
        return current;
      }
      status.textContent = current.length ? current.length + (current.length === 1 ? " match" : " matches") : "no match";
      current.slice(0, RESULTS).forEach(function (hit) {
        var li = el("li", "pkg-result");
        li.setAttribute("data-id", hit.id);
        li.setAttribute("role", "option");
        li.appendChild(el("span", "pkg-result-type", hit.kind === "paper" ? "Paper" : typeOf(hit.index)));
        li.appendChild(el("span", "pkg-result-name", shorten(nameOf(hit.kind, hit.index), 100)));
        if (hit.kind === "concept") li.appendChild(el("span", "pkg-result-count", paperCount(hit.index)));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(hit); });
        results.appendChild(li);
      });
      results.hidden = current.length === 0;
      return current;
    }
    var pending = 0;
    search.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(runSearch, 120);
    });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        clearTimeout(pending);
        var hits = runSearch();
        if (hits.length) choose(hits[0]);
      } else if (ev.key === "Escape") {
        results.hidden = true;
      }
    });
    search.addEventListener("blur", function () { results.hidden = true; });
    state.search = function (text) {
      search.value = text;
      return runSearch().map(function (hit) { return hit.id; });
    };

    var resetButton = document.getElementById("pkg-reset");
    if (resetButton) resetButton.addEventListener("click", state.reset);

    // ---- ready: the overview is drawn and search works ------------------------------------
    function finish() {
      if (state.ready) return;
      state.ready = true;
      window.paperkgReady = true;
      state.readyAt = performance.now();
      state.timing.ready = state.readyAt - started; // ms from script start: all of map.js
      document.getElementById("pkg-progress").textContent = "";
      document.body.setAttribute("data-ready", "true");
    }
    network.once("afterDrawing", finish);
    network.redraw();
  }

  // The index travels gzip-compressed (base64): a third of its JSON size. The browser's own
  // DecompressionStream inflates it; new Response() is not a fetch, so the CSP (connect-src
  // 'none') has nothing to block.
  function unpack(packed) {
    var bin = atob(packed.gzip), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  var progress = document.getElementById("pkg-progress");
  if (typeof DecompressionStream === "undefined") {
    progress.textContent = "This browser cannot open the map (it lacks DecompressionStream).";
    return;
  }
  unpack(data.index).then(start).catch(function (error) {
    progress.textContent = "The map could not be opened.";
    throw error;
  });
})();
