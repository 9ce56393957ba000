// Drawing helpers shared by the kinds: accessible horizontal bars (a real list with text,
// not a picture), so screen readers read the same numbers the room sees.
import { clear, fmt } from "../core.js";

export function bars(root, labels, values, { el, t, compact = false, unit = null, digits = 0 }) {
  const total = values.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...values);
  const list = el("ol", { class: "bars" + (compact ? " compact" : "") });
  labels.forEach((label, i) => {
    const v = values[i] || 0;
    const pct = total ? Math.round((100 * v) / total) : 0;
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = `${(100 * v) / max}%`;
    list.append(
      el("li", { class: "bar" },
        el("span", { class: "bar-label", text: label }),
        el("span", { class: "bar-track", "aria-hidden": "true" }, fill),
        el("span", { class: "bar-value", text: unit ? `${fmt(v, digits)} ${unit}` : `${fmt(v, digits)} (${pct} %)` }))
    );
  });
  clear(root).append(list);
  return list;
}

/**
 * Bars from ready-made rows, for kinds whose numbers are not plain counts (scores, points).
 * rows: [{label, value, text, rank?}] — `value` sets the bar length, `text` is shown beside it,
 * `rank` (optional) is printed before the label. `max` is the value of a full bar (default:
 * the largest value).
 */
export function valueBars(root, rows, { el, compact = false, max = null, ranked = false }) {
  const top = max && max > 0 ? max : Math.max(0, ...rows.map((r) => r.value || 0));
  // Long lists get tighter rows (.dense / .denser) so a projector still shows every option.
  const density = rows.length > 8 ? " denser" : rows.length > 5 ? " dense" : "";
  const list = el("ol", { class: "bars" + (compact ? " compact" : "") + (ranked ? " ranked" : "") + density });
  rows.forEach((row, i) => {
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = `${top > 0 ? (100 * Math.max(0, row.value || 0)) / top : 0}%`;
    const rank = ranked ? el("span", { class: "bar-rank", text: `${row.rank ?? i + 1}.` }) : null;
    list.append(
      el("li", { class: "bar" },
        el("span", { class: "bar-label" }, rank, rank ? " " : null, row.label),
        el("span", { class: "bar-track", "aria-hidden": "true" }, fill),
        el("span", { class: "bar-value", text: row.text }))
    );
  });
  clear(root).append(list);
  return list;
}

/** Shared places for equal values: [9, 7, 7, 3] -> [1, 2, 2, 4]. `values` sorted high to low. */
export function competitionRanks(values) {
  return values.map((v) => values.indexOf(v) + 1);
}
