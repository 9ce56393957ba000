// Follow-up "Har det hänt?": per benefit, yes / partly / no / don't know, with an optional
// estimate of the realised figure and its source. Screens show the answers per benefit and the
// spread of the figures (median and middle half); the console links a figure to the
// follow-up page, where the facilitator records it as a realised value.
import { clear, fmt } from "../core.js";

const HAPPENED = ["yes", "partly", "no", "unknown"];
// Fewer figures than this and the spread is not shown (no one's figure can be singled out).
const FEWEST = 3;

function latestPerItem(mine) {
  const out = new Map();
  for (const r of mine) out.set(r.data.item, r.data);
  return out;
}

export function phone({ root, activity, mine, closed, submit, t, el }) {
  const cfg = activity.config;
  const answers = latestPerItem(mine);
  if (!cfg.items.length) {
    root.append(el("p", { class: "waiting", text: t("followup_check.no_items") }));
    return { update() {} };
  }
  cfg.items.forEach((title, i) => {
    const own = answers.get(i);
    const form = el("form", { class: "answer-form followup-form", novalidate: true });
    const legendId = `fu-${activity.id}-${i}`;
    const group = el("fieldset", { class: "followup-happened" },
      el("legend", { id: legendId }, el("strong", { text: title }), el("span", { class: "help", text: ` — ${t("followup_check.happened")}` })));
    for (const h of HAPPENED) {
      group.append(el("label", { class: "choice" },
        el("input", { type: "radio", name: `happened-${i}`, value: h, checked: own ? own.happened === h : false, disabled: closed }),
        el("span", { text: t(`followup_check.${h}`) })));
    }
    const unit = (cfg.units || [])[i] || "";
    const valueId = `fu-value-${activity.id}-${i}`;
    const sourceId = `fu-source-${activity.id}-${i}`;
    const value = el("input", { id: valueId, name: "value", inputmode: "decimal", autocomplete: "off", disabled: closed,
      value: own && own.value != null ? fmt(own.value, 2) : "" });
    const source = el("input", { id: sourceId, name: "source", maxlength: "300", disabled: closed, value: own ? own.source || "" : "" });
    const error = el("p", { class: "error", role: "alert" });
    const status = el("p", { class: "status", role: "status" });
    const button = el("button", { type: "submit", class: "primary", disabled: closed, text: own ? t("change_answer") : t("send") });
    form.append(group,
      el("label", { for: valueId, text: unit ? `${t("followup_check.figure")} (${unit})` : t("followup_check.figure") }), value,
      el("label", { for: sourceId, text: t("followup_check.source") }), source,
      error, button, status);
    if (own) status.textContent = t("saved");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const picked = form.querySelector("input[type=radio]:checked");
      if (!picked) {
        error.textContent = t("followup_check.pick_one");
        form.querySelector("input[type=radio]").focus();
        return;
      }
      const typed = value.value.trim();
      button.disabled = true;
      status.textContent = t("sending");
      const ack = await submit({ item: i, happened: picked.value, value: typed ? typed : null, source: source.value.trim() });
      button.disabled = false;
      // The button keeps focus (it was disabled only while sending).
      if (document.activeElement === document.body) button.focus();
      if (ack.ok) {
        status.textContent = t("saved");
        button.textContent = t("change_answer");
      } else if (ack.pending) status.textContent = t("offline");
      else {
        status.textContent = "";
        error.textContent = ack.error.message;
      }
    });
    root.append(form);
  });
  return { update() {} };
}

/** One line per benefit: a bar split into yes / partly / no / don't know (each part with its
 *  count, as text too), then the spread of the figures. */
function itemLine(item, { el, t, tag = "li" }) {
  const total = HAPPENED.reduce((a, h) => a + (item.counts[h] || 0), 0);
  const line = el(tag, { class: "followup-line" }, el("h3", { class: "followup-title", text: item.title }));
  const bar = el("div", { class: "followup-bar", role: "img",
    "aria-label": HAPPENED.map((h) => `${t(`followup_check.${h}`)} ${fmt(item.counts[h] || 0)}`).join(", ") });
  for (const h of HAPPENED) {
    const n = item.counts[h] || 0;
    if (!n) continue;
    const part = el("span", { class: `followup-part ${h}`, text: `${t(`followup_check.${h}`)} ${fmt(n)}`, title: `${t(`followup_check.${h}`)} ${fmt(n)}` });
    part.style.flexGrow = String(n);
    part.style.flexBasis = "0";
    bar.append(part);
  }
  if (!total) bar.append(el("span", { class: "followup-part none", text: t("followup_check.answers", { n: 0 }) }));
  line.append(bar);
  const s = item.spread;
  const unit = item.unit ? ` ${item.unit}` : "";
  if (s && s.n >= FEWEST) {
    line.append(el("p", { class: "followup-spread",
      text: `${t("followup_check.median")}: ${fmt(s.median, 2)}${unit} · ${t("followup_check.spread")}: ${fmt(s.q1, 2)}–${fmt(s.q3, 2)}${unit} · ${t("followup_check.answers", { n: s.n })}` }));
  } else if (s) {
    line.append(el("p", { class: "followup-spread help", text: `${t("followup_check.answers", { n: s.n })}: ${t("followup_check.few")}` }));
  }
  return line;
}

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate;
  clear(root);
  if (!agg.items.length) {
    root.append(el("p", { class: "empty", text: t("followup_check.no_items") }));
    return;
  }
  // A long list is paged by the presenter (kinds/_fit.js), never cut.
  const list = el("ol", { class: "followup-results", "data-fit-list": "" });
  for (const item of agg.items) list.append(itemLine(item, { el, t }));
  root.append(list);
}

export function console({ root, results, t, el }) {
  const agg = results.aggregate;
  clear(root);
  const wsId = document.getElementById("console")?.dataset.workshopId;
  for (const item of agg.items) {
    const block = itemLine(item, { el, t, tag: "section" });
    const s = item.spread;
    if (wsId && agg.version && item.item_id && s && s.n >= FEWEST) {
      const q = new URLSearchParams({ v: String(agg.version), item: item.item_id, value: String(s.median),
        source: `${t("followup_check.happened")} ${new Date().toISOString().slice(0, 10)}, ${t("followup_check.answers", { n: s.n })}, ${fmt(s.q1, 2)}–${fmt(s.q3, 2)}` });
      block.append(el("a", { class: "button", href: `/f/w/${wsId}/followup?${q}#item-${item.item_id}`, text: t("followup_check.take") }));
    }
    root.append(block);
  }
}
