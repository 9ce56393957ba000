// Step 7 Samla data: the room estimates the figures of the calculation blocks.
// Phone: one question at a time — take the facilitator's proposal ("Ja, vi tar 400") or give
// another figure, optionally with a source or a reason; on a question the facilitator set to
// three figures, the phone's own lowest, likely and highest. Presenter: every figure as a dot
// on a number line with median, Q1–Q3 and the proposal; three-point questions as a range chart
// (lanes of lowest, likely and highest figures). Console: per question the spread, in round 2
// how much it narrowed, the figures with their sources, a proposal field, the proposal from the
// answers with its source text to adopt into the draft analysis, and the lowest/likely/highest
// form that saves the values (prefilled from the spread).
import { clear, fmt, whileSending } from "../core.js";
import { num, rangeChart, spreadChart } from "../result_charts.js";
import { limitText } from "./_limit.js";

// Where each phone is in the list of questions, kept across redraws of the activity.
const phonePos = new Map();
// Console: what the facilitator has typed but not saved, which <details> are open, and which
// row has focus — kept across the redraws that every arriving figure causes.
const edits = new Map();
const openDetails = new Set();
// The last save message per row, so the redraw that the save itself causes keeps it visible.
const rowStatus = new Map();

/** "1 700,5" → "1700,5": what the server's number parser reads (spaces, minus sign). */
function cleanNumber(s) {
  return String(s ?? "").replace(/[\s\u00a0\u202f\u2009']/g, "").replace(/\u2212/g, "-");
}

/** Parse a Swedish figure in the browser: NaN when it is not one. */
function parseNumber(s) {
  const c = cleanNumber(s).replace(",", ".");
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(c) ? Number(c) : NaN;
}

/** A figure for an input field: Swedish decimal comma, no grouping. */
function inputText(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  const rounded = Math.round(v * 10000) / 10000;
  return String(rounded).replace(".", ",");
}

function range(a, b) {
  return a === b ? num(a) : `${num(a)}–${num(b)}`;
}

function withUnit(v, unit) {
  return unit ? `${num(v)} ${unit}` : num(v);
}

function triple(a, b, c, unit) {
  const text = `${num(a)} / ${num(b)} / ${num(c)}`;
  return unit ? `${text} ${unit}` : text;
}

/** What a phone's saved answer says ("Saved: 400", "Saved: 300 / 400 / 600 besök"). */
function savedText(t, d, unit) {
  if (d.low !== null && d.low !== undefined) return t("estimates.saved_value", { v: triple(d.low, d.value, d.high, unit) });
  return d.accepted ? t("estimates.saved_accepted", { v: withUnit(d.value, unit) }) : t("estimates.saved_value", { v: withUnit(d.value, unit) });
}

/** The three lanes of a three-point row: lowest, likely and highest figures (round 1 under them). */
function lanesOf(t, row, { values = true } = {}) {
  const r = row.range || null;
  const pr = row.previous_range || null;
  const strip = (s) => (s && !values ? { ...s, values: [] } : s || null);
  return [
    { key: "low", label: t("estimates.low"), spread: strip(r && r.low), previous: pr && pr.low },
    { key: "likely", label: t("estimates.likely"), spread: strip(row.spread), previous: row.previous || null },
    { key: "high", label: t("estimates.high"), spread: strip(r && r.high), previous: pr && pr.high },
  ];
}

function rangeSummary(t, row, lanes) {
  const n = row.range ? row.range.n : row.spread ? row.spread.n : 0;
  const parts = [t("estimates.n", { n })];
  for (const lane of lanes) {
    if (lane.spread) {
      parts.push(t("estimates.lane_summary", { label: lane.label, median: num(lane.spread.median),
        q1: num(lane.spread.q1), q3: num(lane.spread.q3), min: num(lane.spread.min), max: num(lane.spread.max) }));
    }
  }
  if (row.proposal !== null && row.proposal !== undefined) parts.push(t("estimates.chart_proposal", { v: num(row.proposal) }));
  return parts.join(" ");
}

/** The latest own answer per (row, round). */
function ownAnswers(mine) {
  const out = new Map();
  for (const m of [...(mine || [])].sort((a, b) => (a.id || 0) - (b.id || 0))) {
    const d = m.data || {};
    if (typeof d.row === "number") out.set(`${d.row}:${d.round || 1}`, d);
  }
  return out;
}

function spreadSummary(t, s, proposal, previous) {
  if (!s && !previous) return "";
  const parts = [];
  if (s) parts.push(t("estimates.chart_label", { n: s.n, min: num(s.min), max: num(s.max), median: num(s.median), q1: num(s.q1), q3: num(s.q3) }));
  if (proposal !== null && proposal !== undefined) parts.push(t("estimates.chart_proposal", { v: num(proposal) }));
  if (previous) parts.push(t("estimates.chart_previous", { median: num(previous.median), q1: num(previous.q1), q3: num(previous.q3) }));
  return parts.join(" ");
}

/** The spread chart of one aggregate row plus a line of numbers, or a "no figures" note.
 * `chart` (optional) overrides the chart's size options (width/font/r in pixels). */
function spreadBlock(el, t, row, size, chart = {}) {
  const s = row.spread;
  const prev = row.previous;
  const box = el("div", { class: `est-spread size-${size}` });
  if (!s && !prev) {
    box.append(el("p", { class: "empty", text: t("estimates.no_figures") }));
    return box;
  }
  if (row.three_point) return rangeBlock(el, t, row, size, chart, box);
  const svg = spreadChart(el, {
    values: s ? s.values : [],
    spread: s,
    previous: prev,
    proposal: row.proposal,
    size,
    labels: {
      proposal: `${t("estimates.proposal")} ${num(row.proposal)}`,
      round1: t("estimates.round1"),
      summary: spreadSummary(t, s, row.proposal, prev),
    },
    ...chart,
  });
  if (svg) box.append(svg);
  const stats = el("dl", { class: "est-stats" });
  const stat = (label, value, cls = "") => stats.append(el("div", { class: `est-stat ${cls}` }, el("dt", { text: label }), el("dd", { text: value })));
  if (s) {
    stat(t("estimates.median"), withUnit(s.median, row.unit), "median");
    stat(t("estimates.quartiles"), range(s.q1, s.q3));
    if (size !== "grid") stat(t("estimates.min_max"), range(s.min, s.max));
    stat(t("estimates.count"), fmt(s.n));
  } else {
    stat(t("estimates.count"), "0");
  }
  if (row.proposal !== null && row.proposal !== undefined && size !== "large") stat(t("estimates.proposal"), withUnit(row.proposal, row.unit), "proposal");
  box.append(stats);
  if (prev) {
    box.append(el("p", { class: "est-prev-stats", text: t("estimates.first_round", {
      median: withUnit(prev.median, row.unit), q1: num(prev.q1), q3: num(prev.q3), n: prev.n }) }));
  }
  return box;
}

/** A three-point row: the range chart and the medians of the three figures. */
function rangeBlock(el, t, row, size, chart, box) {
  const lanes = lanesOf(t, row);
  const svg = rangeChart(el, { lanes, proposal: row.proposal, size,
    labels: { proposal: `${t("estimates.proposal")} ${num(row.proposal)}`, summary: rangeSummary(t, row, lanes) }, ...chart });
  if (svg) box.append(svg);
  const stats = el("dl", { class: "est-stats" });
  const stat = (label, value, cls = "") => stats.append(el("div", { class: `est-stat ${cls}` }, el("dt", { text: label }), el("dd", { text: value })));
  const r = row.range;
  if (r && r.low && r.high && row.spread) {
    stat(t("estimates.medians"), triple(r.low.median, row.spread.median, r.high.median, row.unit), "median");
    if (size !== "grid") stat(t("estimates.quartiles"), range(row.spread.q1, row.spread.q3));
    stat(t("estimates.count"), fmt(r.n));
  } else {
    stat(t("estimates.count"), fmt(row.spread ? row.spread.n : 0));
  }
  if (row.proposal !== null && row.proposal !== undefined && size !== "large") stat(t("estimates.proposal"), withUnit(row.proposal, row.unit), "proposal");
  box.append(stats);
  const pr = row.previous_range;
  if (pr && pr.low && pr.high && row.previous) {
    box.append(el("p", { class: "est-prev-stats", text: t("estimates.first_round_range", {
      v: triple(pr.low.median, row.previous.median, pr.high.median, row.unit), n: pr.n }) }));
  }
  return box;
}

// --- phone -----------------------------------------------------------------------------------
export function phone({ root, activity, mine, results, closed, submit, t, el }) {
  let res = results;
  let content = (results && results.content) || null;
  const answers = ownAnswers(mine);
  if (!phonePos.has(activity.id)) phonePos.set(activity.id, { index: 0, focus: null, typed: {} });
  const pos = phonePos.get(activity.id);

  const announce = el("p", { class: "est-flash", role: "status", "aria-live": "polite" });
  const card = el("div", { class: "est-phone" });
  const resultBox = el("div", { class: "phone-results est-phone-results", "aria-live": "polite" });
  root.append(announce, card, resultBox);
  let formSig = "";
  let lastStatus = "";

  const rows = () => (content && content.rows) || [];
  const round = () => (content && content.round) || activity.config.round || 1;
  const answerOf = (row) => answers.get(`${row.id}:${round()}`) || null;

  function followFocus() {
    const focus = content ? content.focus : null;
    if (focus && focus !== pos.focus) {
      const i = rows().findIndex((r) => r.id === focus);
      if (i >= 0) pos.index = i;
    }
    pos.focus = focus;
    pos.index = Math.min(Math.max(0, pos.index), Math.max(0, rows().length - 1));
  }

  function go(delta) {
    pos.index = Math.min(Math.max(0, pos.index + delta), rows().length - 1);
    lastStatus = "";
    announce.textContent = "";
    draw(true);
  }

  async function send(row, payload, button) {
    const typed = pos.typed[row.id] || {};
    const error = card.querySelector(".error");
    error.textContent = "";
    // Source and reason sit outside the answer's form: a text over its limit stops either send.
    const over = card.querySelector("[data-over='true']");
    if (over) {
      over.focus();
      return;
    }
    const status = card.querySelector(".est-status");
    status.textContent = t("sending");
    const ack = await whileSending(button, () => submit({ row: row.id, source: (typed.source || "").trim(), reason: (typed.reason || "").trim(), ...payload }));
    if (!ack) return;
    if (ack.ok) {
      answers.set(`${row.id}:${ack.data.round || round()}`, ack.data);
      lastStatus = savedText(t, ack.data, row.unit);
      typed.value = "";
      typed.low = typed.likely = typed.high = "";
      const next = rows().findIndex((r, i) => i > pos.index && !answerOf(r));
      const first = rows().findIndex((r) => !answerOf(r));
      const target = next >= 0 ? next : first;
      if (target >= 0 && target !== pos.index) {
        pos.index = target;
        announce.textContent = `✓ ${lastStatus}`;
        lastStatus = "";
        draw(true);
      } else {
        announce.textContent = target < 0 ? `✓ ${t("estimates.all_done")}` : "";
        draw(false);
      }
    } else if (ack.pending) {
      status.textContent = t("offline");
    } else {
      status.textContent = "";
      error.textContent = ack.error.message;
      // The field the server names (lowest above likely …) is marked, and takes focus.
      const names = { low: "low", value: "likely", high: "high" };
      const field = Object.keys(ack.error.fields || {}).map((k) => names[k]).find(Boolean);
      const input = field ? card.querySelector(`[data-three="${field}"]`) : null;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    }
  }

  function draw(moveFocus) {
    followFocus();
    const list = rows();
    const row = list[pos.index];
    const own = row ? answerOf(row) : null;
    const sig = JSON.stringify([row, round(), closed, own, lastStatus, list.length, list.map((r) => Boolean(answerOf(r)))]);
    if (sig === formSig && !moveFocus) return drawResults();
    formSig = sig;
    clear(card);
    if (!row) {
      card.append(el("p", { class: "waiting", text: t("estimates.no_rows") }));
      return drawResults();
    }
    const typed = (pos.typed[row.id] = pos.typed[row.id] || { value: "", source: "", reason: "" });
    const done = list.filter((r) => answerOf(r)).length;
    const meter = el("span", { class: "est-meter", "aria-hidden": "true" }, list.map((r, i) =>
      el("span", { class: `est-pip${answerOf(r) ? " done" : ""}${i === pos.index ? " here" : ""}` })));
    card.append(el("p", { class: "est-progress" },
      el("span", { text: t("estimates.progress", { i: pos.index + 1, n: list.length }) }),
      round() === 2 ? el("span", { class: "est-round-tag", text: t("estimates.round", { n: 2 }) }) : null,
      meter,
      el("span", { class: "sr-only", text: t("estimates.n_answered", { n: done, total: list.length }) })));

    const qid = `est-q-${activity.id}-${row.id}`;
    const heading = el("h2", { class: "est-question", id: qid, tabindex: "-1", text: row.label });
    card.append(el("p", { class: "est-item", text: row.item }), heading);
    if (row.unit) card.append(el("p", { class: "est-unit", text: row.unit }));

    if (round() === 2) {
      const first = answers.get(`${row.id}:1`);
      const prevBox = el("div", { class: "est-prev" }, el("p", { class: "est-prev-help", text: t("estimates.round2_help") }));
      const pr = row.three_point ? row.previous_range : null;
      if (pr && pr.low && pr.high && row.previous) {
        prevBox.append(el("p", { class: "est-prev-line", text: t("estimates.first_round_range", {
          v: triple(pr.low.median, row.previous.median, pr.high.median, row.unit), n: pr.n }) }));
        const svg = rangeChart(el, { lanes: lanesOf(t, { ...row, range: null, spread: null }), size: "phone", labels: { summary: "" } });
        if (svg) {
          svg.setAttribute("aria-hidden", "true");
          prevBox.append(svg);
        }
      } else if (row.previous) {
        prevBox.append(el("p", { class: "est-prev-line", text: t("estimates.first_round", {
          median: withUnit(row.previous.median, row.unit), q1: num(row.previous.q1), q3: num(row.previous.q3), n: row.previous.n,
        }) }));
        const svg = spreadChart(el, { values: [], spread: row.previous, proposal: first ? first.value : null, size: "phone",
          labels: { proposal: first ? num(first.value) : "", summary: "" } });
        if (svg) {
          svg.setAttribute("aria-hidden", "true");
          prevBox.append(svg);
        }
      }
      if (first) {
        const mineText = first.low !== null && first.low !== undefined ? triple(first.low, first.value, first.high, row.unit) : withUnit(first.value, row.unit);
        prevBox.append(el("p", { class: "est-prev-mine", text: t("estimates.your_first", { v: mineText }) }));
      }
      card.append(prevBox);
    }

    // Optional source and reason: they go with either answer.
    const srcId = `est-src-${row.id}`;
    const whyId = `est-why-${row.id}`;
    const source = el("input", { id: srcId, autocomplete: "off", value: typed.source, disabled: closed, "aria-describedby": `${srcId}-h` });
    const reason = el("textarea", { id: whyId, rows: "2", disabled: closed, "aria-describedby": `${whyId}-h` });
    reason.value = typed.reason;
    source.addEventListener("input", () => { typed.source = source.value; });
    reason.addEventListener("input", () => { typed.reason = reason.value; });
    const more = el("details", { class: "est-more", open: Boolean(typed.source || typed.reason) },
      el("summary", { text: t("estimates.more") }),
      el("label", { for: srcId, text: t("estimates.source") }), source, limitText(source, activity.limits?.source, { el }),
      el("p", { class: "help", id: `${srcId}-h`, text: t("estimates.source_help") }),
      el("label", { for: whyId, text: t("estimates.reason") }), reason, limitText(reason, activity.limits?.reason, { el }),
      el("p", { class: "help", id: `${whyId}-h`, text: t("estimates.reason_help") }));

    const error = el("p", { class: "error", role: "alert", id: `est-err-${activity.id}-${row.id}` });
    const status = el("p", { class: "status est-status", role: "status", text: lastStatus || (own ? savedText(t, own, row.unit) : "") });

    const answerBox = el("div", { class: "est-answer" });
    if (row.three_point) {
      answerBox.append(threeForm(row, own, typed, error));
    } else {
      if (row.proposal !== null && row.proposal !== undefined) {
        const take = el("button", { type: "button", class: "primary big est-take", disabled: closed,
          "aria-pressed": own && own.accepted && own.value === row.proposal ? "true" : null,
          text: t("estimates.take", { v: withUnit(row.proposal, row.unit) }) });
        take.addEventListener("click", () => send(row, { accept: true, value: null }, take));
        answerBox.append(take);
      }
      const inputId = `est-v-${activity.id}-${row.id}`;
      const value = el("input", { id: inputId, class: "est-value", inputmode: "decimal", autocomplete: "off", enterkeyhint: "send",
        disabled: closed, "aria-describedby": `${inputId}-h est-err-${activity.id}-${row.id}`, value: typed.value || (own && !own.accepted ? inputText(own.value) : "") });
      value.addEventListener("input", () => { typed.value = value.value; error.textContent = ""; });
      const sendOwn = el("button", { type: "submit", class: row.proposal === null || row.proposal === undefined ? "primary big" : "big", disabled: closed, text: t("estimates.send_other") });
      const form = el("form", { class: "est-own", novalidate: true },
        el("label", { for: inputId, class: "est-other-label" }, t("estimates.other"), row.unit ? el("span", { class: "muted", text: ` (${row.unit})` }) : null),
        el("div", { class: "est-own-row" }, value, sendOwn),
        el("p", { class: "help", id: `${inputId}-h`, text: t("estimates.other_help") }),
        error);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        if (Number.isNaN(parseNumber(value.value))) {
          error.textContent = t("estimates.need_number");
          value.setAttribute("aria-invalid", "true");
          value.focus();
          return;
        }
        value.removeAttribute("aria-invalid");
        send(row, { accept: false, value: cleanNumber(value.value) }, sendOwn);
      });
      answerBox.append(form);
    }
    card.append(more, answerBox, status);

    const prev = el("button", { type: "button", class: "est-nav-prev", disabled: pos.index === 0, onclick: () => go(-1) },
      el("span", { "aria-hidden": "true", text: "← " }), t("estimates.prev"));
    const next = el("button", { type: "button", class: "est-nav-next", disabled: pos.index >= list.length - 1, onclick: () => go(1) },
      t("estimates.next"), el("span", { "aria-hidden": "true", text: " →" }));
    card.append(el("nav", { class: "est-nav", "aria-label": t("estimates.progress", { i: pos.index + 1, n: list.length }) }, prev, next));
    if (moveFocus) heading.focus();
    drawResults();
  }

  /** Lowest, likely and highest of the phone's own, checked here before they go (the server
   * checks again with the one number reader). */
  function threeForm(row, own, typed, error) {
    const keys = ["low", "likely", "high"];
    const ownOf = (k) => (own && own.low !== null && own.low !== undefined ? inputText(k === "likely" ? own.value : own[k]) : "");
    const inputs = {};
    const helpId = `est-3h-${activity.id}-${row.id}`;
    const errId = `est-err-${activity.id}-${row.id}`;
    const cells = keys.map((k) => {
      const id = `est-3${k}-${activity.id}-${row.id}`;
      const input = el("input", { id, class: "est-value est-three-value", inputmode: "decimal", autocomplete: "off", disabled: closed,
        "aria-describedby": `${helpId} ${errId}`, dataset: { three: k },
        value: typed[k] || ownOf(k) || (k === "likely" && row.proposal !== null && row.proposal !== undefined && !own ? inputText(row.proposal) : "") });
      input.addEventListener("input", () => {
        typed[k] = input.value;
        input.removeAttribute("aria-invalid");
        error.textContent = "";
      });
      inputs[k] = input;
      return el("div", { class: "est-three-cell" }, el("label", { for: id, text: t(`estimates.${k}`) }), input);
    });
    const button = el("button", { type: "submit", class: "primary big", disabled: closed, text: t("estimates.send_three") });
    const form = el("form", { class: "est-own est-three", novalidate: true },
      el("fieldset", {},
        el("legend", { class: "est-other-label" }, t("estimates.three_legend"), row.unit ? el("span", { class: "muted", text: ` (${row.unit})` }) : null),
        el("p", { class: "help", id: helpId, text: t("estimates.three_help") }),
        row.proposal !== null && row.proposal !== undefined
          ? el("p", { class: "est-three-proposal", text: t("estimates.proposal_is", { v: withUnit(row.proposal, row.unit) }) }) : null,
        el("div", { class: "est-three-cells" }, cells)),
      button, error);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      for (const k of keys) inputs[k].removeAttribute("aria-invalid");
      const n = Object.fromEntries(keys.map((k) => [k, inputs[k].value.trim() ? parseNumber(inputs[k].value) : NaN]));
      const bad = keys.find((k) => Number.isNaN(n[k]));
      const wrong = bad || (n.low > n.likely ? "low" : n.likely > n.high ? "high" : null);
      if (wrong) {
        error.textContent = bad ? t("estimates.need_three") : t("estimates.order_error");
        inputs[wrong].setAttribute("aria-invalid", "true");
        inputs[wrong].focus();
        return;
      }
      send(row, { accept: false, low: cleanNumber(inputs.low.value), value: cleanNumber(inputs.likely.value), high: cleanNumber(inputs.high.value) }, button);
    });
    return form;
  }

  function drawResults() {
    clear(resultBox);
    const row = rows()[pos.index];
    const agg = res && res.visible ? res.aggregate : null;
    // In round 2 the card shows the round-1 spread; the room's new figures stay unseen, so
    // every phone answers on its own again.
    if (!row || !agg || !agg.rows || round() === 2) return;
    const a = agg.rows.find((r) => r.id === row.id);
    if (a) resultBox.append(spreadBlock(el, t, a, "phone"));
  }

  draw(false);
  return {
    update(newResults, newMine) {
      res = newResults;
      if (newResults && newResults.content) content = newResults.content;
      for (const [k, v] of ownAnswers(newMine)) answers.set(k, v);
      draw(false);
    },
  };
}

// --- presenter -------------------------------------------------------------------------------
function vh(n) {
  return (window.innerHeight || 1080) * n / 100;
}

/** The calculation's headline as it stands: it moves as the facilitator sets figures. */
function liveResult(el, t, result) {
  if (!result) return null;
  const k = result.per_krona === null ? t("vocab.measure.cannot_compute") : fmt(result.per_krona, 2);
  return el("p", { class: "est-live-result", role: "status", text: t("estimates.live_result", { v: fmt(result.nettonytta), k }) });
}

export function presenter({ root, results, t, el }) {
  const agg = results.aggregate;
  if (!agg || agg.empty || !agg.rows.length) {
    clear(root).append(el("p", { class: "pres-hidden", text: t("estimates.no_draft") }));
    return;
  }
  const meta = el("p", { class: "est-meta" },
    el("span", { class: "est-round-tag", text: t("estimates.round", { n: agg.round }) }), " ",
    t("estimates.rows_answered", { a: agg.answered_rows, n: agg.rows.length }));
  const focus = agg.focus ? agg.rows.find((r) => r.id === agg.focus) : null;
  if (focus) {
    // One question, large: the chart is drawn at the width of the screen.
    const slot = el("div", { class: "est-slot" });
    clear(root).append(el("div", { class: "est-pres focus" }, meta,
      el("h2", { class: "est-pres-q", text: focus.label }),
      el("p", { class: "est-pres-item", text: [focus.item, focus.unit].filter(Boolean).join(" · ") }),
      slot, liveResult(el, t, agg.result)));
    // The chart takes the slot's height at most: the live result under it is never overprinted.
    const size = focus.three_point
      ? { width: slot.clientWidth, height: Math.max(vh(18), slot.clientHeight - vh(8)), font: vh(2.6), r: vh(1) }
      : { width: slot.clientWidth, font: vh(2.8), r: vh(1.4), maxLevels: 6 };
    slot.append(spreadBlock(el, t, focus, "large", size));
    return;
  }
  // Every question as one line: the question, a strip of dots and the median.
  const shown = agg.rows; // all of them: the presenter pages a long list (kinds/_fit.js)
  const slots = [];
  const list = el("ol", { class: "est-pres-list" }, shown.map((r) => {
    const slot = el("div", { class: "est-strip" });
    slots.push([slot, r]);
    const s = r.spread;
    const rg = r.three_point && r.range && r.range.low && r.range.high ? r.range : null;
    return el("li", { class: `est-pres-row${r.three_point ? " three" : ""}` },
      el("div", { class: "est-pres-label" }, el("span", { class: "est-pres-q small", text: r.label }),
        r.unit ? el("span", { class: "est-pres-unit", text: r.unit }) : null),
      slot,
      el("div", { class: "est-pres-num" }, s
        ? [el("span", { class: "est-pres-median", text: num(s.median) }),
          rg ? el("span", { class: "est-pres-range", text: range(rg.low.median, rg.high.median) }) : null,
          el("span", { class: "est-pres-n", text: t("estimates.n", { n: s.n }) })]
        : el("span", { class: "est-pres-n", text: t("estimates.no_figures") })));
  }));
  clear(root).append(el("div", { class: "est-pres" }, meta, list, liveResult(el, t, agg.result)));
  for (const [slot, r] of slots) {
    if (!r.spread && !r.previous) continue;
    if (r.three_point) {
      const lanes = lanesOf(t, r);
      const svg = rangeChart(el, { lanes, proposal: r.proposal, size: "grid", width: slot.clientWidth, height: vh(14),
        font: vh(1.7), r: vh(0.55), ticks: 4, labels: { proposal: num(r.proposal), summary: rangeSummary(t, r, lanes) } });
      if (svg) slot.append(svg);
      continue;
    }
    const svg = spreadChart(el, {
      values: r.spread ? r.spread.values : [], spread: r.spread, previous: r.previous, proposal: r.proposal, size: "grid",
      width: slot.clientWidth, font: vh(1.9), r: vh(0.85), maxLevels: 2, ticks: 4,
      labels: { proposal: num(r.proposal), round1: t("estimates.round1"),
        summary: spreadSummary(t, r.spread, r.proposal, r.previous) },
    });
    if (svg) slot.append(svg);
  }
}

/** Results still hidden: a question the facilitator shows large appears at once, without the
 * room's figures (they come with "Show results"). */
export function presenterHidden({ root, results, t, el }) {
  const content = results.content;
  const focus = content && content.focus ? (content.rows || []).find((r) => r.id === content.focus) : null;
  if (!focus) return false;
  clear(root).append(el("div", { class: "est-pres focus" },
    el("p", { class: "est-meta" }, el("span", { class: "est-round-tag", text: t("estimates.round", { n: content.round }) })),
    el("h2", { class: "est-pres-q", text: focus.label }),
    el("p", { class: "est-pres-item", text: [focus.item, focus.unit].filter(Boolean).join(" · ") }),
    focus.proposal !== null && focus.proposal !== undefined
      ? el("p", { class: "est-pres-proposal", text: t("estimates.proposal_is", { v: withUnit(focus.proposal, focus.unit) }) }) : null,
    el("p", { class: "pres-hidden", text: t("results_hidden") })));
  return true;
}

// --- console ---------------------------------------------------------------------------------
function keepFocus(root, draw) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.fkey : null;
  const sel = key && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  draw();
  if (!key) return;
  const again = root.querySelector(`[data-fkey="${CSS.escape(key)}"]`);
  if (!again) return;
  again.focus({ preventScroll: true });
  if (sel && typeof again.setSelectionRange === "function") {
    try {
      again.setSelectionRange(sel[0], sel[1]);
    } catch {
      /* not a text field */
    }
  }
}

function fieldInput(el, key, initial, attrs = {}) {
  const saved = edits.get(key);
  const input = el("input", { ...attrs, value: saved !== undefined ? saved : initial, dataset: { fkey: key } });
  input.addEventListener("input", () => edits.set(key, input.value));
  return input;
}

function details(el, key, summary, ...children) {
  const d = el("details", { class: "est-details", open: openDetails.has(key) }, el("summary", {}, summary), ...children);
  d.addEventListener("toggle", () => (d.open ? openDetails.add(key) : openDetails.delete(key)));
  return d;
}

/** All rows of the draft's calculation blocks (for choosing which to ask). */
function draftRows(draft) {
  if (!draft) return [];
  const out = [];
  for (const n of draft.nodes || []) {
    if (n.status !== "visible" || !n.block) continue;
    for (const r of n.block.rows) out.push({ id: r.id, label: r.label || r.name, item: n.title, unit: r.unit });
  }
  return out;
}

function rowChooser(el, t, activity, draft, configure) {
  const all = draftRows(draft);
  if (!all.length) return null;
  const chosen = new Set(activity.config.rows || []);
  const boxes = all.map((r) => {
    const key = `choose:${r.id}`;
    const box = el("input", { type: "checkbox", value: String(r.id), dataset: { fkey: key },
      checked: edits.has(key) ? edits.get(key) : !chosen.size || chosen.has(r.id) });
    box.addEventListener("change", () => edits.set(key, box.checked));
    return el("label", { class: "check est-choice" }, box,
      el("span", {}, r.label, el("span", { class: "muted", text: ` · ${r.item}` })));
  });
  const forget = () => all.forEach((r) => edits.delete(`choose:${r.id}`));
  const fs = el("fieldset", { class: "est-choose" }, el("legend", { class: "sr-only", text: t("estimates.choose_rows") }), boxes);
  const save = el("button", { type: "button", class: "primary", text: t("estimates.save_rows") });
  save.addEventListener("click", () => {
    const ids = [...fs.querySelectorAll("input:checked")].map((i) => Number(i.value));
    forget();
    configure({ rows: ids.length === all.length ? [] : ids });
  });
  const askAll = el("button", { type: "button", text: t("estimates.ask_all"), onclick: () => { forget(); configure({ rows: [] }); } });
  const count = chosen.size ? all.filter((r) => chosen.has(r.id)).length : all.length;
  return details(el, "choose", `${t("estimates.choose_rows")} (${count} / ${all.length})`, fs, el("p", { class: "est-actions" }, save, askAll));
}

function figureList(el, t, items, row, round, moderate) {
  const figs = items.filter((i) => i.row === row.id && (i.round === round || (round === 2 && i.round === 1)))
    .sort((a, b) => b.round - a.round || a.value - b.value);
  if (!figs.length) return null;
  const list = el("ul", { class: "est-figures" }, figs.map((f) => el("li", { class: "est-figure", dataset: { status: f.status } },
    el("span", { class: "est-figure-value", text: f.low !== null && f.low !== undefined ? triple(f.low, f.value, f.high, row.unit) : withUnit(f.value, row.unit) }),
    round === 2 ? el("span", { class: "est-tag", text: t("estimates.round", { n: f.round }) }) : null,
    f.accepted ? el("span", { class: "est-tag accepted", text: t("estimates.accepted_tag") }) : null,
    f.status === "hidden" ? el("span", { class: "est-tag hidden", text: t("estimates.hidden_tag") }) : null,
    el("span", { class: "est-figure-who muted", text: [f.nickname, f.perspective].filter(Boolean).join(" · ") }),
    f.source ? el("span", { class: "est-figure-src" }, el("strong", { text: `${t("estimates.source")}: ` }), f.source) : null,
    f.reason ? el("span", { class: "est-figure-why" }, el("strong", { text: `${t("estimates.reason")}: ` }), f.reason) : null,
    el("button", { type: "button", class: "est-mod", dataset: { fkey: `mod:${f.id}` },
      onclick: () => moderate(f.id, f.status === "hidden" ? "show" : "hide") },
    f.status === "hidden" ? t("estimates.show") : t("estimates.hide")))));
  return details(el, `figs:${row.id}`, t("estimates.figures_heading", { n: figs.filter((f) => f.round === round).length }), list);
}

/** "12 % narrower", "5 % wider", "unchanged"; nothing when round 1 had no spread to compare. */
function changeText(t, change) {
  if (change === null || change === undefined) return "";
  if (Math.abs(change) < 0.005) return t("estimates.unchanged");
  return change < 0 ? t("estimates.narrowed", { pct: `${fmt(-change * 100)}\u00a0%` }) : t("estimates.widened", { pct: `${fmt(change * 100)}\u00a0%` });
}

/** Round 2: how the interquartile range moved from round 1, for the likely figures and for the
 * width of each answer's range. */
function narrowingBox(el, t, row) {
  const n = row.narrowing;
  if (!n) return null;
  const lines = [];
  if (n.likely) {
    lines.push(el("li", { class: "est-narrow-likely" },
      el("strong", { text: `${t("estimates.likely")}: ` }),
      t("estimates.narrow_iqr", { before: withUnit(n.likely.before, row.unit), after: withUnit(n.likely.after, row.unit) }),
      n.likely.change !== null ? el("span", { class: "est-narrow-change", dataset: { dir: n.likely.change < 0 ? "narrower" : "wider" }, text: ` (${changeText(t, n.likely.change)})` }) : null));
  }
  if (n.width) {
    const before = row.previous_range && row.previous_range.width;
    const after = row.range && row.range.width;
    lines.push(el("li", { class: "est-narrow-width" },
      el("strong", { text: `${t("estimates.width")}: ` }),
      t("estimates.narrow_iqr", { before: withUnit(n.width.before, row.unit), after: withUnit(n.width.after, row.unit) }),
      n.width.change !== null ? el("span", { class: "est-narrow-change", dataset: { dir: n.width.change < 0 ? "narrower" : "wider" }, text: ` (${changeText(t, n.width.change)})` }) : null,
      before && after ? `; ${t("estimates.narrow_median", { before: num(before.median), after: num(after.median) })}` : null));
  }
  return el("div", { class: "est-narrow" }, el("h4", { text: t("estimates.narrowing_heading") }), el("ul", {}, lines));
}

/** The source text that goes with the proposal: the day, how many answered, the spread. */
function proposalSource(t, sug, row) {
  const method = t(`estimates.method_${sug.method}`);
  const date = sug.date || new Date().toISOString().slice(0, 10);
  let text = t("estimates.proposal_source", { n: sug.n, date, round: sug.round, method, iqr: withUnit(sug.iqr, row.unit) });
  if (sug.iqr_round1 !== null && sug.iqr_round1 !== undefined) {
    text += ` ${t("estimates.proposal_source_r1", { n: sug.n_round1, iqr: withUnit(sug.iqr_round1, row.unit) })}`;
  }
  return text;
}

function rowCard(el, t, ctx, agg, row) {
  const { activity, draft, configure, moderate, results } = ctx;
  const status = el("p", { class: "est-row-status", role: "status" });
  const shown = rowStatus.get(row.id);
  if (shown && Date.now() - shown.at < 8000) {
    status.dataset.state = shown.state;
    status.textContent = shown.text;
  }
  const report = (ack, okText) => {
    const state = ack && ack.ok ? "ok" : "error";
    const text = ack && ack.ok ? okText : (ack && ack.error ? ack.error.message : t("error"));
    rowStatus.set(row.id, { state, text, at: Date.now() });
    status.dataset.state = state;
    status.textContent = text;
  };
  const onScreen = agg.focus === row.id;
  // Per question: one figure, or each phone's own lowest, likely and highest.
  const threeId = `est-three-${row.id}`;
  const threeBox = el("input", { type: "checkbox", id: threeId, checked: Boolean(row.three_point), dataset: { fkey: `three:${row.id}` } });
  threeBox.addEventListener("change", () => {
    const chosen = new Set(activity.config.three_point || []);
    if (threeBox.checked) chosen.add(row.id);
    else chosen.delete(row.id);
    configure({ three_point: [...chosen] });
  });
  const head = el("div", { class: "est-row-head" },
    el("div", {}, el("h3", { class: "est-row-q", text: row.unit ? `${row.label} (${row.unit})` : row.label }),
      el("p", { class: "est-row-item muted", text: `${row.item} · ${row.name}` }),
      el("p", { class: "est-three-toggle" }, el("label", { class: "check", for: threeId }, threeBox, t("estimates.ask_three")))),
    el("button", { type: "button", class: "est-screen", "aria-pressed": String(onScreen), dataset: { fkey: `screen:${row.id}` },
      onclick: () => configure({ focus: onScreen ? null : row.id }) }, onScreen ? t("estimates.on_screen") : t("estimates.show_on_screen")));

  // Proposal ("Ska vi ta 400?").
  const pKey = `${row.id}:proposal`;
  const pId = `est-prop-${row.id}`;
  const pInput = fieldInput(el, pKey, inputText(row.proposal), { id: pId, inputmode: "decimal", autocomplete: "off", class: "est-num" });
  const propose = el("form", { class: "est-propose", novalidate: true },
    el("label", { for: pId, text: t("estimates.propose_label") }),
    el("div", { class: "est-inline" }, pInput,
      el("button", { type: "submit", class: "primary", dataset: { fkey: `${pKey}:go` }, text: t("estimates.propose") }),
      row.proposal !== null && row.proposal !== undefined
        ? el("button", { type: "button", dataset: { fkey: `${pKey}:clear` }, text: t("estimates.clear_proposal"), onclick: async () => {
          edits.delete(pKey);
          report(await draft("row.update", { id: row.id, data: { proposal: null } }), t("estimates.saved"));
        } }) : null));
  propose.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = pInput.value.trim();
    if (v && Number.isNaN(parseNumber(v))) return report({ ok: false, error: { message: t("estimates.need_number") } });
    const ack = await draft("row.update", { id: row.id, data: { proposal: v ? cleanNumber(v) : null } });
    if (ack.ok) edits.delete(pKey);
    report(ack, t("estimates.saved"));
  });

  // Lowest / likely / highest + source, prefilled from the spread when nothing is saved yet.
  const sug = row.suggestion;
  const unsaved = row.low === null && row.likely === null && row.high === null;
  const init = (k) => inputText(row[k] !== null && row[k] !== undefined ? row[k] : unsaved && sug ? sug[k] : null);
  const methodName = sug ? t(`estimates.method_${sug.method}`) : "";
  const autoSource = sug ? proposalSource(t, sug, row) : "";
  const vals = {};
  const cells = ["low", "likely", "high"].map((k) => {
    const id = `est-${k}-${row.id}`;
    vals[k] = fieldInput(el, `${row.id}:${k}`, init(k), { id, inputmode: "decimal", autocomplete: "off", class: "est-num" });
    return el("div", { class: "est-cell" }, el("label", { for: id, text: t(`estimates.${k}`) }), vals[k]);
  });
  const srcId = `est-source-${row.id}`;
  const src = fieldInput(el, `${row.id}:source`, row.source || (unsaved && sug ? autoSource : ""), { id: srcId, maxlength: "5000", autocomplete: "off" });
  const fill = sug ? el("button", { type: "button", class: "link est-fill", dataset: { fkey: `${row.id}:fill` },
    text: t("estimates.fill_suggestion", { low: num(sug.low), likely: num(sug.likely), high: num(sug.high) }),
    onclick: () => {
      for (const k of ["low", "likely", "high"]) {
        vals[k].value = inputText(sug[k]);
        edits.set(`${row.id}:${k}`, vals[k].value);
      }
      if (!src.value.trim()) {
        src.value = autoSource;
        edits.set(`${row.id}:source`, src.value);
      }
      vals.likely.focus();
    } }) : null;
  const prefilled = unsaved && sug && !["low", "likely", "high"].some((k) => edits.has(`${row.id}:${k}`));
  const form = el("form", { class: "est-values", novalidate: true },
    el("fieldset", {}, el("legend", { text: t("estimates.values_heading") }),
      prefilled ? el("p", { class: "est-prefilled", text: t("estimates.prefilled", { method: methodName }) }) : null,
      el("div", { class: "est-cells" }, cells),
      el("label", { for: srcId, text: t("estimates.row_source") }), src,
      el("p", { class: "est-actions" },
        el("button", { type: "submit", dataset: { fkey: `${row.id}:save` }, text: t("estimates.save_values") }))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const raw = Object.fromEntries(["low", "likely", "high"].map((k) => [k, vals[k].value.trim()]));
    const n = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v ? parseNumber(v) : null]));
    if (Object.values(n).some((v) => Number.isNaN(v))) return report({ ok: false, error: { message: t("estimates.need_number") } });
    if ((n.low !== null || n.high !== null) && n.likely === null) return report({ ok: false, error: { message: t("estimates.likely_required") } });
    if ((n.low !== null && n.likely !== null && n.low > n.likely) || (n.high !== null && n.likely !== null && n.likely > n.high)) {
      return report({ ok: false, error: { message: t("estimates.order_error") } });
    }
    const data = { source: src.value.trim() };
    for (const k of ["low", "likely", "high"]) data[k] = raw[k] ? cleanNumber(raw[k]) : null;
    const ack = await draft("row.update", { id: row.id, data });
    if (ack.ok) for (const k of ["low", "likely", "high", "source"]) edits.delete(`${row.id}:${k}`);
    report(ack, t("estimates.saved"));
  });
  const current = el("p", { class: "est-current muted", text: t("estimates.current_values", {
    low: row.low === null ? t("estimates.not_set") : num(row.low),
    likely: row.likely === null ? t("estimates.not_set") : num(row.likely),
    high: row.high === null ? t("estimates.not_set") : num(row.high),
  }) });

  // The proposal from the answers, with its source text, adopted as it stands in one step (the
  // draft's own row edit, as "Save values" does).
  let proposalBox = null;
  if (sug) {
    const adopt = el("button", { type: "button", class: "primary est-adopt", dataset: { fkey: `${row.id}:adopt` }, text: t("estimates.adopt") });
    adopt.addEventListener("click", async () => {
      const ack = await whileSending(adopt, () => draft("row.update", { id: row.id, data: { low: sug.low, likely: sug.likely, high: sug.high, source: autoSource } }));
      if (!ack) return;
      if (ack.ok) for (const k of ["low", "likely", "high", "source"]) edits.delete(`${row.id}:${k}`);
      report(ack, t("estimates.adopted"));
    });
    proposalBox = el("div", { class: "est-proposal-box" },
      el("p", { class: "est-proposal-head" }, el("strong", { text: `${t("estimates.proposal_heading")}: ` }),
        el("span", { class: "est-proposal-values", text: triple(sug.low, sug.likely, sug.high, row.unit) })),
      el("p", { class: "est-proposal-source", text: autoSource }),
      el("p", { class: "est-actions" }, adopt, fill));
  }
  return el("li", { class: "est-row", dataset: { row: String(row.id), focus: String(onScreen) } },
    head,
    spreadBlock(el, t, row, "normal"),
    narrowingBox(el, t, row),
    el("div", { class: "est-row-forms" },
      el("div", { class: "est-row-left" }, propose, current),
      el("div", { class: "est-row-right" }, proposalBox, form, status)),
    figureList(el, t, results.items || [], row, agg.round, moderate));
}

export function console(ctx) {
  const { root, activity, results, configure, draft_data: draftData, t, el } = ctx;
  const agg = results.aggregate;
  const draft = draftData ? draftData() : null;
  keepFocus(root, () => {
    const roundBox = el("div", { class: "est-round" },
      el("span", { class: "est-round-tag", text: t("estimates.round", { n: agg.round }) }),
      agg.round === 1
        ? el("button", { type: "button", dataset: { fkey: "round" }, onclick: () => configure({ round: 2 }), text: t("estimates.start_round2") })
        : el("button", { type: "button", dataset: { fkey: "round" }, onclick: () => configure({ round: 1 }), text: t("estimates.back_round1") }));
    const range = Boolean(activity.config.suggest_range);
    const method = el("div", { class: "calc-toggle", role: "group", "aria-label": t("estimates.suggest_method") },
      el("span", { class: "calc-toggle-label", "aria-hidden": "true", text: t("estimates.suggest_method") }),
      el("button", { type: "button", "aria-pressed": String(!range), dataset: { fkey: "m:q" }, onclick: () => range && configure({ suggest_range: false }) }, t("estimates.suggest_quartiles")),
      el("button", { type: "button", "aria-pressed": String(range), dataset: { fkey: "m:r" }, onclick: () => !range && configure({ suggest_range: true }) }, t("estimates.suggest_range")));
    const bar = el("div", { class: "est-bar" }, roundBox, method,
      agg.focus ? el("button", { type: "button", dataset: { fkey: "showall" }, onclick: () => configure({ focus: null }), text: t("estimates.show_all") }) : null);
    const out = el("div", { class: "est-console" }, bar);
    if (agg.round === 2) out.append(el("p", { class: "notice", text: t("estimates.round2_note") }));
    const chooser = rowChooser(el, t, activity, draft, configure);
    if (chooser) out.append(chooser);
    if (agg.empty || !agg.rows.length) {
      out.append(el("p", { class: "empty", text: t("estimates.no_draft") }));
    } else {
      out.append(el("p", { class: "est-meta muted", text: t("estimates.rows_answered", { a: agg.answered_rows, n: agg.rows.length }) }),
        el("ol", { class: "est-rows", "aria-label": t("estimates.rows_heading") }, agg.rows.map((row) => rowCard(el, t, ctx, agg, row))));
    }
    clear(root).append(out);
  });
}
