// The draft analysis page: everything the room and the facilitator have produced, live and
// editable. Edits go over /console as "draft" ops; the server answers every console with the
// new draft, so two facilitator tabs stay in step. A section being edited is not redrawn
// under the cursor: redraws wait until focus leaves it.
import { clear, connectionBadge, el, fmt, openSocket, t } from "./core.js";

const root = document.getElementById("draft");
const statusLine = document.getElementById("draft-status");
const socket = openSocket("/console", { workshop_id: Number(root.dataset.workshopId) });
connectionBadge(socket);
let draft = null;
let pending = false;
const choosingSize = new Set(); // items whose valuation is being set to a size: the size comes first

// A viewer's page (data-readonly): the draft live, every field and button off, no op sent.
const readOnly = root.dataset.readonly === "1";
if (readOnly) {
  const off = () => {
    for (const c of root.querySelectorAll("input, select, textarea, button")) {
      if (!c.closest("dialog") && !c.hasAttribute("data-opens")) c.disabled = true;
    }
  };
  new MutationObserver(off).observe(root, { childList: true, subtree: true });
  off();
}

const V = (group, key) => t(`vocab.${group}.${key}`);
const NODE_TYPES = ["forandring", "effekt", "nytta", "konsekvenskostnad", "genomforandekostnad", "risk", "hinder", "mojlighet", "verksamhetsmal"];
const CATEGORIES = ["finansiell", "omfordelning", "kvalitet", "miljo"];
const COUNTED = ["nytta", "konsekvenskostnad", "genomforandekostnad"];
const PERSPECTIVE_KINDS = ["egen_organisation", "invanare", "narstaende", "andra_organisationer", "samhallet"];

function op(name, args) {
  if (readOnly) return Promise.resolve({ ok: false });
  return new Promise((resolve) => {
    socket.timeout(10000).emit("draft", { op: name, args }, (err, ack) => {
      if (err) statusLine.textContent = t("offline");
      else if (!ack.ok) statusLine.textContent = ack.error.message;
      else statusLine.textContent = t("draft.saved");
      resolve(err ? { ok: false } : ack);
    });
  });
}

/** A labelled input that commits on change. `commit(value)` returns a Promise of an ack. */
function field(label, value, commit, opts = {}) {
  const id = opts.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  let input;
  if (opts.options) {
    input = el("select", { id });
    for (const [v, text] of opts.options) input.append(el("option", { value: v, text, selected: String(v) === String(value ?? "") }));
  } else if (opts.multiline) {
    input = el("textarea", { id, rows: opts.rows || 3, text: value ?? "" });
  } else {
    input = el("input", { id, value: opts.numeric ? numText(value) : value ?? "", inputmode: opts.numeric ? "decimal" : null, class: opts.numeric ? "num" : null });
  }
  const error = el("span", { class: "error field-error", role: "alert" });
  input.addEventListener("change", async () => {
    const ack = await commit(input.value);
    error.textContent = ack && !ack.ok && ack.error ? ack.error.message : "";
    input.setAttribute("aria-invalid", ack && !ack.ok ? "true" : "false");
  });
  const wrap = el("div", { class: "field" + (opts.wide ? " span" : "") }, el("label", { for: id, text: label }), input, error);
  return wrap;
}

const numOrNull = (v) => (String(v).trim() === "" ? null : String(v));
/** A stored figure in an input field the way the page's language writes it: "387,5" in
 * Swedish (no grouping, so the server's parser reads it back as it is). */
const numText = (v) => (v === null || v === undefined || v === "" ? "" : String(v).replace(".", document.documentElement.lang === "en" ? "." : ","));

// --- sections --------------------------------------------------------------------------------
function renderFacts() {
  const f = draft.facts;
  const fr = draft.frame;
  const frame = (key) => (v) => op("frame.update", { data: { [key]: v } });
  const grid = el("div", { class: "field-grid" },
    field(t("draft.name_of_change"), f.name_of_change, frame("name_of_change"), { wide: true }),
    field(t("draft.organisation"), f.organisation, frame("organisation")),
    field(t("draft.area"), f.area, frame("area")),
    field(t("draft.geography"), f.geography, frame("geography")),
    field(t("draft.status"), f.status_text, frame("status_text")),
    field(t("draft.version"), f.version, frame("version")),
    field(t("draft.contact_role"), f.contact_role, frame("contact_role")),
    field(t("draft.purpose"), f.purpose, frame("purpose"), { multiline: true, wide: true }),
    field(t("draft.start_year"), fr.start_year, (v) => op("frame.update", { data: { start_year: numOrNull(v) } }), { numeric: true }),
    field(t("draft.horizon"), fr.horizon, (v) => op("frame.update", { data: { horizon: v } }), { numeric: true }),
    field(t("draft.discount_rate"), fmt(fr.discount_rate * 100, 2), (v) => op("frame.update", { data: { discount_rate: String(Number(String(v).replace(",", ".")) / 100) } }), { numeric: true }),
    field(t("draft.convention"), fr.convention, (v) => op("frame.update", { data: { convention: v } }), { options: [["A", t("draft.convention_a")], ["B", t("draft.convention_b")]] }),
  );
  const persp = el("div", { class: "perspectives-editor" }, el("h3", { text: t("draft.perspectives") }));
  const list = fr.perspectives || [];
  const save = (next) => op("frame.update", { data: { perspectives: next } });
  list.forEach((p, i) => {
    persp.append(el("div", { class: "row persp-row" },
      field(t("draft.perspective_kind"), p.kind, (v) => save(list.map((x, j) => (j === i ? { ...x, kind: v } : x))), { options: PERSPECTIVE_KINDS.map((k) => [k, V("perspective_kind", k)]) }),
      field(t("draft.perspective_label"), p.label, (v) => save(list.map((x, j) => (j === i ? { ...x, label: v } : x)))),
      el("button", { type: "button", class: "danger small", text: t("delete"), "aria-label": `${t("delete")}: ${p.label}`, onclick: () => save(list.filter((_, j) => j !== i)) })));
  });
  // A new perspective is added with its concrete label, never with a stand-in one.
  const newKind = el("select", { id: "new-persp-kind" }, PERSPECTIVE_KINDS.map((k) => el("option", { value: k, text: V("perspective_kind", k) })));
  const newLabel = el("input", { id: "new-persp-label", maxlength: "200", autocomplete: "off" });
  const add = el("form", { class: "row persp-add", novalidate: true },
    el("div", { class: "field" }, el("label", { for: newKind.id, text: t("draft.perspective_kind") }), newKind),
    el("div", { class: "field" }, el("label", { for: newLabel.id, text: t("draft.perspective_label") }), newLabel),
    el("button", { type: "submit", text: t("draft.add_perspective") }));
  add.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const label = newLabel.value.trim();
    if (!label) {
      statusLine.textContent = t("draft.perspective_needs_label");
      newLabel.focus();
      return;
    }
    await save([...list, { kind: newKind.value, label }]);
  });
  persp.append(add);
  clear(document.getElementById("facts")).append(grid, persp);
}

/** What the frame still lacks, above the export buttons: said before a file is made. */
function renderGaps() {
  const box = clear(document.getElementById("frame-gaps"));
  const gaps = draft.frame_gaps || [];
  if (!gaps.length) return;
  box.append(el("div", { class: "notice" },
    el("strong", { text: t("draft.frame_gaps") }), " ",
    el("span", { text: gaps.map((g) => g.label).join(", ") }), ". ",
    el("span", { text: t("draft.frame_gaps_files") }), " ",
    el("a", { href: "#sec-facts", text: t("draft.fill_frame") })));
}

function renderAlternatives() {
  const alt = draft.alternatives;
  const save = (data) => op("frame.update", { data });
  const rows = alt.comparison || [];
  const table = el("table", { class: "edit-table" },
    el("caption", { text: t("draft.comparison") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("draft.aspect") }), el("th", { scope: "col", text: t("draft.alt_a") }), el("th", { scope: "col", text: t("draft.alt_b") }), el("th", { scope: "col" }, el("span", { class: "sr-only", text: t("draft.actions") })))));
  const body = el("tbody");
  rows.forEach((r, i) => {
    const upd = (key) => (v) => save({ comparison: rows.map((x, j) => (j === i ? { ...x, [key]: v } : x)) });
    body.append(el("tr", {},
      el("td", {}, field(t("draft.aspect"), r.aspect, upd("aspect"))),
      el("td", {}, field(t("draft.alt_a"), r.a, upd("a"))),
      el("td", {}, field(t("draft.alt_b"), r.b, upd("b"))),
      el("td", {}, el("button", { type: "button", class: "danger small", text: t("delete"), onclick: () => save({ comparison: rows.filter((_, j) => j !== i) }) }))));
  });
  table.append(body);
  clear(document.getElementById("alternatives")).append(
    el("div", { class: "field-grid" },
      field(t("draft.alt_a_long"), alt.a, (v) => save({ alternative_a: v }), { multiline: true, wide: true }),
      field(t("draft.alt_b_long"), alt.b, (v) => save({ alternative_b: v }), { multiline: true, wide: true })),
    table,
    el("button", { type: "button", text: t("draft.add_row"), onclick: () => save({ comparison: [...rows, { aspect: "", a: "", b: "" }] }) }));
}

function renderItems() {
  const box = clear(document.getElementById("items"));
  const checks = clear(document.getElementById("checks"));
  if (draft.checks?.length) {
    checks.append(el("div", { class: "notice" }, el("strong", { text: t("draft.chain_hints") }),
      el("ul", {}, draft.checks.map((c) => el("li", { text: c.message })))));
  }
  const perspectives = (draft.frame.perspectives || []).map((p) => [p.label, p.label]);
  for (const type of NODE_TYPES) {
    const nodes = draft.nodes.filter((n) => n.node_type === type && !n.merged_into);
    const group = el("div", { class: "node-group" }, el("h3", {}, V("node_type", type), " ", el("span", { class: "count", text: String(nodes.length) })));
    const list = el("ul", { class: "node-list" });
    for (const n of nodes) {
      const upd = (key) => (v) => op("node.update", { id: n.id, data: { [key]: v === "" ? null : v } });
      const li = el("li", { class: "node-row" + (n.status !== "visible" ? " hidden-node" : "") },
        field(t("draft.title"), n.title, (v) => op("node.update", { id: n.id, data: { title: v } }), { wide: true }));
      if (COUNTED.includes(type)) {
        li.append(
          field(t("draft.category"), n.category ?? "", upd("category"), { options: [["", "–"], ...CATEGORIES.map((c) => [c, V("category", c)])] }),
          field(t("draft.perspective"), n.perspective, (v) => op("node.update", { id: n.id, data: { perspective: v } }), { options: [["", "–"], ...perspectives] }),
          field(t("draft.valuation"), choosingSize.has(n.id) ? "size" : n.valuation, (v) => {
            // "Uppskattad storlek" is saved together with the size: ask for it first.
            if (v === "size" && n.size_score === null) {
              choosingSize.add(n.id);
              renderItems();
              document.getElementById(`size-${n.id}`)?.focus();
              statusLine.textContent = t("draft.size_required");
              return Promise.resolve({ ok: true });
            }
            choosingSize.delete(n.id);
            return upd("valuation")(v);
          }, { options: ["money", "size", "none"].map((v) => [v, V("valuation", v)]) }));
        if (n.valuation === "size" || choosingSize.has(n.id)) {
          li.append(field(t("draft.size"), n.size_score ?? "", (v) => {
            if (v === "") return Promise.resolve({ ok: false, error: { message: t("draft.size_required") } });
            choosingSize.delete(n.id);
            return op("node.update", { id: n.id, data: { valuation: "size", size_score: Number(v) } });
          }, { id: `size-${n.id}`, options: [["", t("draft.choose_size")], ...[0, 1, 2, 3].map((s) => [s, V("size", s)])] }));
        }
        if (type === "genomforandekostnad") {
          li.append(field(t("draft.cost_kind"), n.cost_kind ?? "", upd("cost_kind"), { options: [["", "–"], ["one_off", V("cost_kind", "one_off")], ["running", V("cost_kind", "running")]] }));
        }
      } else if (type === "effekt") {
        li.append(field(t("draft.perspective"), n.perspective, (v) => op("node.update", { id: n.id, data: { perspective: v } }), { options: [["", "–"], ...perspectives] }),
          field(t("draft.polarity"), n.polarity ?? "", upd("polarity"), { options: [["", "–"], ["positive", V("polarity", "positive")], ["negative", V("polarity", "negative")]] }));
      }
      if (n.status === "parked") li.append(el("p", { class: "node-parked badge", text: t("draft.parked") }));
      // A merge keeps every wording: the notes folded into this item, as written.
      if (n.variants?.length) {
        li.append(el("div", { class: "node-variants" }, el("span", { class: "muted", text: t("draft.variants") }),
          el("ul", {}, n.variants.map((v) => el("li", {}, v.title, v.polarity && v.polarity !== n.polarity ? ` (${V("polarity", v.polarity)})` : "",
            v.cause ? el("span", { class: "muted", text: ` · ${v.cause}` }) : null)))));
      }
      li.append(el("div", { class: "node-actions" },
        el("button", { type: "button", class: "small", text: n.status === "hidden" ? t("show") : t("hide"),
          onclick: () => op("node.update", { id: n.id, data: { status: n.status === "hidden" ? "visible" : "hidden" } }) }),
        el("button", { type: "button", class: "small danger", text: t("delete"), "aria-label": `${t("delete")}: ${n.title}`,
          onclick: () => window.confirm(t("draft.confirm_delete")) && op("node.delete", { id: n.id }) })));
      list.append(li);
    }
    // A new item is added with the title the facilitator writes, never a stand-in one.
    const newTitle = el("input", { id: `new-node-${type}`, maxlength: "300", autocomplete: "off" });
    const add = el("form", { class: "row add-node", novalidate: true },
      el("label", { for: newTitle.id, text: t("draft.new_item_title", { type: V("node_type", type) }) }), newTitle,
      el("button", { type: "submit", class: "small", text: `+ ${V("node_type", type)}` }));
    add.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const title = newTitle.value.trim();
      if (!title) {
        statusLine.textContent = t("draft.item_needs_title");
        newTitle.focus();
        return;
      }
      op("node.add", { data: { node_type: type, title } });
    });
    group.append(list, add);
    box.append(group);
  }
}

function renderBlocks() {
  const box = clear(document.getElementById("blocks"));
  const money = draft.nodes.filter((n) => COUNTED.includes(n.node_type) && n.valuation === "money" && n.status === "visible");
  if (!money.length) {
    box.append(el("p", { class: "empty", text: t("draft.no_money_items") }));
    return;
  }
  const items = Object.fromEntries((draft.result?.items || []).map((i) => [i.id, i]));
  for (const n of money) {
    const block = n.block || { formula: "", hours_formula: "", rows: [] };
    const res = items[String(n.id)];
    const card = el("div", { class: "block-card" },
      el("h3", {}, n.title, " ", el("span", { class: "kind-tag", text: V("node_type", n.node_type) }),
        res ? el("span", { class: "block-value", text: ` ${fmt(res.yearly_value)} kr/${t("draft.year")}` }) : null));
    if (res?.error) card.append(el("p", { class: "error", text: res.error_message || t("draft.calc_problems") }));
    const table = el("table", { class: "edit-table" },
      el("thead", {}, el("tr", {}, ...["name", "question", "unit", "low", "likely", "high", "source"].map((k) => el("th", { scope: "col", text: t(`draft.col_${k}`) })), el("th", { scope: "col" }, el("span", { class: "sr-only", text: t("draft.actions") })))));
    const body = el("tbody");
    for (const r of block.rows) {
      const upd = (key, numeric) => (v) => op("row.update", { id: r.id, data: { [key]: numeric ? numOrNull(v) : v } });
      body.append(el("tr", {},
        el("td", {}, field(t("draft.col_name"), r.name, upd("name"))),
        el("td", {}, field(t("draft.col_question"), r.label, upd("label"))),
        el("td", {}, field(t("draft.col_unit"), r.unit, upd("unit"))),
        el("td", {}, field(t("draft.col_low"), r.low, upd("low", true), { numeric: true })),
        el("td", {}, field(t("draft.col_likely"), r.likely, upd("likely", true), { numeric: true })),
        el("td", {}, field(t("draft.col_high"), r.high, upd("high", true), { numeric: true })),
        el("td", {}, field(t("draft.col_source"), r.source, upd("source"))),
        el("td", {}, el("button", { type: "button", class: "small danger", text: t("delete"), "aria-label": `${t("delete")}: ${r.name}`, onclick: () => op("row.delete", { id: r.id }) }))));
    }
    table.append(body);
    card.append(table,
      el("button", { type: "button", class: "small", text: t("draft.add_question"),
        onclick: () => op("row.add", { node_id: n.id, data: { name: `fraga_${block.rows.length + 1}`, label: "" } }) }),
      el("div", { class: "field-grid" },
        field(t("draft.formula"), block.formula, (v) => op("block.set", { node_id: n.id, data: { formula: v } }), { wide: true }),
        n.category === "omfordelning" ? field(t("draft.hours_formula"), block.hours_formula, (v) => op("block.set", { node_id: n.id, data: { hours_formula: v } }), { wide: true }) : null,
        field(t("draft.year_profile"), (n.year_profile || []).map(numText).join("; "), (v) => op("node.update", { id: n.id, data: { year_profile: v.split(/[;\s]+/).filter(Boolean).map((x) => x.replace(",", ".")) } }), { wide: true })));
    box.append(card);
  }
}

function renderFactors() {
  const table = el("table", { class: "edit-table" },
    el("thead", {}, el("tr", {}, ...["name", "question", "unit", "low", "likely", "high", "source"].map((k) => el("th", { scope: "col", text: t(k === "question" ? "draft.col_label" : `draft.col_${k}`) })))));
  const body = el("tbody");
  for (const f of draft.factors) {
    const upd = (key, numeric) => (v) => op("factor.update", { id: f.id, data: { [key]: numeric ? numOrNull(v) : v } });
    body.append(el("tr", {},
      el("td", {}, el("code", { text: f.name })),
      el("td", {}, field(t("draft.col_label"), f.label, upd("label"))),
      el("td", {}, field(t("draft.col_unit"), f.unit, upd("unit"))),
      el("td", {}, field(t("draft.col_low"), f.low, upd("low", true), { numeric: true })),
      el("td", {}, field(t("draft.col_likely"), f.likely, upd("likely", true), { numeric: true })),
      el("td", {}, field(t("draft.col_high"), f.high, upd("high", true), { numeric: true })),
      el("td", {}, field(t("draft.col_source"), f.source, upd("source")))));
  }
  table.append(body);
  const add = el("form", { class: "row add-factor" },
    el("label", { for: "new-factor", text: t("draft.new_factor") }), el("input", { id: "new-factor", name: "name", placeholder: "timkostnad_handlaggare" }),
    el("button", { type: "submit", text: t("draft.add") }));
  add.addEventListener("submit", (ev) => {
    ev.preventDefault();
    op("factor.add", { data: { name: add.elements.name.value, label: add.elements.name.value } });
  });
  clear(document.getElementById("factors")).append(table, add);
}

function renderResult() {
  const box = clear(document.getElementById("result"));
  const r = draft.result;
  if (!r) return;
  const und = r.undiscounted;
  const disc = r.discounted;
  const perKrona = (m) => (m.per_krona === null ? V("measure", "cannot_compute") : fmt(m.per_krona, 2));
  const year = (m) => (m.break_even_year === null ? V("measure", "never") : String(m.break_even_year));
  const measure = (label, a, b) => el("tr", {}, el("th", { scope: "row", text: label }), el("td", { class: "num", text: a }), el("td", { class: "num", text: b }));
  box.append(el("table", { class: "result-table" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }), el("th", { scope: "col", class: "num", text: V("measure", "undiscounted") }), el("th", { scope: "col", class: "num", text: `${V("measure", "discounted")} (${fmt(draft.frame.discount_rate * 100, 1)} %, ${draft.frame.convention})` }))),
    el("tbody", {},
      measure(V("measure", "benefits"), `${fmt(und.benefits)} kr`, `${fmt(disc.benefits)} kr`),
      measure(V("measure", "costs"), `${fmt(und.costs)} kr`, `${fmt(disc.costs)} kr`),
      measure(V("measure", "nettonytta"), `${fmt(und.nettonytta)} kr`, `${fmt(disc.nettonytta)} kr`),
      measure(V("measure", "per_krona"), perKrona(und), perKrona(disc)),
      measure(V("measure", "break_even_year"), year(und), year(disc)))));
  if (r.errors?.length) {
    box.append(el("div", { class: "notice" }, el("strong", { text: t("draft.calc_problems") }), el("ul", {}, r.errors.map((e) => el("li", { text: e.message })))));
  }
}

function renderAll() {
  if (!draft) return;
  if (root.contains(document.activeElement) && ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    pending = true; // redraw once the facilitator leaves the field
    renderResult();
    renderGaps();
    return;
  }
  pending = false;
  renderResult();
  renderGaps();
  renderFacts();
  renderAlternatives();
  renderItems();
  renderBlocks();
  renderFactors();
}

root.addEventListener("focusout", () => setTimeout(() => pending && renderAll(), 50));
socket.on("snapshot", (snap) => {
  if (snap.draft) {
    draft = snap.draft;
    renderAll();
  } else {
    socket.emit("draft_snapshot", {}, (ack) => {
      if (ack?.ok) {
        draft = ack.draft;
        renderAll();
      }
    });
  }
});
socket.on("draft", (d) => {
  draft = d;
  renderAll();
});
