// Scale: a radio group of 1..N big buttons between two end labels; on the screen a column
// per value with the mean marked on the axis.
import { clear, fmt, whileSending } from "../core.js";

/** The end label that belongs to value `v`, if any. */
function endLabel(cfg, v) {
  if (v === 1 && cfg.label_low) return cfg.label_low;
  if (v === cfg.max && cfg.label_high) return cfg.label_high;
  return "";
}

function valueName(cfg, v) {
  const end = endLabel(cfg, v);
  return end ? `${v} — ${end}` : String(v);
}

function endsRow(cfg, el, n) {
  if (!cfg.label_low && !cfg.label_high) return null;
  return el("div", { class: "scale-ends", "aria-hidden": "true" },
    el("span", { class: "scale-end low", text: cfg.label_low ? `1 = ${cfg.label_low}` : "" }),
    el("span", { class: "scale-end high", text: cfg.label_high ? `${n} = ${cfg.label_high}` : "" }));
}

export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  const cfg = activity.config;
  const n = cfg.max;
  const last = mine.length ? mine[mine.length - 1].data.value : null;
  const form = el("form", { class: "answer-form scale-form", novalidate: true });
  const group = el("div", { class: "scale-options" });
  // Up to 6 values on one line; more wrap into two even rows so every button stays thumb-sized.
  group.style.setProperty("--cols", String(n <= 6 ? n : Math.ceil(n / 2)));
  const name = `scale-${activity.id}`;
  for (let v = 1; v <= n; v++) {
    const end = endLabel(cfg, v);
    group.append(
      el("label", { class: "scale-option" },
        el("input", { type: "radio", class: "scale-input", name, value: String(v), checked: last === v, disabled: closed }),
        el("span", { class: "scale-num", text: String(v) }),
        end ? el("span", { class: "sr-only", text: ` — ${end}` }) : null)
    );
  }
  const fieldset = el("fieldset", {}, el("legend", { class: "sr-only", text: activity.title }), group, endsRow(cfg, el, n));
  const chosen = el("p", { class: "scale-chosen" });
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert" });
  const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: mine.length ? t("change_answer") : t("send") });
  form.append(fieldset, chosen, error, button, status);

  const picked = () => {
    const input = form.querySelector("input:checked");
    return input ? Number(input.value) : null;
  };
  const showChosen = () => {
    const v = picked();
    chosen.textContent = v ? t("scale.your_choice", { v: valueName(cfg, v) }) : "";
    if (mine.length && v !== last) status.textContent = "";
  };
  form.addEventListener("change", () => {
    error.textContent = "";
    showChosen();
  });
  showChosen();
  if (mine.length) status.textContent = t("saved");

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = picked();
    error.textContent = "";
    if (!value) {
      error.textContent = t("scale.pick_one");
      return;
    }
    const ack = await whileSending(button, () => {
      status.textContent = t("sending");
      return submit({ value });
    });
    if (!ack) return;
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
    if (!Array.isArray(res.aggregate.distribution)) return;
    clear(resultBox).append(el("h2", { class: "results-heading", text: t("scale.results") }));
    const box = el("div");
    resultBox.append(box);
    drawScale(box, res.aggregate, { el, t, compact: true });
  };
  update(results);
  return { update };
}

/** Columns per value (1..N) with counts, the mean marked on the axis, end labels under it. */
export function drawScale(root, agg, { el, t, compact = false }) {
  const n = agg.max;
  const dist = agg.distribution || [];
  const total = agg.count || 0;
  const top = Math.max(1, ...dist);
  const cfg = { max: n, label_low: agg.label_low, label_high: agg.label_high };
  const none = "–";

  const summary = el("div", { class: "scale-summary" },
    el("p", { class: "scale-mean" },
      el("span", { class: "scale-mean-label", text: t("scale.mean") }), " ",
      el("strong", { class: "scale-mean-value", text: agg.mean == null ? none : fmt(agg.mean, 2) })),
    el("p", { class: "scale-median", text: `${t("scale.median")} ${agg.median == null ? none : fmt(agg.median, 1)}` }),
    el("p", { class: "scale-count", text: t("scale.answers", { n: fmt(total) }) }));

  const cols = el("ol", { class: "scale-cols", role: "list" });
  cols.style.setProperty("--cols", String(n));
  const axis = el("div", { class: "scale-axis", "aria-hidden": "true" });
  axis.style.setProperty("--cols", String(n));
  dist.forEach((count, i) => {
    const v = i + 1;
    const pct = total ? Math.round((100 * count) / total) : 0;
    const bar = el("span", { class: "scale-bar", "aria-hidden": "true" },
      el("span", { class: "scale-col-count" },
        el("strong", { text: fmt(count) }), compact || !count ? null : el("span", { class: "scale-col-pct", text: ` ${pct} %` })));
    bar.style.height = `${(100 * count) / top}%`;
    cols.append(el("li", { class: "scale-col" },
      el("span", { class: "sr-only", text: t("scale.value_count", { v: valueName(cfg, v), n: fmt(count) }) }), bar));
    axis.append(el("span", { class: "scale-tick", text: String(v) }));
  });

  const plot = el("div", { class: "scale-plot" }, cols);
  const markerRow = el("div", { class: "scale-marker-row", "aria-hidden": "true" });
  if (agg.mean != null) {
    // Column v is centred at (v − 0.5)/N of the width, so the mean sits between its neighbours.
    const left = (100 * (agg.mean - 0.5)) / n;
    const line = el("span", { class: "scale-mean-line" });
    line.style.left = `${left}%`;
    plot.append(line);
    // Keep the tag on screen near the ends of the axis: the arrow stays on the mean.
    const align = left < 18 ? "start" : left > 82 ? "end" : "center";
    const tag = el("span", { class: "scale-mean-tag" },
      el("span", { class: "scale-mean-arrow", text: "▲" }),
      el("span", { class: "scale-mean-words", text: `${t("scale.mean")} ${fmt(agg.mean, 2)}` }));
    tag.style.left = `${left}%`;
    tag.dataset.align = align;
    markerRow.append(tag);
  }

  const chart = el("figure", { class: "scale-chart" + (compact ? " compact" : "") },
    summary, plot, axis, markerRow, endsRow(cfg, el, n));
  clear(root).append(chart);
  return chart;
}

export function presenter({ root, results, t, el }) {
  drawScale(root, results.aggregate, { el, t });
}

export function console({ root, results, t, el }) {
  drawScale(root, results.aggregate, { el, t });
}
