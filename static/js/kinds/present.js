// Step 9 Dokumentera och presentera: the draft as a few slides the facilitator steps through
// from the console (the current part is the activity's `section` setting, so the presenter
// follows). Phones get a thank-you screen with the result in brief.
import { clear } from "../core.js";
import { accumulatedChart, kr, tornadoChart } from "../result_charts.js";
import { headline, resultBoard, settingsText } from "./calculate.js";

const CATEGORIES = ["finansiell", "omfordelning", "kvalitet", "miljo"];
const LIST_SHOWN = 7;

function sectionName(t, key) {
  return t(`present.section.${key}`);
}

function shortList(el, t, items, render) {
  if (!items.length) return el("p", { class: "muted", text: t("present.no_items") });
  const list = el("ul", { class: "present-list" }, items.slice(0, LIST_SHOWN).map((it) => el("li", {}, render(it))));
  if (items.length > LIST_SHOWN) list.append(el("li", { class: "muted", text: `+ ${items.length - LIST_SHOWN}` }));
  return list;
}

function itemLine(el, t, it) {
  const tags = [];
  if (it.valuation === "money") tags.push(el("span", { class: "present-tag money", text: t("present.valued_money") }));
  else if (it.size) tags.push(el("span", { class: "present-tag", text: it.size }));
  return [el("span", { text: it.title }), ...tags.map((x) => [" ", x])].flat();
}

function titleSection(el, t, agg) {
  const f = agg.facts;
  const s = agg.result.settings;
  const where = [f.organisation, f.area, f.geography].filter(Boolean).join(" · ");
  const out = el("div", { class: "present-title" },
    el("p", { class: "present-change", text: f.name_of_change || f.change || t("present.not_written") }));
  if (f.change && f.change !== f.name_of_change) out.append(el("p", { class: "present-lead", text: f.change }));
  if (where) out.append(el("p", { class: "present-where", text: where }));
  if (f.purpose) out.append(el("p", { class: "present-purpose", text: f.purpose }));
  out.append(el("p", { class: "present-frame muted", text: s.start_year
    ? t("present.horizon", { n: s.horizon, y: s.start_year }) : t("present.horizon_plain", { n: s.horizon }) }));
  if (agg.perspectives.length) {
    out.append(el("ul", { class: "present-chips", "aria-label": t("present.perspectives") },
      agg.perspectives.map((p) => el("li", { text: p.label }))));
  }
  return out;
}

function alternativesSection(el, t, agg) {
  const a = agg.alternatives;
  if (!a.a && !a.b && !a.comparison.length) return el("p", { class: "muted present-alt-missing", text: t("alternatives_not_written") });
  const col = (cls, title, text) => el("div", { class: `present-alt ${cls}` },
    el("h3", { text: title }), el("p", { text: text || t("present.not_written") }));
  const out = el("div", { class: "present-alts" },
    el("div", { class: "present-alt-cols" }, col("a", t("present.alt_a"), a.a), col("b", t("present.alt_b"), a.b)));
  if (a.comparison.length) {
    out.append(el("table", { class: "present-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("present.aspect") }),
        el("th", { scope: "col", text: "A" }), el("th", { scope: "col", text: "B" }))),
      el("tbody", {}, a.comparison.slice(0, 6).map((r) => el("tr", {},
        el("th", { scope: "row", text: r.aspect }), el("td", { text: r.a }), el("td", { text: r.b }))))));
  }
  return out;
}

function benefitsSection(el, t, agg) {
  const cols = CATEGORIES.map((c) => el("section", { class: `present-col cat-${c}` },
    el("h3", {}, t(`calculate.category.${c}`), el("span", { class: "present-count", text: ` ${agg.benefits[c].length}` })),
    shortList(el, t, agg.benefits[c], (it) => itemLine(el, t, it))));
  const costs = el("section", { class: "present-col costs" },
    el("h3", {}, t("present.costs"), el("span", { class: "present-count", text: ` ${agg.costs.length}` })),
    shortList(el, t, agg.costs, (it) => itemLine(el, t, it)));
  return el("div", { class: "present-benefits" },
    el("p", { class: "present-lead", text: t("present.effects_n", { n: agg.effect_count }) }),
    el("div", { class: "present-cols" }, cols, costs));
}

// Returns a node, or {node, draw} when a chart must be drawn at its measured size.
function resultSection(el, t, agg, size) {
  const r = agg.result;
  if (!r.counts.money) return el("p", { class: "muted", text: t("calculate.no_draft") });
  if (size === "large") return resultBoard(el, t, r, { discounted: true, tornado: false });
  return el("div", { class: "present-result" },
    headline(el, t, r, { discounted: true, size }),
    el("p", { class: "calc-settings", text: settingsText(r.settings, t) }),
    accumulatedChart(el, { benefits: r.discounted.accumulated_benefits, costs: r.discounted.accumulated_costs,
      breakEven: r.discounted.break_even_year, startYear: r.settings.start_year, size: "normal" }));
}

function uncertaintySection(el, t, agg) {
  const r = agg.result;
  const names = { low: t("calculate.all_low"), likely: t("calculate.all_likely"), high: t("calculate.all_high") };
  const table = el("table", { class: "present-table present-scenarios" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("calculate.scenario") }),
      el("th", { scope: "col", class: "num", text: t("calculate.nettonytta") }))),
    el("tbody", {}, ["low", "likely", "high"].map((s) => el("tr", { class: s === "likely" ? "likely" : null },
      el("th", { scope: "row", text: names[s] }), el("td", { class: "num", text: kr(r.uncertainty[s].discounted.nettonytta) })))));
  const nv = el("section", { class: "present-col" }, el("h3", { text: t("present.not_valued") }),
    shortList(el, t, r.not_valued, (n) => [el("span", { text: n.title }), " ",
      el("span", { class: "present-tag", text: n.size || t("calculate.size.none") })]));
  const left = el("div", { class: "present-unc-left" }, table, nv);
  const right = el("section", { class: "present-unc-right" }, el("h3", { text: t("calculate.tornado") }),
    tornadoChart(el, { entries: r.tornado.slice(0, 3), likely: r.uncertainty.likely.discounted.nettonytta, discounted: true,
      more: Math.max(0, r.tornado_total - 3), size: "large" }));
  return el("div", { class: "present-unc" }, left, right);
}

function nextSection(el, t, agg) {
  const col = (title, items, render) => el("section", { class: "present-col" }, el("h3", { text: title }), shortList(el, t, items, render));
  const cols = [];
  if (agg.next_steps.length) cols.push(col(t("present.next_steps"), agg.next_steps, (s) => s));
  cols.push(col(t("present.risks"), agg.risks, (it) => it.title));
  cols.push(col(t("present.obstacles"), agg.obstacles, (it) => it.title));
  cols.push(col(t("present.opportunities"), agg.opportunities, (it) => it.title));
  return el("div", { class: "present-cols next" }, cols);
}

function sectionBody(el, t, agg, key, size) {
  if (key === "title") return titleSection(el, t, agg);
  if (key === "alternatives") return alternativesSection(el, t, agg);
  if (key === "benefits") return benefitsSection(el, t, agg);
  if (key === "result") return resultSection(el, t, agg, size);
  if (key === "uncertainty") return uncertaintySection(el, t, agg);
  return nextSection(el, t, agg);
}

/** One part of the presentation: {node, draw} (draw sizes charts once the node is in the page). */
function slide(el, t, agg, index, size) {
  const sections = agg.sections;
  const i = Math.min(Math.max(0, index || 0), sections.length - 1);
  const key = sections[i];
  const body = agg.empty ? el("p", { class: "muted", text: t("present.no_draft") }) : sectionBody(el, t, agg, key, size);
  const node = el("div", { class: `present size-${size}`, dataset: { section: key } },
    el("h2", { class: "present-part" }, el("span", { class: "present-part-n", text: t("present.part", { i: i + 1, n: sections.length }) }), " ",
      el("span", { class: "present-part-name", text: sectionName(t, key) })),
    body instanceof Node ? body : body.node);
  return { node, draw: body instanceof Node ? () => {} : body.draw };
}

// --- phone -----------------------------------------------------------------------------------
export function phone({ root, results, t, el }) {
  const box = el("div", { class: "present-phone", "aria-live": "polite" });
  root.append(box);
  const update = (res) => {
    const c = res && res.content;
    clear(box).append(el("p", { class: "present-thanks", text: t("present.thanks") }));
    if (!c || c.empty) return;
    box.append(el("p", { class: "muted", text: t("present.phone_summary") }));
    if (c.name_of_change) box.append(el("h2", { text: c.name_of_change }));
    if (c.money) {
      box.append(headline(el, t, { discounted: c.discounted, settings: c.settings }, { size: "phone" }),
        el("p", { class: "muted", text: settingsText(c.settings, t) }));
    }
    box.append(el("p", { text: t("present.benefits_n", { n: c.benefits }) }));
  };
  update(results);
  return { update };
}

// --- presenter -------------------------------------------------------------------------------
export function presenter({ root, activity, results, t, el }) {
  const s = slide(el, t, results.aggregate, activity.config.section, "large");
  clear(root).append(s.node);
  s.draw();
}

// --- console ---------------------------------------------------------------------------------
export function console({ root, activity, results, configure, t, el }) {
  const agg = results.aggregate;
  const current = Math.min(activity.config.section || 0, agg.sections.length - 1);
  const go = (i) => configure({ section: Math.min(Math.max(0, i), agg.sections.length - 1) });
  const nav = el("nav", { class: "present-nav", "aria-label": t("present.go_to") },
    el("button", { type: "button", disabled: current === 0, onclick: () => go(current - 1) },
      el("span", { "aria-hidden": "true", text: "← " }), t("present.prev")),
    el("button", { type: "button", class: "primary", disabled: current >= agg.sections.length - 1, onclick: () => go(current + 1) },
      t("present.next"), el("span", { "aria-hidden": "true", text: " →" })),
    el("ol", { class: "present-steps" }, agg.sections.map((key, i) => el("li", {},
      el("button", { type: "button", class: i === current ? "primary" : null, "aria-current": i === current ? "step" : null,
        onclick: () => go(i) }, `${i + 1}. ${sectionName(t, key)}`)))));
  const hadFocus = root.contains(document.activeElement) ? document.activeElement.textContent : null;
  clear(root).append(nav, el("div", { class: "present-preview" }, slide(el, t, agg, current, "normal").node));
  if (hadFocus) [...root.querySelectorAll(".present-nav button")].find((b) => b.textContent === hadFocus && !b.disabled)?.focus();
}
