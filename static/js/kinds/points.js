// 100 points: a number per option with −/+ buttons and a live "X of 100 left" counter;
// the screen shows the total points per option with its share, largest first.
import { clear, fmt, whileSending } from "../core.js";
import { valueBars } from "./_charts.js";

/** A coarse step for the extra −/+ buttons: 5 for 100 points, 50 for 1000, none for small budgets. */
function bigStep(budget) {
  return [50, 25, 10, 5, 2].find((s) => s <= budget / 20 && s > 1) || 0;
}

/** A typed value: a whole number ≥ 0, 0 for an empty box, NaN for anything else. */
function parsePoints(raw) {
  const s = String(raw).trim();
  if (s === "") return 0;
  return /^\d{1,5}$/.test(s) ? Number(s) : NaN;
}

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const cfg = activity.config;
  const options = cfg.options;
  const n = options.length;
  const budget = cfg.budget;
  const saved = mine.length ? mine[mine.length - 1].data.points : null;
  const start = Array.isArray(saved) && saved.length === n ? saved : new Array(n).fill(0);
  const big = bigStep(budget);

  const form = el("form", { class: "answer-form points-form", novalidate: true });
  const helpId = `points-help-${activity.id}`;
  const problemId = `points-problem-${activity.id}`;
  const help = el("p", { class: "help", id: helpId, text: t("points.help", { n: fmt(budget) }) });
  const list = el("ul", { class: "points-list", role: "list" });
  const counter = el("p", { class: "points-left", role: "status", "aria-live": "polite" });
  const meterFill = el("span", { class: "points-meter-fill" });
  const meter = el("span", { class: "points-meter", "aria-hidden": "true" }, meterFill);
  const problem = el("p", { class: "points-problem", id: problemId });
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const button = el("button", { type: "submit", class: "primary points-send", disabled: closed, "aria-describedby": problemId,
    text: mine.length ? t("change_answer") : t("send") });

  const rows = options.map((text, i) => {
    const id = `points-${activity.id}-${i}`;
    // A text box with the numeric keypad: type="number" would turn "1e" or "2.5" into a silent "".
    const input = el("input", { id, type: "text", class: "points-input", inputmode: "numeric", pattern: "[0-9]*", autocomplete: "off",
      maxlength: "5", value: String(start[i] || 0), disabled: closed, "aria-describedby": helpId });
    const stepButton = (delta) => {
      const b = el("button", { type: "button", class: "points-step", disabled: closed,
        "aria-label": t(delta > 0 ? "points.add" : "points.remove", { n: Math.abs(delta), item: text }) },
        el("span", { "aria-hidden": "true", text: `${delta > 0 ? "+" : "−"}${Math.abs(delta)}` }));
      b.addEventListener("click", () => nudge(i, delta));
      return b;
    };
    const controls = el("div", { class: "points-controls" + (big ? "" : " small-budget") },
      big ? stepButton(-big) : null, stepButton(-1), input, stepButton(1), big ? stepButton(big) : null);
    input.addEventListener("input", refresh);
    input.addEventListener("focus", () => input.select());
    list.append(el("li", { class: "points-row" }, el("label", { class: "points-label", for: id, text }), controls));
    return { input, controls };
  });

  const values = () => rows.map((r) => parsePoints(r.input.value));

  function nudge(i, delta) {
    const vals = values();
    const current = Number.isNaN(vals[i]) ? 0 : vals[i];
    const used = vals.reduce((a, v, j) => a + (j === i || Number.isNaN(v) ? 0 : v), 0);
    // + never goes past the budget and − never below zero.
    const next = Math.max(0, Math.min(current + delta, delta > 0 ? Math.max(current, budget - used) : current));
    rows[i].input.value = String(next);
    refresh();
  }

  function refresh() {
    const vals = values();
    const bad = vals.some((v) => Number.isNaN(v));
    const used = vals.reduce((a, v) => a + (Number.isNaN(v) ? 0 : v), 0);
    const left = budget - used;
    rows.forEach((r, i) => {
      r.input.setAttribute("aria-invalid", Number.isNaN(vals[i]) ? "true" : "false");
      const [minusBig, minus, plus, plusBig] = big
        ? [...r.controls.querySelectorAll("button")]
        : [null, ...r.controls.querySelectorAll("button"), null];
      for (const b of [minusBig, minus]) if (b) b.setAttribute("aria-disabled", String(closed || !(vals[i] > 0)));
      for (const b of [plus, plusBig]) if (b) b.setAttribute("aria-disabled", String(closed || left <= 0));
    });
    const text = left > 0 ? t("points.left", { left: fmt(left), n: fmt(budget) })
      : left === 0 ? t("points.all_used") : t("points.over", { n: fmt(-left), budget: fmt(budget) });
    if (counter.textContent !== text) counter.textContent = text;
    counter.dataset.state = left < 0 ? "over" : left === 0 ? "full" : "ok";
    meterFill.style.width = `${Math.min(100, (100 * used) / budget)}%`;
    meter.dataset.state = counter.dataset.state;
    const why = bad ? t("points.bad_number") : left < 0 ? t("points.over_hint") : used === 0 ? t("points.none") : "";
    problem.textContent = why;
    // Nothing given yet is where everyone starts: a hint, not an error.
    problem.dataset.tone = !bad && left >= 0 && used === 0 ? "hint" : "error";
    button.disabled = closed || Boolean(why);
    return { vals, bad, used };
  }

  const footer = el("div", { class: "points-footer" },
    el("div", { class: "points-summary" }, el("div", { class: "points-tally" }, counter, meter), button),
    problem, error, status);
  form.append(help, list, footer);
  refresh();
  if (mine.length) status.textContent = t("saved");

  form.addEventListener("input", () => {
    error.textContent = "";
    if (mine.length) status.textContent = "";
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { vals, bad, used } = refresh();
    if (bad || used === 0 || used > budget) return;
    error.textContent = "";
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit({ points: vals });
    });
    if (!ack) return;
    refresh();
    if (ack.ok) {
      status.textContent = t("saved");
      button.textContent = t("change_answer");
    } else if (ack.pending) status.textContent = t("offline");
    else {
      status.textContent = "";
      error.textContent = ack.error.message;
    }
  });

  const resultBox = el("div", { class: "phone-results" });
  root.append(form, resultBox);
  const update = (res) => {
    // Only this kind's shape: an update meant for another activity must not break the page.
    if (!res || !res.aggregate) {
      clear(resultBox); // hidden again, or a reset: show no stale results
      return;
    }
    if (!Array.isArray(res.aggregate.totals)) return;
    drawPoints(resultBox, res.aggregate, { el, t, compact: true, heading: true });
  };
  update(results);
  return { update };
}

/** Total points per option, largest first, with each option's share of all points given. */
export function drawPoints(root, agg, { el, t, compact = false, showMean = false, heading = false }) {
  const order = agg.options.map((_, i) => i).sort((a, b) => agg.totals[b] - agg.totals[a] || a - b);
  const rows = order.map((i) => {
    let text = `${t("points.total", { n: fmt(agg.totals[i]) })} (${fmt(agg.shares[i], 0)} %)`;
    if (showMean && agg.means[i] != null) text += ` · ${t("points.mean", { n: fmt(agg.means[i], 2) })}`;
    return { label: agg.options[i], value: agg.totals[i], text };
  });
  const note = el("p", { class: "chart-note", text: t("points.note", { n: fmt(agg.participants || 0), budget: fmt(agg.budget) }) });
  const box = el("div", { class: "points-bars" });
  valueBars(box, rows, { el, compact });
  if (heading) clear(root).append(el("h2", { class: "results-heading", text: t("points.results") }), note, box);
  else clear(root).append(note, box);
}

export function presenter({ root, results, t, el }) {
  drawPoints(root, results.aggregate, { el, t });
}

export function console({ root, results, t, el }) {
  drawPoints(root, results.aggregate, { el, t, compact: true, showMean: true });
}
