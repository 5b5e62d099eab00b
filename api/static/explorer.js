// tradekg explorer: search an entity, show its neighbourhood with Cytoscape.js,
// explain every node and edge with the sentences and reports that state it.
// Plain browser JavaScript, no build step; talks only to this server's API.
"use strict";

(function () {
  // --- colours: by entity type, and by kind for organisations --------------
  const TYPE_COLOURS = {
    Person: "#e8590c", Place: "#2f9e44", Event: "#ae3ec9", Mission: "#f08c00",
    Sector: "#868e96", Agreement: "#c2255c", Program: "#0c8599", Organization: "#1971c2",
  };
  const KIND_COLOURS = {
    commission: "#1864ab", ministry: "#364fc7", agency: "#4c6ef5", diplomatic: "#5f3dc4",
    enterprise: "#1098ad", chamber: "#d6336c", park: "#66a80f", media: "#495057", other: "#748ffc",
  };
  const colourOf = (e) => (e.type === "Organization" && KIND_COLOURS[e.kind]) || TYPE_COLOURS[e.type] || "#adb5bd";

  // --- state ----------------------------------------------------------------
  let current = null; // {center, entities, relations} of the network on screen
  const documents = new Map(); // doc id -> promise of the document (with text)

  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    }
    return node;
  };

  function status(text, isError) {
    const s = $("#status");
    s.textContent = text || "";
    s.classList.toggle("error", Boolean(isError));
  }

  // --- the API ---------------------------------------------------------------
  async function api(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      for (const one of [].concat(v)) {
        if (one !== null && one !== undefined && String(one).trim() !== "") url.searchParams.append(k, String(one).trim());
      }
    }
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && body.detail) || `${res.status} ${res.statusText}`);
    return body;
  }

  function getDocument(id) {
    if (!documents.has(id)) documents.set(id, api(`/documents/${encodeURIComponent(id)}`));
    return documents.get(id);
  }

  // --- the network -------------------------------------------------------------
  const cy = cytoscape({
    container: $("#cy"),
    wheelSensitivity: 0.3,
    maxZoom: 2, // a small network should not be blown up to fill the view
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)", label: "data(label)", "font-size": 14,
          "text-wrap": "ellipsis", "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 3,
          "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1,
          "text-background-shape": "roundrectangle", "min-zoomed-font-size": 7,
          width: 22, height: 22, color: "#1f2933",
        },
      },
      // A large network names only its hubs; every name is one hover/click away.
      { selector: "node.quiet", style: { label: "" } },
      { selector: "node.quiet:selected, node.quiet.hover", style: { label: "data(label)" } },
      { selector: "node.center", style: { width: 36, height: 36, "border-width": 3, "border-color": "#1f2933", "font-weight": "bold", "font-size": 16, "text-max-width": 260, "z-index": 10 } },
      {
        selector: "edge",
        style: {
          label: "data(label)", "font-size": 12, color: "#343a40", "curve-style": "bezier", width: 1.5,
          "line-color": "#adb5bd", "target-arrow-color": "#adb5bd", "target-arrow-shape": "data(arrow)",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.9,
          "text-background-padding": 1, "min-zoomed-font-size": 6,
        },
      },
      { selector: "edge.quiet", style: { label: "" } },
      { selector: "edge.quiet:selected, edge.quiet.hover", style: { label: "data(label)" } },
      { selector: "edge[type = 'MET_WITH'], edge[type = 'SIGNED_WITH']", style: { "line-color": "#1f6feb", width: 2.5 } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#f59f00", "line-color": "#f59f00" } },
    ],
  });
  window.cy = cy; // the browser tests count nodes and edges through it
  // Cytoscape measures its container once; the toolbar and the matches line
  // above it change height with their text, so re-measure when it changes.
  new ResizeObserver(() => cy.resize()).observe($("#cy"));

  const SYMMETRIC = new Set(["MET_WITH", "SIGNED_WITH"]);

  // Above BUSY nodes only hubs (and the centre) carry a label; above
  // BUSY_EDGES relations only those touching the centre carry theirs.
  const BUSY = 60;
  const BUSY_EDGES = 30;
  const HUB_DEGREE = 3;

  // A small seeded generator (mulberry32): cose draws random numbers when
  // nodes coincide; seeding them makes the same graph lay out the same way.
  function seeded(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function hashOf(text) {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return h >>> 0;
  }

  const byId = (a, b) => (a.data.id < b.data.id ? -1 : a.data.id > b.data.id ? 1 : 0);

  function draw(net) {
    current = net;
    const showSectors = $("#show-sectors").checked;
    const shown = Object.values(net.entities).filter((e) => showSectors || e.type !== "Sector" || e.id === net.center);
    const ids = new Set(shown.map((e) => e.id));
    const nodes = shown.map((e) => ({
      group: "nodes",
      data: { id: e.id, label: e.name, type: e.type, kind: e.kind || "", colour: colourOf(e) },
      classes: e.id === net.center ? "center" : "",
    })).sort(byId);
    const edges = net.relations
      .filter((r) => ids.has(r.source) && ids.has(r.target))
      .map((r) => ({
        group: "edges",
        data: { id: r.id, source: r.source, target: r.target, label: r.type, type: r.type,
                arrow: SYMMETRIC.has(r.type) ? "none" : "triangle" },
      })).sort(byId);
    const centre = net.entities[net.center];
    const hidden = Object.keys(net.entities).length - nodes.length;
    $("#graph-title").textContent = `${centre ? centre.name : net.center}: ${nodes.length} entities, ${edges.length} relations`
      + (hidden ? ` (${hidden} sectors hidden)` : "");
    cy.elements().remove();
    cy.resize(); // after the title above it took its height
    cy.add(nodes.concat(edges));
    if (nodes.length > BUSY) {
      cy.nodes().forEach((n) => { if (!n.hasClass("center") && n.degree(false) < HUB_DEGREE) n.addClass("quiet"); });
    }
    if (edges.length > BUSY_EDGES) {
      cy.edges().forEach((e) => { if (e.source().id() !== net.center && e.target().id() !== net.center) e.addClass("quiet"); });
    }
    // The same graph, the same picture: start from a circle in id order and
    // run cose with a random generator seeded by the graph itself.
    const n = cy.nodes().length;
    cy.nodes().forEach((node, i) => {
      node.position({ x: 300 * Math.cos((2 * Math.PI * i) / n), y: 300 * Math.sin((2 * Math.PI * i) / n) });
    });
    const area = 160 * 112 * (n + 1);
    const aspect = Math.min(2, Math.max(0.5, cy.width() / Math.max(1, cy.height())));
    const random = Math.random;
    Math.random = seeded(hashOf(nodes.map((x) => x.data.id).join("|") + "#" + edges.map((x) => x.data.id).join("|")));
    try {
      cy.layout({
        name: "cose", animate: false, randomize: false, nodeRepulsion: () => 400000, idealEdgeLength: () => 90,
        nodeOverlap: 60, gravity: 0.25, numIter: 2000, componentSpacing: 100,
        // A box that grows with the graph keeps the density fixed; its shape
        // follows the view's (a phone's is tall), so the fit fills it.
        boundingBox: { x1: 0, y1: 0, w: Math.sqrt(area * aspect), h: Math.sqrt(area / aspect) },
      }).run();
    } finally {
      Math.random = random;
    }
    cy.fit(undefined, 30);
    drawLegend(shown);
    const hops = $("#hops").value;
    const q = `?entity=${encodeURIComponent(net.center)}&hops=${hops}`;
    $("#export-gexf").href = `/export/gexf${q}`;
    $("#export-graphml").href = `/export/graphml${q}`;
  }

  $("#show-sectors").addEventListener("change", () => { if (current) draw(current); });
  cy.on("mouseover", "node, edge", (evt) => evt.target.addClass("hover"));
  cy.on("mouseout", "node, edge", (evt) => evt.target.removeClass("hover"));

  // The colour goes through the CSSOM: a style="" attribute would be inline
  // style, which the Content-Security-Policy refuses.
  function swatch(label, colour) {
    const node = el("span", {}, label);
    node.style.setProperty("--c", colour);
    return node;
  }

  function drawLegend(entities) {
    const seen = new Map();
    for (const e of entities) {
      const key = e.type === "Organization" && e.kind ? e.kind : e.type;
      seen.set(key, colourOf(e));
    }
    const legend = $("#legend");
    legend.replaceChildren(...[...seen].map(([k, c]) => swatch(k, c)));
  }

  async function showNetwork(entityId) {
    status("Loading network…");
    try {
      const net = await api("/neighbourhood", { entity: entityId, hops: $("#hops").value });
      draw(net);
      status("");
      showEntity(net.center);
    } catch (err) {
      status(err.message, true);
    }
  }

  cy.on("tap", "node", (evt) => showEntity(evt.target.id()));
  cy.on("tap", "edge", (evt) => showRelation(evt.target.id()));

  // --- search ------------------------------------------------------------------
  async function search(q) {
    const list = $("#matches");
    list.hidden = true;
    try {
      const page = await api("/entities", { q, limit: 10 });
      if (!page.items.length) {
        status(`Nothing found for “${q}”`, true);
        return;
      }
      showNetwork(page.items[0].id);
      if (page.items.length > 1) {
        list.replaceChildren(...page.items.slice(1).map((e) => el("li", {
          tabindex: "0",
          title: [e.type, e.kind, e.country].filter(Boolean).join(" · "),
          onclick: () => showNetwork(e.id),
        }, e.name)));
        list.hidden = false;
      }
    } catch (err) {
      status(err.message, true);
    }
  }

  $("#search").addEventListener("submit", (evt) => {
    evt.preventDefault();
    search($("#q").value.trim());
  });

  // --- the details panel ------------------------------------------------------
  function selectTab(name) {
    for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
    for (const t of document.querySelectorAll(".tab")) t.hidden = t.id !== `tab-${name}`;
  }
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => selectTab(b.dataset.tab));

  const nameOf = (id) => (current && current.entities[id] ? current.entities[id].name : id);

  // The sentence around characters start..end of a report: an entity's
  // evidence is the mention itself, which means little without its sentence.
  function sentenceAround(text, start, end) {
    let a = start;
    while (a > 0 && start - a < 300 && !/[.!?\n]/.test(text[a - 1])) a--;
    let b = end;
    while (b < text.length && b - end < 300 && !/[.!?\n]/.test(text[b])) b++;
    if (b < text.length && text[b] !== "\n") b++;
    return [text.slice(a, start).trimStart(), text.slice(start, end), text.slice(end, b).trimEnd()];
  }

  function evidenceBlock(ev, widen) {
    const quote = el("blockquote", { class: "evidence" }, ev.text);
    const source = el("span", { class: "source" }, ev.date ? `${ev.date} · ` : "");
    const open = el("button", { type: "button", onclick: () => showReport(ev.doc_id, ev.start, ev.end) }, "report");
    source.append(open);
    quote.append(source);
    getDocument(ev.doc_id).then((d) => {
      open.textContent = d.title || d.source;
      if (widen && d.text.slice(ev.start, ev.end) === ev.text) {
        const [before, mention, after] = sentenceAround(d.text, ev.start, ev.end);
        quote.replaceChildren(before, el("mark", {}, mention), after, source);
      }
    }).catch(() => {});
    return quote;
  }

  function entityLink(id, label) {
    return el("a", { class: "link", onclick: () => showEntity(id) }, label || nameOf(id));
  }

  async function showEntity(id) {
    selectTab("details");
    const panel = $("#details");
    try {
      const d = await api(`/entities/${encodeURIComponent(id)}`);
      const e = d.entity;
      const meta = [e.type, e.kind, e.country, e.attrs && e.attrs.title].filter(Boolean).join(" · ");
      const rels = d.relations.map((r) => {
        const other = r.source === e.id ? r.target : r.source;
        const otherName = (d.related[other] && d.related[other].name) || other;
        const arrow = r.source === e.id ? `${r.type} →` : `← ${r.type}`;
        return el("div", { class: "rel" },
          el("a", { class: "link", onclick: () => showRelation(r.id, r, e.id === r.source ? e.name : otherName, e.id === r.target ? e.name : otherName) }, arrow),
          " ", entityLink(other, otherName), r.date ? ` (${r.date})` : "");
      });
      panel.replaceChildren(el("div", { class: "facts" },
        el("h2", {}, e.name),
        el("div", { class: "meta" }, meta),
        e.aliases.length ? el("div", {}, "Also called: ", e.aliases.join(", ")) : null,
        el("div", {}, el("a", { class: "link", onclick: () => showNetwork(e.id) }, "Show its network"), " · ",
          el("a", { class: "link edit-entity", onclick: (evt) => { evt.target.closest(".facts").querySelector(".entity-edit").hidden = false; } }, "Edit")),
        editForm(e),
        el("h3", {}, `Relations (${d.relations.length})`),
        rels.length ? rels : el("p", { class: "empty" }, "none"),
        el("h3", {}, "Mentioned in"),
        e.evidence.length ? e.evidence.slice(0, 8).map((ev) => evidenceBlock(ev, true)) : el("p", { class: "empty" }, "no mentions recorded"),
        // Why later reports' mentions were taken for this entity (graph.resolve).
        (d.merges || []).length ? el("h3", {}, `Joined from other reports (${d.merges.length})`) : null,
        (d.merges || []).map((m) => el("div", { class: "merge" },
          `${m.reason} (${m.score.toFixed(2)}): “${m.form}”, report ${m.doc_id.slice(0, 8)}`)),
      ));
    } catch (err) {
      panel.replaceChildren(el("p", { class: "empty" }, err.message));
    }
  }

  function showRelation(id, rel, sourceName, targetName) {
    selectTab("details");
    const r = rel || (current && current.relations.find((x) => x.id === id));
    if (!r) return;
    const panel = $("#details");
    panel.replaceChildren(el("div", { class: "facts" },
      el("h2", {}, r.type),
      el("div", { class: "meta" },
        entityLink(r.source, sourceName), SYMMETRIC.has(r.type) ? " — " : " → ", entityLink(r.target, targetName)),
      el("div", {}, [r.date ? `Date: ${r.date}` : "No date stated", ` · confidence ${Number(r.confidence).toFixed(2)}`]),
      el("h3", {}, `Stated in (${r.evidence.length})`),
      r.evidence.map((ev) => evidenceBlock(ev, false)),
    ));
  }

  async function showReport(docId, start, end) {
    selectTab("details");
    const panel = $("#details");
    try {
      const d = await getDocument(docId);
      const text = d.text;
      const body = el("div", { class: "report-text" },
        text.slice(0, start), el("mark", {}, text.slice(start, end)), text.slice(end));
      panel.replaceChildren(el("div", { class: "facts" },
        el("h2", {}, d.title || d.source), el("div", { class: "meta" }, [d.date, d.source].filter(Boolean).join(" · ")),
        body));
      const mark = body.querySelector("mark");
      if (mark) mark.scrollIntoView({ block: "center" });
    } catch (err) {
      panel.replaceChildren(el("p", { class: "empty" }, err.message));
    }
  }

  // --- who met whom -------------------------------------------------------------
  const formValues = (form) => Object.fromEntries(new FormData(form).entries());
  const list = (text) => String(text || "").split(",").map((s) => s.trim()).filter(Boolean);

  $("#meetings-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const out = $("#meetings-results");
    out.replaceChildren(el("p", { class: "hint" }, "Searching…"));
    try {
      const page = await api("/who-met-whom", { ...formValues(evt.target), limit: 100 });
      if (!page.items.length) { out.replaceChildren(el("p", { class: "empty" }, "No meetings found.")); return; }
      out.replaceChildren(el("table", {},
        el("thead", {}, el("tr", {}, ["Who", "Met", "When", "Where", "Evidence"].map((h) => el("th", {}, h)))),
        el("tbody", {}, page.items.map((m) => el("tr", {},
          el("td", {}, entityLink(m.a.id, m.a.name)),
          el("td", {}, entityLink(m.b.id, m.b.name), m.via.length ? el("div", { class: "hint" }, `via ${m.via.map((v) => v.name).join(", ")}`) : null),
          el("td", {}, m.last_date || m.first_date || ""),
          el("td", {}, m.places.join(", ")),
          el("td", {}, m.evidence.length ? m.evidence[0].text : ""),
        )))));
    } catch (err) {
      out.replaceChildren(el("p", { class: "empty" }, err.message));
    }
  });

  // --- partner candidates -------------------------------------------------------
  $("#partners-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const out = $("#partners-results");
    out.replaceChildren(el("li", { class: "hint" }, "Ranking…"));
    try {
      const rows = await api("/partners", formValues(evt.target));
      if (!rows.length) { out.replaceChildren(el("li", { class: "empty" }, "No candidates found.")); return; }
      out.replaceChildren(...rows.map((p) => el("li", { class: "candidate" },
        entityLink(p.organization.id, p.organization.name),
        el("span", { class: "score" }, ` ${[p.organization.kind, p.organization.country].filter(Boolean).join(" · ")} · score ${p.score.toFixed(2)}`),
        el("ul", {}, p.reasons.map((r) => el("li", {}, r))),
      )));
    } catch (err) {
      out.replaceChildren(el("li", { class: "empty" }, err.message));
    }
  });

  // --- contacts for a future mission -------------------------------------------
  $("#contacts-form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const v = formValues(evt.target);
    const out = $("#contacts-results");
    out.replaceChildren(el("li", { class: "hint" }, "Ranking…"));
    try {
      const rows = await api("/recommendations", {
        origin: v.origin, country: list(v.countries), sector: list(v.sectors),
        include_known: evt.target.elements.include_known.checked ? "true" : null,
      });
      if (!rows.length) { out.replaceChildren(el("li", { class: "empty" }, "No contacts found.")); return; }
      out.replaceChildren(...rows.map((r) => {
        const warm = r.warm_path.length
          ? el("div", { class: "warm" }, "Warm introduction: ",
            [r.warm_path[0].source.name, ...r.warm_path.map((h) => h.target.name)].join(" → "))
          : null;
        return el("li", { class: "recommendation" },
          entityLink(r.entity.id, r.entity.name),
          el("span", { class: "score" }, ` ${[r.entity.kind || r.entity.type, r.entity.country].filter(Boolean).join(" · ")} · score ${r.score.toFixed(2)}`),
          r.already_met ? el("span", { class: "known" }, " · already met") : null,
          el("ul", {}, r.reasons.map((x) => el("li", {}, x))),
          warm);
      }));
    } catch (err) {
      out.replaceChildren(el("li", { class: "empty" }, err.message));
    }
  });

  // --- review mode: accept or reject facts, one key each --------------------------
  // The key is asked for only when the user first decides, and kept in
  // sessionStorage: gone when the tab closes, never sent to another site.
  const KEY_STORE = "tradekg.curateKey";
  const review = { queue: [], total: 0, busy: false, pending: null, skipped: new Set() };

  const storedKey = () => window.sessionStorage.getItem(KEY_STORE);

  function showWho() {
    const has = Boolean(storedKey());
    $("#review-who").textContent = has ? "Curating with your key" : "";
    $("#review-forget").hidden = !has;
  }

  async function send(method, path, body) {
    const headers = { Accept: "application/json", "Content-Type": "application/json" };
    const key = storedKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    const res = await fetch(new URL(path, window.location.origin), { method, headers, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => null);
    if (!res.ok) {
      const err = new Error((answer && answer.detail) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      throw err;
    }
    return answer;
  }

  // The entities' names inside the marked span, in bold: an evidence span is
  // often the whole sentence, and the names are what the eye looks for.
  function withNames(text, entities) {
    const forms = entities.flatMap((e) => [e.name, ...(e.aliases || [])]).filter((f) => f && f.length > 1);
    const escaped = forms.sort((a, b) => b.length - a.length).map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (!escaped.length) return [text];
    // Whole words only: "Vietnam" is not bold inside "Vietnamese".
    const parts = text.split(new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join("|")})(?![\\p{L}\\p{N}])`, "iu"));
    return parts.map((p, i) => (i % 2 ? el("strong", {}, p) : p));
  }

  function markedSentence(ev, entities) {
    const s = ev.sentence;
    const where = [ev.date, ev.source.split("/").pop()].filter(Boolean).join(" · ");
    return el("blockquote", { class: "evidence" },
      s.slice(0, ev.span_start), el("mark", {}, withNames(s.slice(ev.span_start, ev.span_end), entities)),
      s.slice(ev.span_end), el("span", { class: "source" }, where));
  }

  function showReviewItem() {
    const out = $("#review-item");
    const item = review.queue[0];
    $("#review-progress").textContent = review.total
      ? `${review.total} facts to check, the least certain first` : "";
    if (!item) {
      out.replaceChildren(el("p", { class: "empty" }, "Nothing left to review."));
      return;
    }
    const r = item.relation;
    out.replaceChildren(
      el("div", { class: "fact" },
        entityLink(item.source.id, item.source.name), " ",
        el("span", { class: "type" }, r.type), " ",
        entityLink(item.target.id, item.target.name)),
      el("div", { class: "meta hint" }, `confidence ${Number(r.confidence).toFixed(2)} · ${item.degree} relations at the busier end`),
      ...item.evidence.slice(0, 3).map((ev) => markedSentence(ev, [item.source, item.target])),
      item.evidence.length ? "" : el("p", { class: "empty" }, "no sentence recorded"),
    );
  }

  async function loadReview() {
    try {
      const page = await api("/review", { limit: 50 });
      review.queue = page.items.filter((i) => !review.skipped.has(i.relation.id));
      review.total = page.total;
      showReviewItem();
    } catch (err) {
      $("#review-item").replaceChildren(el("p", { class: "empty" }, err.message));
    }
  }

  function nextItem() {
    review.queue.shift();
    if (review.queue.length) showReviewItem();
    else loadReview();
  }

  function askForKey(then) {
    review.pending = then;
    const form = $("#key-form");
    form.hidden = false;
    $("#key-input").focus();
  }

  async function decide(kind) {
    const item = review.queue[0];
    if (!item || review.busy) return;
    if (!storedKey()) { askForKey(() => decide(kind)); return; }
    const r = item.relation;
    review.busy = true;
    try {
      const made = await send("POST", "/corrections", { kind, relation_type: r.type, source: r.source, target: r.target });
      const word = kind === "accept" ? "accepted" : "rejected";
      status(`${r.type} ${item.source.name} – ${item.target.name} ${word} by ${made.by}`);
      review.total = Math.max(0, review.total - 1);
      nextItem();
    } catch (err) {
      status(err.message, true);
      if (err.status === 401 || err.status === 403) {
        window.sessionStorage.removeItem(KEY_STORE);
        showWho();
        $("#review-item").prepend(el("p", { class: "empty refused" }, `Refused: ${err.message}`));
      }
    } finally {
      review.busy = false;
    }
  }

  $("#key-form").addEventListener("submit", (evt) => {
    evt.preventDefault();
    const key = $("#key-input").value.trim();
    if (!key) return;
    window.sessionStorage.setItem(KEY_STORE, key);
    $("#key-input").value = "";
    evt.target.hidden = true;
    showWho();
    const then = review.pending;
    review.pending = null;
    if (then) then();
  });
  $("#key-cancel").addEventListener("click", () => { $("#key-form").hidden = true; review.pending = null; });
  $("#review-forget").addEventListener("click", () => { window.sessionStorage.removeItem(KEY_STORE); showWho(); });
  $("#review-accept").addEventListener("click", () => decide("accept"));
  $("#review-reject").addEventListener("click", () => decide("reject"));
  $("#review-next").addEventListener("click", () => {
    if (review.queue.length) review.skipped.add(review.queue[0].relation.id); // for this visit only
    nextItem();
  });

  document.querySelector(".tabs button[data-tab=review]").addEventListener("click", () => {
    showWho();
    if (!review.queue.length) loadReview();
  });

  // One key per decision, while the review tab is open and no field is being typed in.
  document.addEventListener("keydown", (evt) => {
    if ($("#tab-review").hidden || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (evt.target.closest && evt.target.closest("input, textarea, select")) return;
    const action = { a: () => decide("accept"), r: () => decide("reject"), j: () => $("#review-next").click() }[evt.key];
    if (action) { evt.preventDefault(); action(); }
  });

  // --- entity edits: kind, country, aliases (a correction, like review) -------------
  const KINDS = {
    Organization: ["commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"],
    Place: ["country", "region", "city"],
  };

  function entityChanges(form, e) {
    const changes = {};
    const kind = form.elements.kind ? form.elements.kind.value : (e.kind || "");
    if (kind !== (e.kind || "")) changes.kind = kind || null;
    const country = form.elements.country.value.trim().toUpperCase();
    if (country !== (e.country || "")) changes.country = country || null;
    const add = list(form.elements.aliases_add.value);
    if (add.length) changes.aliases_add = add;
    const remove = [...form.querySelectorAll("input[name=alias_remove]:checked")].map((c) => c.value);
    if (remove.length) changes.aliases_remove = remove;
    return changes;
  }

  function editForm(e) {
    const kinds = KINDS[e.type];
    const form = el("form", { class: "entity-edit", hidden: "" },
      kinds ? el("label", { for: "edit-kind" }, "Kind") : null,
      kinds ? el("select", { id: "edit-kind", name: "kind" },
        el("option", { value: "" }, "(none)"),
        kinds.map((k) => el("option", Object.assign({ value: k }, k === e.kind ? { selected: "" } : {}), k))) : null,
      el("label", { for: "edit-country" }, "Country"),
      el("input", { id: "edit-country", name: "country", value: e.country || "", maxlength: "2", placeholder: "ISO code, e.g. KZ" }),
      el("label", { for: "edit-aliases" }, "Add aliases"),
      el("input", { id: "edit-aliases", name: "aliases_add", placeholder: "comma-separated" }),
      e.aliases.length ? el("span", {}, "Remove") : null,
      e.aliases.length ? el("span", { class: "aliases" }, e.aliases.map((a) =>
        el("label", {}, el("input", { type: "checkbox", name: "alias_remove", value: a }), ` ${a}`))) : null,
      el("label", { for: "edit-why" }, "Why"),
      el("input", { id: "edit-why", name: "why", placeholder: "a note kept with the correction" }),
      el("button", { type: "submit" }, "Save correction"));
    form.addEventListener("submit", (evt) => {
      evt.preventDefault();
      saveEntity(form, e);
    });
    return form;
  }

  async function saveEntity(form, e) {
    const changes = entityChanges(form, e);
    if (!Object.keys(changes).length) { status("Nothing changed"); return; }
    if (!storedKey()) { askForKey(() => saveEntity(form, e)); return; }
    try {
      const made = await send("POST", "/corrections", { kind: "entity", entity_id: e.id, changes, why: form.elements.why.value });
      status(`${e.name} corrected by ${made.by}`);
      showEntity(e.id);
    } catch (err) {
      status(err.message, true);
      if (err.status === 401 || err.status === 403) { window.sessionStorage.removeItem(KEY_STORE); showWho(); }
    }
  }

  // --- exports of the current view ----------------------------------------------
  $("#export-png").addEventListener("click", () => {
    const uri = cy.png({ full: true, scale: 2, bg: "#ffffff" });
    const a = el("a", { href: uri, download: "tradekg-network.png" });
    document.body.append(a);
    a.click();
    a.remove();
  });
  $("#fit").addEventListener("click", () => cy.fit(undefined, 30));

  // Prefill the mission form with what is on screen, a small convenience.
  cy.on("add", () => {
    const origin = $("#contacts-form").elements.origin;
    if (current && !origin.value) origin.value = nameOf(current.center);
  });

  // A link like /?entity=NAME opens straight on that network.
  const start = new URLSearchParams(window.location.search).get("entity");
  if (start) { $("#q").value = start; search(start); }
})();
