// Charts for the method's calculation steps (7 Samla data, 8 Räkna, 9 Presentera):
// - spreadChart: the room's figures for one question on a number line (dots, median, Q1–Q3,
//   the proposal, round 1 under round 2);
// - rangeChart: three-point estimates — the lowest, likely and highest figures as three lanes on
//   one number line, each its distribution (min–max, Q1–Q3, median, the figures as faint dots);
// - accumulatedChart: accumulated benefits and costs per year, the break-even year marked;
// - tornadoChart: one-at-a-time sensitivity as horizontal bars around the likely nettonytta.
// SVG is built with el(), never from HTML strings. Every chart has role="img" with a text summary and a
// table or list with the same numbers for screen readers.
import { fmt, t } from "./core.js";

/** "1 234 567 kr" (Swedish grouping in the Swedish UI). */
export function kr(n, digits = 0) {
  return t("calculate.kr", { n: fmt(n, digits) });
}

/** Short amounts for chart axes: 120 tkr, 1,2 mnkr. */
export function krShort(n) {
  const a = Math.abs(n);
  if (a >= 1e6) return t("calculate.mnkr", { n: fmt(n / 1e6, a >= 1e7 ? 0 : 1) });
  if (a >= 1e3) return t("calculate.tkr", { n: fmt(n / 1e3, 0) });
  return kr(n);
}

/** Digits worth showing for a figure of this size (0,5 but 1 700). */
export function digitsFor(v) {
  const a = Math.abs(v);
  if (a === 0 || a >= 100) return 0;
  if (a >= 1) return 1;
  return 2;
}

export function num(v) {
  return v === null || v === undefined ? "–" : fmt(v, Math.max(digitsFor(v), Number.isInteger(v) ? 0 : 1));
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const start = Math.ceil(lo / step - 1e-9) * step;
  const out = [];
  for (let v = start; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function domainOf(values, padFrac = 0.06) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.25 || 1;
    lo -= pad;
    hi += pad;
  }
  const pad = (hi - lo) * padFrac;
  return [lo - pad, hi + pad];
}

const SIZES = {
  large: { W: 1000, font: 28, r: 13 },
  grid: { W: 760, font: 26, r: 11 },
  normal: { W: 900, font: 20, r: 9 },
  phone: { W: 360, font: 16, r: 6 },
};

/** Dot levels so equal or close figures stack instead of hiding each other. */
function stack(xs, gap) {
  const levels = [];
  const placed = [];
  xs.forEach((x, i) => {
    let level = 0;
    while (placed.some((p) => p.level === level && Math.abs(p.x - x) < gap)) level += 1;
    placed.push({ x, level });
    levels[i] = level;
  });
  return levels;
}

/**
 * The spread of one question's figures.
 * opts: {values (sorted numbers), spread {n,min,q1,median,q3,max} | null, previous (same) | null,
 *        proposal number | null, size, labels: {proposal, round1, summary}}
 */
export function spreadChart(el, { values = [], spread = null, previous = null, proposal = null, size = "normal", labels = {},
  width = null, font: fontPx = null, r: rPx = null, maxLevels = 9, ticks: tickCount = null }) {
  // width/font/r in CSS pixels draw the chart at its real size (the presenter measures its
  // slot); otherwise a fixed viewBox per size is scaled to the container's width.
  const S = { ...(SIZES[size] || SIZES.normal) };
  if (width) S.W = Math.max(200, Math.round(width));
  if (fontPx) S.font = fontPx;
  if (rPx) S.r = rPx;
  const { W, font } = S;
  const all = [...values];
  if (proposal !== null && proposal !== undefined) all.push(proposal);
  if (previous) all.push(previous.min, previous.max);
  if (!all.length) return null;
  const [lo, hi] = domainOf(all);
  const left = font * 1.2;
  const right = W - font * 1.2;
  const x = (v) => left + ((v - lo) / (hi - lo)) * (right - left);

  let r = S.r;
  let levels = stack(values.map(x), 2 * r + 2);
  if (Math.max(0, ...levels) >= maxLevels) {
    r = Math.max(3, r * 0.6);
    levels = stack(values.map(x), 2 * r + 1);
  }
  const maxLevel = Math.min(maxLevels - 1, Math.max(0, ...levels));
  const top = proposal !== null && proposal !== undefined ? font * 1.5 : font * 0.4;
  const dotsH = (maxLevel + 1) * (2 * r + 2);
  const axisY = top + dotsH + 6;
  const boxH = font * 0.9;
  const prevY = axisY + boxH + font * 0.5;
  const prevH = previous ? font * 0.55 : 0;
  const ticksY = (previous ? prevY + prevH + font * 0.4 : axisY + boxH + font * 0.4) + font;
  const H = ticksY + font * 0.5;

  const svg = el("svg", {
    class: `spread-chart size-${size}`, viewBox: `0 0 ${W} ${Math.ceil(H)}`, role: "img",
    "aria-label": labels.summary || "", preserveAspectRatio: "xMidYMid meet",
  });
  svg.style.fontSize = `${font}px`;
  if (labels.summary) svg.append(el("title", { text: labels.summary }));

  // Q1–Q3 box and median on the axis.
  if (spread) {
    const box = el("rect", { class: "spread-box", x: x(spread.q1), y: axisY, width: Math.max(2, x(spread.q3) - x(spread.q1)), height: boxH, rx: 4 });
    const whisker = el("line", { class: "spread-whisker", x1: x(spread.min), x2: x(spread.max), y1: axisY + boxH / 2, y2: axisY + boxH / 2 });
    const med = el("line", { class: "spread-median", x1: x(spread.median), x2: x(spread.median), y1: axisY - 4, y2: axisY + boxH + 4 });
    svg.append(whisker, box, med);
  }
  svg.append(el("line", { class: "spread-axis", x1: left, x2: right, y1: axisY, y2: axisY }));

  // Round 1 under round 2, in grey.
  if (previous) {
    svg.append(
      el("line", { class: "spread-prev-range", x1: x(previous.min), x2: x(previous.max), y1: prevY + prevH / 2, y2: prevY + prevH / 2 }),
      el("rect", { class: "spread-prev-box", x: x(previous.q1), y: prevY, width: Math.max(2, x(previous.q3) - x(previous.q1)), height: prevH, rx: 3 }),
      el("line", { class: "spread-prev-median", x1: x(previous.median), x2: x(previous.median), y1: prevY - 3, y2: prevY + prevH + 3 }),
    );
    const lab = el("text", { class: "spread-prev-label", x: right, y: prevY - font * 0.25, "text-anchor": "end", text: labels.round1 || "" });
    lab.style.fontSize = `${font * 0.75}px`;
    svg.append(lab);
  }

  // Dots.
  const dots = el("g", { class: "spread-dots" });
  values.forEach((v, i) => {
    const level = Math.min(levels[i], maxLevel);
    dots.append(el("circle", { class: "spread-dot", cx: x(v), cy: axisY - r - 3 - level * (2 * r + 2), r }));
  });
  svg.append(dots);

  // The proposal: a dashed line over the dots with its label on top.
  if (proposal !== null && proposal !== undefined) {
    const px = x(proposal);
    svg.append(el("line", { class: "spread-proposal", x1: px, x2: px, y1: font * 1.15, y2: axisY + boxH }));
    const anchor = px < W * 0.2 ? "start" : px > W * 0.8 ? "end" : "middle";
    svg.append(el("text", { class: "spread-proposal-label", x: px, y: font * 0.95, "text-anchor": anchor, text: labels.proposal || num(proposal) }));
  }

  // Ticks.
  const ticks = niceTicks(lo, hi, tickCount || (size === "phone" ? 4 : 5));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const tickDigits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  for (const v of ticks) {
    const tx = x(v);
    svg.append(el("line", { class: "spread-tick", x1: tx, x2: tx, y1: axisY, y2: axisY + 6 }));
    const anchor = tx < left + font ? "start" : tx > right - font ? "end" : "middle";
    svg.append(el("text", { class: "spread-tick-label", x: tx, y: ticksY, "text-anchor": anchor, text: fmt(v, tickDigits) }));
  }
  return svg;
}

const RANGE_SIZES = {
  large: { W: 1000, font: 26, r: 9 },
  grid: { W: 760, font: 22, r: 6 },
  normal: { W: 900, font: 18, r: 6 },
  phone: { W: 360, font: 17, r: 6 },
};

/**
 * Three-point estimates of one question: one lane per figure (lowest, likely, highest), each the
 * distribution of that figure over the room — whisker min–max, box Q1–Q3, median, every figure
 * as a faint dot (many answers darken where they agree instead of stacking out of the chart).
 * Round 1 is drawn dashed under each lane in round 2.
 * opts: {lanes: [{key, label, spread {n,min,q1,median,q3,max,values?} | null, previous | null}],
 *        proposal, size, width/font/r/height (CSS px), labels: {summary, proposal}}
 * `height` caps the chart (the presenter's slot): lanes get thinner rather than overflow.
 */
export function rangeChart(el, { lanes = [], proposal = null, size = "normal", labels = {},
  width = null, height = null, font: fontPx = null, r: rPx = null, ticks: tickCount = null }) {
  const S = { ...(RANGE_SIZES[size] || RANGE_SIZES.normal) };
  if (width) S.W = Math.max(200, Math.round(width));
  if (fontPx) S.font = fontPx;
  if (rPx) S.r = rPx;
  const { W, font } = S;
  const all = [];
  for (const lane of lanes) {
    for (const s of [lane.spread, lane.previous]) if (s) all.push(s.min, s.max);
  }
  const hasProposal = proposal !== null && proposal !== undefined;
  if (hasProposal) all.push(proposal);
  if (!all.length) return null;
  const [lo, hi] = domainOf(all);
  const labelW = Math.max(...lanes.map((l) => String(l.label || "").length), 4) * font * 0.56 + font * 0.6;
  const left = labelW + font * 0.4;
  const right = W - font * 1.2;
  const x = (v) => left + ((v - lo) / (hi - lo)) * (right - left);
  const anyPrev = lanes.some((l) => l.previous);
  const top = hasProposal ? font * 1.5 : font * 0.3;
  let laneH = font * (anyPrev ? 2.3 : 1.7);
  const tail = font * 2.1; // axis and tick labels under the lanes
  if (height) {
    const fit = (height - top - tail) / Math.max(1, lanes.length);
    laneH = Math.max(font * 1.1, Math.min(font * 3.2, fit));
  }
  const boxH = laneH * (anyPrev ? 0.42 : 0.56);
  const dotR = Math.max(2, Math.min(S.r, boxH * 0.45)); // a dot never reaches into the next lane
  const axisY = top + lanes.length * laneH;
  const H = axisY + tail;
  const svg = el("svg", {
    class: `spread-chart range-chart size-${size}`, viewBox: `0 0 ${W} ${Math.ceil(H)}`, role: "img",
    "aria-label": labels.summary || "", preserveAspectRatio: "xMidYMid meet",
  });
  svg.style.fontSize = `${font}px`;
  if (labels.summary) svg.append(el("title", { text: labels.summary }));
  // Light vertical grid at the ticks, so lanes read against one scale.
  const ticks = niceTicks(lo, hi, tickCount || (size === "phone" ? 4 : 5));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const tickDigits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  for (const v of ticks) svg.append(el("line", { class: "range-grid", x1: x(v), x2: x(v), y1: top, y2: axisY }));
  lanes.forEach((lane, i) => {
    const y0 = top + i * laneH;
    const cy = y0 + (anyPrev ? laneH * 0.36 : laneH / 2);
    const g = el("g", { class: `range-lane lane-${lane.key}` });
    g.append(el("text", { class: "range-lane-label", x: labelW, y: cy + font * 0.35, "text-anchor": "end", text: lane.label || "" }));
    const s = lane.spread;
    if (s) {
      g.append(
        el("line", { class: "range-whisker", x1: x(s.min), x2: x(s.max), y1: cy, y2: cy }),
        el("rect", { class: "range-box", x: x(s.q1), y: cy - boxH / 2, width: Math.max(3, x(s.q3) - x(s.q1)), height: boxH, rx: 3 }),
      );
      const dots = el("g", { class: "range-dots" });
      for (const v of s.values || []) dots.append(el("circle", { class: "range-dot", cx: x(v), cy, r: dotR }));
      g.append(dots, el("line", { class: "range-median", x1: x(s.median), x2: x(s.median), y1: cy - boxH / 2 - 4, y2: cy + boxH / 2 + 4 }));
    }
    const p = lane.previous;
    if (p) {
      const py = y0 + laneH * 0.8;
      const ph = Math.max(4, laneH * 0.16);
      g.append(
        el("line", { class: "spread-prev-range", x1: x(p.min), x2: x(p.max), y1: py, y2: py }),
        el("rect", { class: "spread-prev-box", x: x(p.q1), y: py - ph / 2, width: Math.max(2, x(p.q3) - x(p.q1)), height: ph, rx: 2 }),
        el("line", { class: "spread-prev-median", x1: x(p.median), x2: x(p.median), y1: py - ph / 2 - 2, y2: py + ph / 2 + 2 }),
      );
    }
    svg.append(g);
  });
  svg.append(el("line", { class: "spread-axis", x1: left, x2: right, y1: axisY, y2: axisY }));
  if (hasProposal) {
    const px = x(proposal);
    svg.append(el("line", { class: "spread-proposal", x1: px, x2: px, y1: font * 1.15, y2: axisY }));
    const anchor = px < W * 0.2 ? "start" : px > W * 0.8 ? "end" : "middle";
    svg.append(el("text", { class: "spread-proposal-label", x: px, y: font * 0.95, "text-anchor": anchor, text: labels.proposal || num(proposal) }));
  }
  for (const v of ticks) {
    const tx = x(v);
    svg.append(el("line", { class: "spread-tick", x1: tx, x2: tx, y1: axisY, y2: axisY + 6 }));
    const anchor = tx < left + font ? "start" : tx > right - font ? "end" : "middle";
    svg.append(el("text", { class: "spread-tick-label", x: tx, y: axisY + font * 1.5, "text-anchor": anchor, text: fmt(v, tickDigits) }));
  }
  return svg;
}

/**
 * Accumulated benefits and costs per year t = 1..H (two lines), the break-even year marked.
 * opts: {benefits: [], costs: [], breakEven: year | null, startYear, size: "large" | "normal"}
 */
export function accumulatedChart(el, { benefits, costs, breakEven = null, startYear = null, size = "normal",
  width = null, height = null, font: fontPx = null }) {
  // width/height/font in CSS pixels draw the chart at its real size (the presenter measures
  // its slot; the legend above takes about two lines of text); otherwise a fixed viewBox.
  const H = benefits.length;
  const dims = size === "large" ? { W: 900, Hh: 470, font: 28 } : { W: 900, Hh: 430, font: 20 };
  if (fontPx) dims.font = fontPx;
  if (width && height) {
    dims.W = Math.max(300, Math.round(width));
    dims.Hh = Math.max(160, Math.round(height - dims.font * 2.2));
  }
  const { W, Hh, font } = dims;
  const all = [0, ...benefits, ...costs];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi, 4);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1]);
  const left = font * 5.2;
  const right = W - font * 1.2;
  const topY = font * 1.6;
  const bottom = Hh - font * 2.8;
  const x = (year) => (H <= 1 ? (left + right) / 2 : left + ((year - 1) / (H - 1)) * (right - left));
  const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - topY);

  const years = benefits.map((_, i) => i + 1);
  const label = [
    t("calculate.chart_summary", { n: H, b: kr(benefits[H - 1] || 0), c: kr(costs[H - 1] || 0) }),
    breakEven ? t("calculate.chart_break_even", { n: breakEven }) : t("calculate.chart_never"),
  ].join(" ");
  const svg = el("svg", { class: `acc-chart size-${size}`, viewBox: `0 0 ${W} ${Hh}`, role: "img", "aria-label": label });
  svg.style.fontSize = `${font}px`;
  svg.append(el("title", { text: label }));

  for (const v of ticks) {
    svg.append(
      el("line", { class: v === 0 ? "acc-grid zero" : "acc-grid", x1: left, x2: right, y1: y(v), y2: y(v) }),
      el("text", { class: "acc-tick", x: left - font * 0.4, y: y(v) + font * 0.35, "text-anchor": "end", text: krShort(v) }),
    );
  }
  const every = H > 20 ? 5 : H > 10 ? 2 : 1;
  for (const yr of years) {
    if (yr !== 1 && yr % every !== 0 && yr !== H) continue;
    svg.append(el("text", { class: "acc-tick", x: x(yr), y: bottom + font * 1.2, "text-anchor": "middle", text: String(yr) }));
  }
  const axisLabel = el("text", { class: "acc-axis-label", x: (left + right) / 2, y: Hh - font * 0.15, "text-anchor": "middle",
    text: startYear ? `${t("calculate.year")} (${t("calculate.year_n", { n: 1 })} = ${startYear})` : t("calculate.year") });
  axisLabel.style.fontSize = `${font * 0.8}px`;
  svg.append(axisLabel);

  if (breakEven) {
    const bx = x(breakEven);
    const anchor = bx > W * 0.8 ? "end" : bx < left + font * 3 ? "start" : "middle";
    svg.append(
      el("line", { class: "acc-break-even", x1: bx, x2: bx, y1: topY - font * 0.3, y2: bottom }),
      el("text", { class: "acc-break-even-label", x: bx, y: topY - font * 0.55, "text-anchor": anchor,
        text: t("calculate.year_n", { n: breakEven }) }),
    );
  }
  const line = (series, cls) => {
    const d = series.map((v, i) => `${i ? "L" : "M"}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const g = el("g", { class: cls }, el("path", { class: "acc-line", d }));
    series.forEach((v, i) => g.append(el("circle", { class: "acc-dot", cx: x(i + 1), cy: y(v), r: font * 0.28 })));
    return g;
  };
  svg.append(line(costs, "acc-costs"), line(benefits, "acc-benefits"));

  const legend = el("p", { class: "acc-legend", "aria-hidden": "true", style: fontPx ? { fontSize: `${font}px` } : null },
    el("span", { class: "acc-key benefits" }, el("span", { class: "acc-swatch" }), t("calculate.acc_benefits")),
    el("span", { class: "acc-key costs" }, el("span", { class: "acc-swatch" }), t("calculate.acc_costs")));
  // In a 1 px box of its own: a table is never narrower than its cells, so a table of class
  // sr-only would still widen the page (the console at 400 % zoom scrolled sideways).
  const table = el("table", {},
    el("caption", { text: t("calculate.accumulated") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("calculate.year") }),
      el("th", { scope: "col", text: t("calculate.acc_benefits") }), el("th", { scope: "col", text: t("calculate.acc_costs") }))),
    el("tbody", {}, years.map((yr, i) => el("tr", {}, el("th", { scope: "row", text: String(yr) }),
      el("td", { text: kr(benefits[i]) }), el("td", { text: kr(costs[i]) })))));
  return el("figure", { class: `acc-figure size-${size}` }, legend, svg, el("div", { class: "sr-only" }, table));
}

/**
 * Tornado: per input, the nettonytta with that input at its lowest and highest value (all others
 * likely), as a bar around the likely nettonytta. entries from the calculate aggregate.
 */
export function tornadoChart(el, { entries, likely, discounted = true, more = 0, size = "normal" }) {
  if (!entries.length) return el("p", { class: "empty", text: t("calculate.tornado_none") });
  const lowOf = (e) => (discounted ? e.discounted_nettonytta_low : e.nettonytta_low);
  const highOf = (e) => (discounted ? e.discounted_nettonytta_high : e.nettonytta_high);
  const vals = [likely, ...entries.flatMap((e) => [lowOf(e), highOf(e)])];
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.02;
  lo -= pad;
  hi += pad;
  const pct = (v) => (100 * (v - lo)) / (hi - lo);
  const list = el("ol", { class: `tornado size-${size}` });
  for (const e of entries) {
    const track = el("span", { class: "tornado-track", "aria-hidden": "true" });
    const seg = (v, cls) => {
      const a = Math.min(v, likely);
      const b = Math.max(v, likely);
      const s = el("span", { class: `tornado-seg ${cls}` });
      s.style.left = `${pct(a)}%`;
      s.style.width = `${Math.max(0.4, pct(b) - pct(a))}%`;
      return s;
    };
    const mid = el("span", { class: "tornado-mid" });
    mid.style.left = `${pct(likely)}%`;
    track.append(seg(lowOf(e), "low"), seg(highOf(e), "high"), mid);
    const name = e.item && e.item !== e.label ? `${e.label} · ${e.item}` : e.label;
    const spoken = t("calculate.tornado_row", {
      label: name, low: num(e.low), high: num(e.high), nlow: kr(lowOf(e)), nhigh: kr(highOf(e)),
    });
    list.append(el("li", { class: "tornado-row" },
      el("span", { class: "tornado-label", text: name }),
      track,
      el("span", { class: "tornado-values", "aria-hidden": "true", text: `${krShort(lowOf(e))} – ${krShort(highOf(e))}` }),
      el("span", { class: "sr-only", text: spoken })));
  }
  const legend = el("p", { class: "tornado-legend" },
    el("span", { class: "tornado-key low" }, el("span", { class: "tornado-swatch", "aria-hidden": "true" }), t("calculate.at_lowest")),
    el("span", { class: "tornado-key high" }, el("span", { class: "tornado-swatch", "aria-hidden": "true" }), t("calculate.at_highest")),
    el("span", { class: "tornado-key mid" }, el("span", { class: "tornado-swatch", "aria-hidden": "true" }), t("calculate.tornado_likely", { v: kr(likely) })));
  const box = el("div", { class: "tornado-box" }, legend, list);
  if (more > 0) box.append(el("p", { class: "muted tornado-more", text: t("calculate.tornado_more", { n: more }) }));
  return box;
}
