// Step 6 Formulera frågor: every item valued in money gets a calculation block. Phones suggest
// questions ("Hur många…?", "Hur lång tid…?", "Vad kostar…?"); the console turns them into rows
// and writes the formula over the rows and the shared factors; the screen shows the questions
// and the formula with the names replaced by their labels.
import { clear, fmt, whileSending } from "../core.js";
import { limitText } from "./_limit.js";
import { catLabel, draftNode, memory, rebuild, typeTag } from "./sorting.js";

const UNITS = ["st/år", "st/månad", "st/vecka", "minuter", "timmar", "personer", "kr", "kr/st", "kr/timme", "kr/månad", "mil", "kr/mil", "%"];
// Typical formulas from the method (method.md, "Calculation").
const TEMPLATES = [
  ["t_time", "antal * (minuter_a - minuter_b) / 60 * timkostnad"],
  ["t_training", "deltagare * timmar * timkostnad"],
  ["t_expenses", "pris * antal"],
  ["t_licences", "antal * pris * 12"],
  ["t_travel", "mil * kr_per_mil"],
];
const OPS = { "*": "×", "·": "×", "⋅": "×", "×": "×", "/": "÷", "÷": "÷", "-": "−", "−": "−", "–": "−", "+": "+" };
const TOKEN = /\s*(?:(\d+(?:[ \u00a0\u202f\u2009]\d{3})*(?:\.\d+)?|\.\d+)|([A-Za-z_åäöÅÄÖ][A-Za-z0-9_åäöÅÄÖ]*)|([-+*/×·⋅÷−–])|([()])|([,;]))/y;

const norm = (s) => String(s || "").split(/\s+/).filter(Boolean).join(" ").toLowerCase();

/** Tokens of a formula being typed (the server's formula_tokens does the same for saved ones). */
function tokenise(formula, names) {
  const out = [];
  const text = formula || "";
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (!text.slice(TOKEN.lastIndex).trim()) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m || TOKEN.lastIndex === at) return [{ t: "text", v: text }];
    if (m[1] !== undefined) out.push({ t: "num", v: m[1] });
    else if (m[2] !== undefined) {
      const name = m[2];
      if (["min", "max", "round"].includes(name.toLowerCase()) && text.slice(TOKEN.lastIndex).trimStart().startsWith("(")) out.push({ t: "func", v: name.toLowerCase() });
      else {
        const info = names.get(name);
        out.push({ t: "name", v: name, label: info?.label || "", unit: info?.unit || "", kind: info?.kind || "unknown", value: info?.value });
      }
    } else if (m[3] !== undefined) out.push({ t: "op", v: OPS[m[3]] || m[3] });
    else if (m[4] !== undefined) out.push({ t: "paren", v: m[4] });
    else out.push({ t: "sep", v: "," });
  }
  return out;
}

/** A formula drawn with names as labelled chips. */
function formulaView(tokens, { el }, { showNames = false, numbers = null } = {}) {
  const line = el("p", { class: "q-formula" });
  for (const tok of tokens) {
    if (tok.t === "name") {
      const num = numbers?.get(tok.v);
      const chip = el("span", { class: `q-chip q-chip-${tok.kind}`, title: tok.v },
        num ? el("span", { class: "q-chip-num", text: String(num) }) : null,
        el("span", { class: "q-chip-label", text: tok.label || tok.v }));
      if (tok.kind === "factor" && tok.value !== undefined && tok.value !== null) chip.append(el("span", { class: "q-chip-unit", text: ` ${fmt(tok.value, 2)} ${tok.unit || ""}`.trimEnd() }));
      else if (tok.unit) chip.append(el("span", { class: "q-chip-unit", text: ` (${tok.unit})` }));
      if (showNames && tok.label) chip.append(el("code", { class: "q-chip-name", text: tok.v }));
      if (tok.kind === "unknown") chip.append(el("span", { class: "q-chip-unknown", text: " ?" }));
      line.append(chip);
    } else if (tok.t === "op") line.append(el("span", { class: "q-op", text: tok.v }));
    else line.append(el("span", { class: `q-${tok.t}`, text: tok.v }));
  }
  return line;
}

// --- phone --------------------------------------------------------------------------------

const phoneState = memory();

export function phone(ctx) {
  const { root, activity, closed, submit, t, el } = ctx;
  const cfg = activity.config || {};
  const key = `${activity.id}:${activity.generation}`;
  let results = ctx.results;
  let mine = (ctx.mine || []).filter((m) => m.status !== "deleted");
  let sig = "";
  const content = () => results?.content || { items: [] };
  const box = el("div", { class: "mk-phone q-phone" });
  const live = el("p", { class: "sr-only", "aria-live": "polite" });
  root.append(box, live);

  function draw() {
    sig = JSON.stringify(content()) + JSON.stringify(mine.map((m) => m.id || m.client_id));
    const items = content().items || [];
    clear(box);
    if (!items.length) {
      box.append(el("p", { class: "empty", text: t("questions.no_items") }));
      return;
    }
    const left = Math.max(0, (cfg.max_suggestions || 10) - mine.length);
    box.append(el("h2", { text: t("questions.pick_item") }),
      el("p", { class: "help", text: left ? t("questions.left", { n: left }) : t("questions.limit") }));
    const open = phoneState.get(`${key}:open`, items.length === 1 ? items[0].id : null);
    const list = el("ul", { class: "q-items" });
    for (const it of items) list.append(itemCard(it, open === it.id, left));
    box.append(list);
  }

  function itemCard(it, open, left) {
    const own = mine.filter((m) => m.data?.node === it.id).map((m) => m.data);
    const ownKeys = new Set(own.map((d) => norm(d.text)));
    const others = (it.suggestions || []).filter((s) => !ownKeys.has(norm(s.text)));
    const count = (it.rows || []).length;
    const bodyId = `q-body-${activity.id}-${it.id}`;
    const toggle = el("button", { type: "button", class: "q-toggle", "aria-expanded": String(open), "aria-controls": bodyId,
      dataset: { focusKey: `toggle:${it.id}` } },
      el("span", { class: "q-toggle-text" }, el("span", { class: "pick-title", text: it.title }),
        el("span", { class: "q-toggle-meta" }, typeTag(it.type, ctx), " ",
          el("span", { class: `kind-tag cat-tag cat-${it.category}`, text: catLabel(t, it.category) }))),
      el("span", { class: "badge", text: t("questions.n_rows", { n: count }) }));
    toggle.addEventListener("click", () => {
      phoneState.set(`${key}:open`, open ? null : it.id);
      rebuild(box, draw);
    });
    const li = el("li", { class: "q-item" + (open ? " open" : "") }, toggle);
    if (!open) return li;

    const body = el("div", { class: "q-body", id: bodyId });
    const qs = el("ul", { class: "q-list" });
    for (const r of it.rows || []) qs.append(el("li", {}, el("span", { text: r.label }), r.unit ? el("span", { class: "q-unit", text: r.unit }) : null));
    for (const s of others) qs.append(el("li", { class: "suggested" }, el("span", { text: s.text }), s.unit ? el("span", { class: "q-unit", text: s.unit }) : null,
      el("span", { class: "muted q-tag", text: t("questions.suggested") })));
    for (const d of own) qs.append(el("li", { class: "own" }, el("span", { text: d.text }), d.unit ? el("span", { class: "q-unit", text: d.unit }) : null,
      el("span", { class: "badge done q-tag", text: t("questions.yours") })));
    body.append(el("h3", { text: t("questions.questions") }), qs.childNodes.length ? qs : el("p", { class: "empty", text: t("questions.no_questions") }));

    const mk = `${key}:v:${it.id}`;
    const v = phoneState.get(mk, { text: "", unit: "" });
    const tid = `q-text-${activity.id}-${it.id}`;
    const uid = `q-unit-${activity.id}-${it.id}`;
    const text = el("textarea", { id: tid, rows: "2", disabled: closed || !left, "aria-describedby": `${tid}-help`,
      dataset: { focusKey: `text:${it.id}` } });
    text.value = v.text;
    const unit = el("input", { id: uid, type: "text", list: `q-units-${activity.id}`, disabled: closed || !left,
      autocomplete: "off", "aria-describedby": `${uid}-help`, value: v.unit, dataset: { focusKey: `unit:${it.id}` } });
    const starters = el("div", { class: "q-starters", role: "group", "aria-label": t("questions.starters") },
      ["s_many", "s_time", "s_cost", "s_often"].map((s) => el("button", { type: "button", class: "q-starter", disabled: closed || !left,
        onclick: () => {
          text.value = t(`questions.${s}`);
          text.dispatchEvent(new Event("input", { bubbles: true }));
          text.focus();
          text.setSelectionRange(text.value.length, text.value.length);
        } }, `${t(`questions.${s}`).trim()}…`)));
    const error = el("p", { class: "error", role: "alert" });
    const status = el("p", { class: "status", role: "status", text: phoneState.get(`${mk}:status`, "") });
    const button = el("button", { type: "submit", class: "primary big", disabled: closed || !left, text: t("questions.send") });
    const form = el("form", { class: "answer-form q-form", novalidate: true },
      el("h3", { text: t("questions.suggest") }),
      el("p", { class: "help q-starters-label", text: t("questions.starters") }), starters,
      el("label", { for: tid, text: t("questions.question") }), text, limitText(text, activity.limits?.text, { el, single: true }),
      el("p", { class: "help", id: `${tid}-help`, text: t("questions.question_help") }),
      el("label", { for: uid, text: t("questions.unit") }), unit, limitText(unit, activity.limits?.unit, { el }),
      el("p", { class: "help", id: `${uid}-help`, text: t("questions.unit_help") }),
      error, button, status);
    form.addEventListener("input", () => {
      phoneState.set(mk, { text: text.value, unit: unit.value });
      phoneState.set(`${mk}:status`, "");
      error.textContent = "";
      status.textContent = "";
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const q = text.value.split(/\s+/).filter(Boolean).join(" ");
      if (!q) {
        error.textContent = t("questions.empty");
        text.focus();
        return;
      }
      const taken = new Set([...(it.rows || []).map((r) => norm(r.label)), ...(it.suggestions || []).map((s) => norm(s.text)), ...ownKeys]);
      if (taken.has(norm(q))) {
        error.textContent = t("questions.duplicate");
        return;
      }
      status.textContent = t("sending");
      const ack = await whileSending(button, () => submit({ node: it.id, text: q, unit: unit.value.trim() }));
      if (!ack) return;
      if (ack.ok || ack.pending) {
        mine = [...mine, { data: ack.ok && ack.data ? ack.data : { node: it.id, text: q, unit: unit.value.trim() }, client_id: String(Date.now()) }];
        phoneState.drop(mk);
        phoneState.set(`${mk}:status`, ack.pending ? t("offline") : t("questions.sent"));
        live.textContent = ack.pending ? t("offline") : t("questions.sent");
        rebuild(box, draw);
        box.querySelector(`#${tid}`)?.focus();
      } else {
        status.textContent = "";
        error.textContent = ack.error?.message || t("error");
      }
    });
    body.append(form);
    li.append(body);
    return li;
  }

  root.append(el("datalist", { id: `q-units-${activity.id}` }, UNITS.map((u) => el("option", { value: u }))));
  draw();
  return {
    update(res, newMine) {
      results = res || results;
      if (newMine) mine = newMine.filter((m) => m.status !== "deleted");
      const next = JSON.stringify(content()) + JSON.stringify(mine.map((m) => m.id || m.client_id));
      if (next !== sig) rebuild(box, draw);
    },
  };
}

// --- presenter ----------------------------------------------------------------------------


export function presenter({ root, results, t, el }) {
  const agg = results.aggregate || {};
  clear(root);
  const items = agg.items || [];
  if (!agg.ready || !items.length) {
    root.append(el("p", { class: "pres-hidden", text: agg.ready ? t("questions.no_items") : t("questions.no_analysis") }));
    return;
  }
  const cols = items.length >= 3 ? " three-col" : items.length === 2 ? " two-col" : "";
  const list = el("ul", { class: "q-pres-list" + cols });
  for (const it of items) {
    // The questions are numbered; the formula's chips carry the same numbers.
    const numbers = new Map(it.rows.map((r, i) => [r.name, i + 1]));
    const qs = el("ol", { class: "q-pres-questions" });
    for (const r of it.rows) qs.append(el("li", {}, el("span", { text: r.label || r.name }), r.unit ? el("span", { class: "q-unit", text: r.unit }) : null));
    list.append(el("li", { class: "q-pres-item" },
      el("p", { class: "q-pres-title" }, el("span", { text: it.title }), " ",
        el("span", { class: `kind-tag cat-tag cat-${it.category}`, text: catLabel(t, it.category) })),
      // The formula first (it is what the block gives), the numbered questions below it.
      it.formula
        ? el("div", { class: "q-pres-formula" }, el("span", { class: "q-eq", text: t("questions.yearly_value") }), formulaView(it.formula_tokens, { el }, { numbers }))
        : el("p", { class: "muted q-pres-noformula", text: t("questions.no_formula") }),
      it.rows.length ? qs : el("p", { class: "muted", text: t("questions.no_questions") })));
  }
  root.append(list);
}

// --- console ------------------------------------------------------------------------------

const consoleState = memory();

export function console(ctx) {
  const { root, activity, results, t, el } = ctx;
  const agg = results.aggregate || {};
  const key = `${activity.id}:${activity.generation}`;
  rebuild(root, () => {
    if (!agg.ready) {
      root.append(el("p", { class: "empty", text: t("questions.no_analysis") }));
      return;
    }
    const s = agg.summary;
    root.append(el("div", { class: "mk-console-head" },
      el("p", { class: "mk-summary", text: [t("questions.summary_items", { n: fmt(s.items) }), t("questions.summary_rows", { n: fmt(s.rows) }), t("questions.summary_formulas", { n: fmt(s.formulas) }), t("questions.summary_suggestions", { n: fmt(s.suggestions) })].join(" · ") })));
    if (agg.parked && agg.parked.length) root.append(parkedBox(ctx, agg.parked, key));
    if (!agg.items.length) {
      root.append(el("p", { class: "empty", text: t("questions.no_items") }));
      return;
    }
    const d = typeof ctx.draft_data === "function" ? ctx.draft_data() : null;
    const factors = d && Array.isArray(d.factors) ? d.factors.map((f) => ({ name: f.name, label: f.label, unit: f.unit, value: f.likely })) : agg.factors || [];
    const list = el("div", { class: "mk-items" });
    for (const it of agg.items) list.append(consoleItem(ctx, it, `${key}:${it.id}`, factors));
    root.append(list);
  });
}

/** Costs of carrying out the change parked in step 2: the facilitator confirms each one as a
 *  genomförandekostnad valued in money (category, one-off or recurring), which gives it a
 *  calculation block below, or sends it back to the effects. */
function parkedBox(ctx, parked, key) {
  const { t, el } = ctx;
  const box = el("section", { class: "q-parked", "aria-labelledby": `q-parked-h-${key}` },
    el("h3", { id: `q-parked-h-${key}`, text: t("questions.parked_heading") }),
    el("p", { class: "help", text: t("questions.parked_help") }));
  const list = el("ul", { class: "q-parked-list" });
  for (const p of parked) {
    const ik = `${key}:parked:${p.id}`;
    const cat = el("select", { id: `q-park-cat-${p.id}`, dataset: { focusKey: `${ik}:cat` } },
      el("option", { value: "finansiell", text: t("questions.cat_finansiell") }),
      el("option", { value: "omfordelning", text: t("questions.cat_omfordelning") }));
    cat.value = consoleState.get(`${ik}:cat`, "finansiell");
    cat.addEventListener("change", () => consoleState.set(`${ik}:cat`, cat.value));
    const kind = el("select", { id: `q-park-kind-${p.id}`, dataset: { focusKey: `${ik}:kind` } },
      el("option", { value: "one_off", text: t("questions.one_off") }),
      el("option", { value: "running", text: t("questions.running") }));
    kind.value = consoleState.get(`${ik}:kind`, "one_off");
    kind.addEventListener("change", () => consoleState.set(`${ik}:kind`, kind.value));
    const fb = feedback(ctx, ik, "park");
    const confirm = el("button", { type: "button", class: "primary", dataset: { focusKey: `${ik}:ok` },
      "aria-label": t("questions.confirm_label", { text: p.title }), text: t("questions.confirm") });
    confirm.addEventListener("click", async () => {
      const ack = await whileSending(confirm, () => ctx.draft("node.update", { id: p.id,
        data: { status: "visible", category: cat.value, valuation: "money", cost_kind: kind.value } }));
      if (ack && !ack.ok) fb.set("error", ack.error?.message || t("error"));
    });
    const back = el("button", { type: "button", dataset: { focusKey: `${ik}:back` }, text: t("questions.send_back"),
      "aria-label": `${t("questions.send_back")}: ${p.title}` });
    back.addEventListener("click", async () => {
      const ack = await ctx.draft("node.update", { id: p.id, data: { node_type: "effekt", status: "visible" } });
      if (ack && !ack.ok) fb.set("error", ack.error?.message || t("error"));
    });
    list.append(el("li", { class: "q-parked-item", "data-id": p.id },
      el("p", { class: "q-parked-title" }, el("strong", { text: p.title }), p.cause ? el("span", { class: "muted", text: ` · ${p.cause}` }) : null),
      el("div", { class: "q-parked-form" },
        el("div", {}, el("label", { for: cat.id, text: t("questions.category") }), cat),
        el("div", {}, el("label", { for: kind.id, text: t("questions.cost_kind") }), kind),
        el("div", { class: "button-row" }, confirm, back)),
      fb.error, fb.status));
  }
  box.append(list);
  return box;
}

function consoleItem(ctx, it, ik, factors) {
  const { t, el } = ctx;
  const node = draftNode(ctx, it.id);
  const block = node ? node.block || { formula: "", hours_formula: "", rows: [] } : { formula: it.formula, hours_formula: it.hours_formula, rows: it.rows };
  const rows = block.rows || [];
  const fresh = it.suggestions.filter((s) => !s.added).length;
  const details = el("details", { class: "mk-item q-item-console", open: consoleState.get(`${ik}:open`, false) });
  details.addEventListener("toggle", () => consoleState.set(`${ik}:open`, details.open));
  details.append(el("summary", { class: "mk-item-summary" },
    el("span", { class: "mk-item-title" }, el("strong", { text: it.title }), " ", typeTag(it.type, ctx), " ",
      el("span", { class: `kind-tag cat-tag cat-${it.category}`, text: catLabel(t, it.category) })),
    el("span", { class: "muted", text: t("questions.n_rows", { n: rows.length }) }),
    block.formula ? el("span", { class: "badge done", text: t("questions.has_formula") }) : el("span", { class: "badge", text: t("questions.no_formula") }),
    fresh ? el("span", { class: "badge q-new", text: t("questions.n_suggestions", { n: fresh }) }) : null));

  const names = new Map();
  for (const f of factors) names.set(f.name, { label: f.label, unit: f.unit, kind: "factor", value: f.value });
  for (const r of rows) names.set(r.name, { label: r.label, unit: r.unit, kind: "row" });
  details.append(el("div", { class: "q-body-console" },
    suggestionsBox(ctx, it, ik, rows), rowsBox(ctx, it, ik, rows), formulaBox(ctx, it, ik, block, names, rows, factors)));
  return details;
}

function feedback({ el }, ik, slot) {
  const error = el("p", { class: "error", role: "alert", text: consoleState.get(`${ik}:${slot}:error`, "") });
  const status = el("p", { class: "status", role: "status", text: consoleState.get(`${ik}:${slot}:status`, "") });
  const set = (kind, text) => {
    consoleState.set(`${ik}:${slot}:error`, kind === "error" ? text : "");
    consoleState.set(`${ik}:${slot}:status`, kind === "status" ? text : "");
    error.textContent = kind === "error" ? text : "";
    status.textContent = kind === "status" ? text : "";
  };
  return { error, status, set };
}

/** A text field whose unsaved value survives re-renders. */
function field(ctx, ik, name, value, attrs = {}) {
  const { el } = ctx;
  const k = `${ik}:${name}`;
  const input = el(attrs.multiline ? "textarea" : "input", { ...attrs, multiline: null, type: attrs.multiline ? null : "text", dataset: { focusKey: k } });
  input.value = consoleState.get(k, value ?? "");
  input.addEventListener("input", () => consoleState.set(k, input.value));
  return input;
}

function suggestionsBox(ctx, it, ik, rows) {
  const { t, el } = ctx;
  const box = el("section", { class: "q-section" }, el("h3", { text: t("questions.suggestions") }));
  if (!it.suggestions.length) {
    box.append(el("p", { class: "empty", text: t("questions.no_suggestions") }));
    return box;
  }
  const ul = el("ul", { class: "q-suggestions" });
  const added = it.suggestions.filter((s) => s.added);
  for (const s of it.suggestions.filter((x) => !x.added)) {
    const sk = `${ik}:s${s.id}`;
    const li = el("li", { class: "q-suggestion" + (s.added ? " added" : "") },
      el("p", { class: "q-suggestion-text" }, el("span", { text: s.text }), s.unit ? el("span", { class: "q-unit", text: s.unit }) : null));
    if (consoleState.get(`${sk}:open`, false)) {
      const fb = feedback(ctx, sk, "add");
      const nameId = `q-${sk.replace(/:/g, "-")}-name`;
      const name = field(ctx, sk, "name", s.name, { id: nameId, class: "mono", maxlength: "60" });
      const label = field(ctx, sk, "label", s.text, { id: `${nameId}-label`, maxlength: "300" });
      const unit = field(ctx, sk, "unit", s.unit, { id: `${nameId}-unit`, maxlength: "40" });
      const form = el("form", { class: "q-add-form", novalidate: true },
        el("div", { class: "q-grid3" },
          el("div", {}, el("label", { for: nameId, text: t("questions.name") }), name),
          el("div", {}, el("label", { for: `${nameId}-label`, text: t("questions.label") }), label),
          el("div", {}, el("label", { for: `${nameId}-unit`, text: t("questions.unit") }), unit)),
        fb.error,
        el("div", { class: "button-row small" },
          el("button", { type: "submit", class: "primary", dataset: { focusKey: `${sk}:add` } }, t("questions.add")),
          el("button", { type: "button", onclick: () => {
            consoleState.drop(`${sk}:`);
            console(ctx);
          } }, t("cancel"))));
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const ack = await ctx.draft("row.add", { node_id: it.id, data: { name: name.value.trim(), label: label.value.trim(), unit: unit.value.trim() } });
        if (ack && ack.ok) {
          consoleState.drop(`${sk}:`);
          await ctx.moderate(s.id, "answered");
        } else fb.set("error", ack?.error?.message || t("error"));
      });
      li.append(form);
    } else {
      li.append(el("div", { class: "button-row small" },
        el("button", { type: "button", class: "primary", dataset: { focusKey: `${sk}:open` }, onclick: () => {
          consoleState.set(`${sk}:open`, true);
          console(ctx);
          document.getElementById(`q-${sk.replace(/:/g, "-")}-name`)?.focus();
        } }, t("questions.add_row")),
        el("span", { class: "mono muted q-suggested-name", text: s.name }),
        el("button", { type: "button", onclick: () => ctx.moderate(s.id, "hide") }, t("questions.hide"))));
    }
    ul.append(li);
  }
  if (ul.childNodes.length) box.append(ul);
  else box.append(el("p", { class: "empty", text: t("questions.no_new_suggestions") }));
  // Suggestions already added as rows, folded away.
  if (added.length) {
    box.append(el("details", { class: "q-added" },
      el("summary", { text: t("questions.n_added", { n: added.length }) }),
      el("ul", { class: "q-added-list" }, added.map((s) => el("li", {}, el("span", { text: s.text }), s.unit ? el("span", { class: "q-unit", text: s.unit }) : null)))));
  }
  return box;
}

function rowsBox(ctx, it, ik, rows) {
  const { t, el } = ctx;
  const box = el("section", { class: "q-section" }, el("h3", { text: t("questions.rows") }));
  const table = el("div", { class: "q-rows" },
    el("div", { class: "q-row q-row-head", "aria-hidden": "true" },
      el("span", { text: t("questions.name") }),
      el("span", { text: t("questions.label") }),
      el("span", { text: t("questions.unit") }),
      el("span", {}, el("span", { class: "sr-only", text: t("questions.save") }))));
  for (const r of rows) {
    const rk = `${ik}:r${r.id}`;
    const fb = feedback(ctx, rk, "row");
    const name = field(ctx, rk, "name", r.name, { class: "mono", maxlength: "60", "aria-label": `${t("questions.name")}: ${r.label || r.name}` });
    const label = field(ctx, rk, "label", r.label, { maxlength: "300", "aria-label": `${t("questions.label")}: ${r.name}` });
    const unit = field(ctx, rk, "unit", r.unit, { maxlength: "40", "aria-label": `${t("questions.unit")}: ${r.name}` });
    const saveRow = async () => {
      const ack = await ctx.draft("row.update", { id: r.id, data: { name: name.value.trim(), label: label.value.trim(), unit: unit.value.trim() } });
      if (ack && ack.ok) {
        consoleState.drop(`${rk}:`);
        fb.set("status", t("questions.row_saved"));
      } else fb.set("error", ack?.error?.message || t("error"));
    };
    table.append(el("div", { class: "q-row" },
      el("span", {}, name), el("span", {}, label), el("span", {}, unit),
      el("span", { class: "button-row small" },
        el("button", { type: "button", dataset: { focusKey: `${rk}:save` }, onclick: saveRow }, t("questions.save")),
        el("button", { type: "button", class: "danger", "aria-label": `${t("questions.delete")}: ${r.name}`, onclick: async () => {
          const ack = await ctx.draft("row.delete", { id: r.id });
          if (!ack?.ok) fb.set("error", ack?.error?.message || t("error"));
        } }, t("questions.delete"))),
      fb.error, fb.status));
  }
  // A new row by hand.
  const nk = `${ik}:new`;
  const fb = feedback(ctx, nk, "row");
  const name = field(ctx, nk, "name", "", { class: "mono", maxlength: "60", "aria-label": `${t("questions.new_row")}: ${t("questions.name")}`, placeholder: "antal" });
  const label = field(ctx, nk, "label", "", { maxlength: "300", "aria-label": `${t("questions.new_row")}: ${t("questions.label")}`, placeholder: "Hur många…?" });
  const unit = field(ctx, nk, "unit", "", { maxlength: "40", "aria-label": `${t("questions.new_row")}: ${t("questions.unit")}`, placeholder: "st/år" });
  table.append(el("div", { class: "q-row q-row-new" },
    el("span", {}, name), el("span", {}, label), el("span", {}, unit),
    el("span", { class: "button-row small" },
      el("button", { type: "button", class: "primary", dataset: { focusKey: `${nk}:add` }, onclick: async () => {
        const ack = await ctx.draft("row.add", { node_id: it.id, data: { name: name.value.trim(), label: label.value.trim(), unit: unit.value.trim() } });
        if (ack && ack.ok) consoleState.drop(`${nk}:`);
        else fb.set("error", ack?.error?.message || t("error"));
      } }, t("questions.add"))),
    fb.error));
  box.append(table);
  return box;
}

function formulaBox(ctx, it, ik, block, names, rows, factors) {
  const { t, el } = ctx;
  const box = el("section", { class: "q-section q-formula-box" }, el("h3", { text: t("questions.formula_heading") }));
  const fid = `q-${ik.replace(/:/g, "-")}-formula`;
  const formula = field(ctx, ik, "formula", block.formula, { id: fid, multiline: true, rows: "2", class: "mono", maxlength: "500" });
  const hours = field(ctx, ik, "hours", block.hours_formula, { id: `${fid}-hours`, multiline: true, rows: "2", class: "mono", maxlength: "500" });
  const preview = el("div", { class: "q-preview", "aria-live": "off" });
  const drawPreview = () => {
    clear(preview);
    if (formula.value.trim()) preview.append(el("span", { class: "q-eq", text: t("questions.yearly_value") }), formulaView(tokenise(formula.value, names), ctx, { showNames: true }));
  };
  formula.addEventListener("input", drawPreview);
  drawPreview();
  const fb = feedback(ctx, ik, "formula");
  let target = consoleState.get(`${ik}:target`, "formula") === "hours" ? hours : formula;
  formula.addEventListener("focus", () => { target = formula; consoleState.set(`${ik}:target`, "formula"); });
  hours.addEventListener("focus", () => { target = hours; consoleState.set(`${ik}:target`, "hours"); });

  const insert = (text) => {
    const f = target;
    const start = f.selectionStart ?? f.value.length;
    const end = f.selectionEnd ?? f.value.length;
    const before = f.value.slice(0, start);
    const after = f.value.slice(end);
    const pre = before && !/[\s(]$/.test(before) ? " " : "";
    const post = after && !/^[\s)]/.test(after) ? " " : "";
    f.value = before + pre + text + post + after;
    const caret = (before + pre + text).length;
    f.dispatchEvent(new Event("input", { bubbles: true }));
    f.focus();
    f.setSelectionRange(caret, caret);
  };

  const save = el("button", { type: "submit", class: "primary", dataset: { focusKey: `${ik}:saveformula` }, text: t("questions.save_formula") });
  const form = el("form", { class: "mk-form", novalidate: true },
    el("label", { for: fid, text: t("questions.formula") }), formula, preview,
    el("label", { for: `${fid}-hours`, text: t("questions.hours_formula") }), hours,
    fb.error, el("div", { class: "button-row" }, save), fb.status);
  form.addEventListener("input", () => fb.set("", ""));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    const ack = await ctx.draft("block.set", { node_id: it.id, data: { formula: formula.value.trim(), hours_formula: hours.value.trim() } });
    save.disabled = false;
    if (ack && ack.ok) {
      consoleState.drop(`${ik}:formula`);
      consoleState.drop(`${ik}:hours`);
      fb.set("status", t("questions.formula_saved"));
    } else fb.set("error", ack?.error?.message || t("error"));
  });

  const chips = (list, kind) => el("ul", { class: "q-names" }, list.map((n) =>
    el("li", {}, el("button", { type: "button", class: `q-name q-name-${kind}`, title: n.label || n.name,
      onclick: () => insert(n.name) },
      el("code", { text: n.name }),
      kind === "factor" && n.value !== null && n.value !== undefined ? el("span", { class: "q-name-value", text: `${fmt(n.value, 2)} ${n.unit || ""}`.trimEnd() }) :
        n.label ? el("span", { class: "q-name-value", text: n.label }) : null))));
  const palette = el("div", { class: "q-palette" },
    el("p", { class: "q-palette-title", text: t("questions.names") }),
    rows.length ? el("p", { class: "q-palette-label", text: t("questions.names_rows") }) : null,
    rows.length ? chips(rows, "row") : null,
    el("p", { class: "q-palette-label", text: t("questions.names_factors") }),
    chips(factors, "factor"),
    el("p", { class: "q-palette-title", text: t("questions.templates") }),
    el("ul", { class: "q-templates" }, TEMPLATES.map(([k, code]) => el("li", {},
      el("button", { type: "button", class: "q-template", onclick: () => insert(code), title: t("questions.insert_template") },
        el("span", { class: "q-template-name", text: t(`questions.${k}`) }), el("code", { text: code }))))));
  box.append(el("div", { class: "q-formula-grid" }, form, palette));
  return box;
}
