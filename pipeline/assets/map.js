/* paperkg map: builds tooltips, filters and search for the vis-network graph.
 * Every piece of user text goes into the page through textContent, never innerHTML. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("paperkg-data").textContent);
  var state = { ready: false, network: null, nodes: null, edges: null };
  window.paperkgMap = state;

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

  function link(parent, info) {
    var href = httpUrl(info.href);
    if (href) {
      var a = el("a", "pkg-link", info.url);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
    } else if (info.url) {
      parent.appendChild(el("div", "pkg-link", info.url));
    }
  }

  function paperCard(info, full) {
    var box = el("div", "pkg-tip pkg-tip-paper");
    box.appendChild(el("div", "pkg-kind", "Paper"));
    box.appendChild(el("div", "pkg-name", info.name));
    row(box, "Authors", (info.authors || []).join(", "));
    row(box, "Date", info.date);
    if (full) row(box, "Categories", (info.categories || []).join(", "));
    if (info.abstract) box.appendChild(el("div", "pkg-abstract", info.abstract));
    link(box, info);
    return box;
  }

  function conceptCard(info) {
    var box = el("div", "pkg-tip pkg-tip-concept");
    box.appendChild(el("div", "pkg-kind", info.type));
    box.appendChild(el("div", "pkg-name", info.name));
    row(box, "Aliases", (info.aliases || []).join(", "));
    row(box, "Papers", info.papers);
    if (info.evidence) {
      var quote = el("div", "pkg-evidence");
      quote.appendChild(el("div", "pkg-snippet", "\u201c" + info.evidence.snippet + "\u201d"));
      quote.appendChild(el("div", "pkg-source", info.evidence.role + " \u2014 " + info.evidence.paper));
      box.appendChild(quote);
    }
    return box;
  }

  function edgeCard(info) {
    var box = el("div", "pkg-tip pkg-tip-edge");
    box.appendChild(el("div", "pkg-kind", info.rel));
    if (info.rel === "CO_OCCURS_WITH") {
      row(box, "Papers together", info.weight);
    } else {
      row(box, "Mentions", info.count);
      row(box, "Papers", info.weight);
      if (info.snippet) box.appendChild(el("div", "pkg-snippet", "\u201c" + info.snippet + "\u201d"));
    }
    return box;
  }

  function nodeCard(info, full) {
    return info.kind === "Paper" ? paperCard(info, full) : conceptCard(info);
  }

  // vis-network 9.1.2 appends an Element title as is (a string would be shown via innerText).
  var nodeItems = data.nodes.map(function (n) {
    var item = Object.assign({}, n);
    item.title = nodeCard(n.info, false);
    return item;
  });
  var edgeItems = data.edges.map(function (e) {
    var item = Object.assign({}, e);
    item.title = edgeCard(e.info);
    return item;
  });

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("mynetwork");
  var progress = document.getElementById("pkg-progress");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  state.network = network;
  state.nodes = nodes;
  state.edges = edges;

  function finishLayout() {
    if (state.ready) return;
    network.setOptions({ physics: { enabled: false } });
    state.ready = true;
    progress.textContent = "";
    document.body.setAttribute("data-ready", "true");
  }
  network.on("stabilizationProgress", function (p) {
    progress.textContent = "laying out\u2026 " + Math.round((100 * p.iterations) / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", finishLayout);
  network.once("stabilized", finishLayout);
  if (data.nodes.length === 0) finishLayout();

  // ---- details panel -------------------------------------------------------
  var details = document.getElementById("pkg-details-body");
  function showDetails(nodeId) {
    var node = nodes.get(nodeId);
    details.replaceChildren();
    details.className = "";
    if (!node) return;
    details.appendChild(nodeCard(node.info, true));
    var neighbours = network.getConnectedNodes(nodeId).map(function (id) { return nodes.get(id); })
      .filter(function (n) { return n && !n.hidden; })
      .sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; });
    if (neighbours.length) {
      details.appendChild(el("div", "pkg-key", "Connected (" + neighbours.length + ")"));
      var list = el("ul", "pkg-neighbours");
      neighbours.slice(0, 40).forEach(function (n) {
        var li = el("li", null, n.label);
        li.setAttribute("data-type", n.ptype);
        li.addEventListener("click", function () { focusNodes([n.id]); });
        list.appendChild(li);
      });
      details.appendChild(list);
    }
  }
  network.on("click", function (params) {
    if (params.nodes.length) showDetails(params.nodes[0]);
  });

  // ---- filters -------------------------------------------------------------
  var typeBoxes = Array.prototype.slice.call(document.querySelectorAll("input.pkg-type-filter"));
  var coBox = document.getElementById("pkg-show-cooccur");

  function applyFilters() {
    var hiddenTypes = {};
    typeBoxes.forEach(function (box) { if (!box.checked) hiddenTypes[box.value] = true; });
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      var hide = !!hiddenTypes[n.ptype];
      if (!!n.hidden !== hide) nodeUpdates.push({ id: n.id, hidden: hide });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    var showCo = !coBox || coBox.checked;
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = e.rel === "CO_OCCURS_WITH" && !showCo;
      if (!!e.hidden !== hide) edgeUpdates.push({ id: e.id, hidden: hide });
    });
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }
  typeBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  if (coBox) coBox.addEventListener("change", applyFilters);

  state.visibleNodeCount = function () {
    return nodes.get({ filter: function (n) { return !n.hidden; } }).length;
  };

  // ---- search --------------------------------------------------------------
  var search = document.getElementById("pkg-search");
  var status = document.getElementById("pkg-search-status");
  var names = document.getElementById("pkg-names");
  var seen = {};
  data.nodes.map(function (n) { return n.info.name; }).sort().forEach(function (name) {
    if (seen[name]) return;
    seen[name] = true;
    var option = document.createElement("option");
    option.value = name;
    names.appendChild(option);
  });

  function focusNodes(ids) {
    network.selectNodes(ids, false);
    if (ids.length) {
      network.focus(ids[0], { scale: Math.max(network.getScale(), 1.0), animation: false });
      showDetails(ids[0]);
    }
  }

  function runSearch() {
    var query = search.value.trim().toLowerCase();
    if (!query) {
      network.unselectAll();
      status.textContent = "";
      return [];
    }
    var hits = nodes.get({
      filter: function (n) {
        if (n.hidden) return false;
        var hay = [n.info.name].concat(n.info.aliases || []).join("\n").toLowerCase();
        return hay.indexOf(query) !== -1;
      }
    });
    hits.sort(function (a, b) {
      var ea = a.info.name.toLowerCase() === query ? 0 : 1;
      var eb = b.info.name.toLowerCase() === query ? 0 : 1;
      return ea - eb || (b.size || 0) - (a.size || 0) || (a.id < b.id ? -1 : 1);
    });
    var ids = hits.map(function (n) { return n.id; });
    focusNodes(ids);
    status.textContent = ids.length ? ids.length + (ids.length === 1 ? " match" : " matches")
      : "no match";
    return ids;
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") runSearch(); });
  search.addEventListener("search", runSearch);
  state.search = function (text) { search.value = text; return runSearch(); };
})();
