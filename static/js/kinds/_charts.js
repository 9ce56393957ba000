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
