// Step 8 Räkna: the draft analysis computed. Presenter: the result measures in big numbers, the
// accumulated benefits and costs per year (moving live as figures arrive in step 7) and the
// tornado. Console: the same plus every figure behind it, a discounted/undiscounted switch and
// convention A/B. Phones: a short summary once the facilitator reveals it.
import { clear, fmt } from "../core.js";
import { accumulatedChart, kr, tornadoChart } from "../result_charts.js";

const SCENARIOS = ["low", "likely", "high"];

function pick(agg, discounted) {
  return discounted ? agg.discounted : agg.undiscounted;
}

function perKrona(m, t) {
  return m.per_krona === null || m.per_krona === undefined ? t("calculate.cannot") : kr(m.per_krona, 2);
}

function yearText(year, settings, t) {
  if (!year) return t("calculate.never");
  return settings && settings.start_year
    ? t("calculate.year_cal", { n: year, y: settings.start_year + year - 1 })
    : t("calculate.year_n", { n: year });
}

export function settingsText(settings, t) {
  return t("calculate.settings", {
    n: settings.horizon,
    r: fmt(settings.discount_rate * 100, 1),
    c: settings.convention,
  });
}

function translated(t, key, fallback) {
  const s = t(key);
  return s === key ? t(fallback) : s;
}

/** The three result measures as big numbers (used by step 9 as well). */
export function headline(el, t, agg, { discounted = true, size = "normal" } = {}) {
  const m = pick(agg, discounted);
  const cell = (cls, label, value, note) =>
    el("div", { class: `calc-big ${cls}` },
      el("p", { class: "calc-big-label", text: label }),
      el("p", { class: "calc-big-value", text: value }),
      note ? el("p", { class: "calc-big-note", text: note }) : null);
  // Every figure says its basis: discounted (nuvärde) or undiscounted.
  const basis = discounted ? t("calculate.discounted") : t("calculate.undiscounted");
  const net = cell(m.nettonytta < 0 ? "net negative" : "net", t("calculate.nettonytta"), kr(m.nettonytta), basis);
  const reading = m.reading ? t(`calculate.reading.${m.reading}`) : t("calculate.cannot_why");
  const per = cell("per-krona", t("calculate.per_krona"), perKrona(m, t), `${reading} · ${basis}`);
  const year = cell("break-even", t("calculate.break_even"), yearText(m.break_even_year, agg.settings, t), basis);
  return el("div", { class: `calc-head size-${size}` }, net, per, year);
}

function uncertaintyLine(el, t, agg, discounted) {
  const u = agg.uncertainty;
  const key = discounted ? "discounted" : "undiscounted";
  return el("p", { class: "calc-uncertainty", text: t("calculate.uncertainty_line", {
    low: kr(u.low[key].nettonytta), high: kr(u.high[key].nettonytta),
  }) });
}

function chartFor(el, t, agg, discounted, size) {
  const m = pick(agg, discounted);
  return accumulatedChart(el, {
    benefits: m.accumulated_benefits, costs: m.accumulated_costs, breakEven: m.break_even_year,
    startYear: agg.settings.start_year, size,
  });
}

function tornadoFor(el, t, agg, discounted, size) {
  const m = agg.uncertainty.likely[discounted ? "discounted" : "undiscounted"];
  return tornadoChart(el, {
    entries: agg.tornado, likely: m.nettonytta, discounted, more: Math.max(0, agg.tornado_total - agg.tornado.length), size,
  });
}

function emptyState(el, t, agg) {
  return !agg || agg.empty || (agg.counts.money === 0 && agg.counts.not_valued === 0)
    ? el("p", { class: "empty calc-empty", text: t("calculate.no_draft") }) : null;
}

// --- phone -----------------------------------------------------------------------------------
export function phone({ root, activity, results, t, el }) {
  const discounted = activity.config.discounted !== false;
  const box = el("div", { class: "calc-phone", "aria-live": "polite" });
  root.append(box);
  const update = (res) => {
    clear(box);
    const agg = res && res.visible ? res.aggregate : null;
    if (!agg) {
      box.append(el("p", { class: "waiting", text: t("calculate.phone_wait") }));
      return;
    }
    const empty = emptyState(el, t, agg);
    if (empty) {
      box.append(empty);
      return;
    }
    box.append(el("h2", { text: t("calculate.phone_heading") }), headline(el, t, agg, { discounted, size: "phone" }),
      uncertaintyLine(el, t, agg, discounted), el("p", { class: "muted", text: settingsText(agg.settings, t) }));
    if (activity.config.summary === true) box.append(summarySide(el, t, agg));
  };
  update(results);
  return { update };
}

// --- presenter -------------------------------------------------------------------------------
/** Pixels of `vh` screen heights, so charts drawn at real size match the CSS type sizes. */
export function vh(n) {
  return (window.innerHeight || 1080) * n / 100;
}

/**
 * The presenter's result board in columns: the measures; the accumulated chart (drawn at the
 * size of its slot once the board is in the page) with the uncertainty line; optionally the
 * top of the tornado. Returns {node, draw}.
 */
export function resultBoard(el, t, agg, { discounted = true, tornado = true, top = 3 } = {}) {
  const m = pick(agg, discounted);
  const slot = el("div", { class: "acc-slot" });
  const left = el("div", { class: "calc-left" }, headline(el, t, agg, { discounted, size: "large" }));
  if (agg.errors.length) {
    left.append(el("p", { class: "calc-warn", text: `${t("calculate.errors")}: ${[...new Set(agg.errors.map((e) => e.title))].join(", ")}` }));
  }
  const omf = agg.omfordelning?.any
    ? el("p", { class: "calc-omf", text: `${t("calculate.omfordelning")}: ${omfordelningLines(t, agg.omfordelning).filter((_, i) => {
      const s = i < 2 ? agg.omfordelning.benefit : agg.omfordelning.cost;
      return s.hours_total;
    }).join(" · ")}` })
    : null;
  const mid = el("div", { class: "calc-mid" }, slot,
    el("div", { class: "calc-sub" }, uncertaintyLine(el, t, agg, discounted), omf,
      el("p", { class: "calc-settings", text: settingsText(agg.settings, t) })));
  const node = el("div", { class: `calc-pres${tornado ? "" : " no-tornado"}` }, left, mid);
  if (tornado) {
    const shown = { ...agg, tornado: agg.tornado.slice(0, top), tornado_total: agg.tornado_total };
    node.append(el("section", { class: "calc-tornado", "aria-labelledby": "calc-tornado-h" },
      el("h2", { id: "calc-tornado-h", text: t("calculate.tornado") }),
      tornadoFor(el, t, shown, discounted, "large")));
  }
  const draw = () => {
    const box = slot.getBoundingClientRect();
    const make = (height) => accumulatedChart(el, {
      benefits: m.accumulated_benefits, costs: m.accumulated_costs, breakEven: m.break_even_year,
      startYear: agg.settings.start_year, size: "large", width: box.width, height, font: vh(2.3),
    });
    let fig = make(box.height);
    clear(slot).append(fig);
    // The legend may wrap onto a second line: give the chart that much less height.
    const over = fig.getBoundingClientRect().height - box.height;
    if (over > 1) {
      fig = make(box.height - over);
      clear(slot).append(fig);
    }
  };
  return { node, draw };
}

export function presenter({ root, activity, results, t, el }) {
  const agg = results.aggregate;
  const empty = emptyState(el, t, agg);
  if (empty) {
    clear(root).append(empty);
    return;
  }
  const summary = activity.config.summary === true;
  const board = resultBoard(el, t, agg, { discounted: activity.config.discounted !== false, top: Math.min(3, activity.config.top || 3), tornado: !summary });
  if (summary) {
    // Sammanfattning: the points part and the uncertainty per area take the tornado's column.
    board.node.classList.remove("no-tornado");
    board.node.classList.add("calc-with-summary");
    board.node.append(summarySide(el, t, agg, { pointsShown: 8, areasShown: 6 }));
  }
  clear(root).append(board.node);
  board.draw();
}

const levelText = (t, level) => t(`calculate.level.${level || "none"}`);

/** A point as the method names it, "Måttlig (2)"; an item without one is "not estimated". */
function pointsText(t, n) {
  return n.size_score === null || n.size_score === undefined
    ? t("calculate.size.none") : `${translated(t, `calculate.size.${n.size_score}`, "calculate.size.none")} (${n.size_score})`;
}

/** The summary's other half: items valued in points (listed, never summed) and the
 *  uncertainty per area, each list cut with "… and n more" where the screen is full. */
export function summarySide(el, t, agg, { pointsShown = 100, areasShown = 100 } = {}) {
  const side = el("section", { class: "calc-summary-side", "aria-label": t("calculate.points_heading") });
  const points = agg.not_valued || [];
  if (points.length) {
    side.append(...[el("h2", { text: t("calculate.points_heading") }),
      el("ul", { class: "calc-points" }, points.slice(0, pointsShown).map((n) => el("li", {},
        el("span", { class: "calc-points-title", text: n.title }), " ",
        el("strong", { class: "calc-points-size", dataset: { size: String(n.size_score ?? "none") }, text: pointsText(t, n) })))),
      points.length > pointsShown ? el("p", { class: "muted", text: t("calculate.more", { n: fmt(points.length - pointsShown) }) }) : null].filter(Boolean));
  }
  const areas = agg.uncertainty_areas || [];
  if (areas.length) {
    side.append(...[el("h2", { text: t("calculate.areas_heading") }),
      el("ul", { class: "calc-areas" }, areas.slice(0, areasShown).map((a) => el("li", {},
        el("span", { text: `${a.area}: ` }), el("strong", { dataset: { level: a.level || "none" }, text: levelText(t, a.level) })))),
      areas.length > areasShown ? el("p", { class: "muted", text: t("calculate.more", { n: fmt(areas.length - areasShown) }) }) : null].filter(Boolean));
  }
  return side;
}

// --- console ---------------------------------------------------------------------------------
function toggle(el, label, options, current, onPick) {
  return el("div", { class: "calc-toggle", role: "group", "aria-label": label },
    el("span", { class: "calc-toggle-label", "aria-hidden": "true", text: label }),
    options.map(([value, text]) => el("button", {
      type: "button", "aria-pressed": String(value === current), onclick: () => value !== current && onPick(value),
    }, text)));
}

function table(el, caption, head, rows, cls = "calc-table") {
  return el("div", { class: "calc-scroll" }, el("table", { class: cls },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: i ? "num" : null, text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) => (i === 0
      ? el("th", { scope: "row", text: c }) : el("td", { class: "num", text: c }))))))));
}

function compareTable(el, t, agg) {
  const u = agg.undiscounted;
  const d = agg.discounted;
  return table(el, t("calculate.compare"), [t("calculate.measure"), t("calculate.undiscounted"), t("calculate.discounted")], [
    [t("calculate.benefits"), kr(u.benefits), kr(d.benefits)],
    [t("calculate.costs"), kr(u.costs), kr(d.costs)],
    [t("calculate.nettonytta"), kr(u.nettonytta), kr(d.nettonytta)],
    [t("calculate.per_krona"), perKrona(u, t), perKrona(d, t)],
    [t("calculate.break_even"), yearText(u.break_even_year, agg.settings, t), yearText(d.break_even_year, agg.settings, t)],
  ]);
}

function uncertaintyTable(el, t, agg) {
  const names = { low: t("calculate.all_low"), likely: t("calculate.all_likely"), high: t("calculate.all_high") };
  return table(el, `${t("calculate.uncertainty")}: ${t("calculate.nettonytta")}`,
    [t("calculate.scenario"), t("calculate.undiscounted"), t("calculate.discounted"), t("calculate.per_krona"), t("calculate.break_even_short")],
    SCENARIOS.map((s) => {
      const u = agg.uncertainty[s];
      return [names[s], kr(u.undiscounted.nettonytta), kr(u.discounted.nettonytta), perKrona(u.discounted, t),
        yearText(u.discounted.break_even_year, agg.settings, t)];
    }));
}

function pct(share) {
  return share === null || share === undefined ? "–" : `${fmt(share * 100, 0)} %`;
}

function breakdowns(el, t, agg, discounted) {
  const m = pick(agg, discounted);
  const shares = table(el, t("calculate.shares"), [t("calculate.category_col"), t("calculate.of_benefits"), t("calculate.of_costs")], [
    [t("calculate.share_fin"), pct(m.benefit_shares.finansiell), pct(m.cost_shares.finansiell)],
    [t("calculate.share_omf"), pct(m.benefit_shares.omfordelning), pct(m.cost_shares.omfordelning)],
  ]);
  const grouped = (caption, first, groups, nameOf) => {
    const keys = [...new Set([...Object.keys(groups.benefit || {}), ...Object.keys(groups.cost || {})])];
    return table(el, caption, [first, t("calculate.benefits"), t("calculate.costs")],
      keys.map((k) => [nameOf(k), kr((groups.benefit || {})[k] || 0), kr((groups.cost || {})[k] || 0)]));
  };
  const cat = grouped(t("calculate.by_category"), t("calculate.category_col"), m.by_category, (k) => translated(t, `calculate.category.${k}`, "calculate.no_perspective"));
  const per = grouped(t("calculate.by_perspective"), t("calculate.perspective_col"), m.by_perspective, (k) => k || t("calculate.no_perspective"));
  return el("div", { class: "calc-tables" }, shares, cat, per);
}

/**
 * Omfördelning in time: freed and consumed hours and årsarbetare, per year (mean over the
 * horizon) and over the whole horizon, each figure labelled with what it covers.
 */
export function omfordelningLines(t, o) {
  const side = (s, key) => [
    t(`calculate.${key}_year`, { n: fmt(o[s].hours_per_year, 0), a: fmt(o[s].arsarbetare_per_year, 2) }),
    t(`calculate.${key}_total`, { n: fmt(o[s].hours_total, 0), a: fmt(o[s].arsarbetare_total, 2), years: fmt(o.horizon) }),
  ];
  return [...side("benefit", "hours_freed"), ...side("cost", "hours_used")];
}

function omfordelning(el, t, agg) {
  const o = agg.omfordelning;
  const lines = omfordelningLines(t, o);
  if (o.missing_hours.length) lines.push(t("calculate.hours_missing", { items: o.missing_hours.join(", ") }));
  return el("section", { class: "calc-section" }, el("h3", { text: t("calculate.omfordelning") }),
    el("ul", { class: "calc-list" }, lines.map((l) => el("li", { text: l }))));
}

function notValued(el, t, agg) {
  if (!agg.not_valued.length) return null;
  return el("section", { class: "calc-section" }, el("h3", { text: t("calculate.not_valued") }),
    el("ul", { class: "calc-list" }, agg.not_valued.map((n) => el("li", {},
      el("span", { text: n.title }), " ",
      el("span", { class: "calc-size", dataset: { size: String(n.size_score ?? "none") },
        text: `${t("calculate.size")}: ${n.size_score === null ? t("calculate.size.none") : translated(t, `calculate.size.${n.size_score}`, "calculate.size.none")}` }),
      el("span", { class: "muted", text: ` · ${translated(t, `calculate.category.${n.category}`, "calculate.no_perspective")}` })))));
}

function uncertaintyAreas(el, t, agg) {
  const areas = agg.uncertainty_areas || [];
  if (!areas.length) return null;
  return el("section", { class: "calc-section" }, el("h3", { text: t("calculate.areas_heading") }),
    el("ul", { class: "calc-list" }, areas.map((a) => el("li", {}, el("strong", { text: `${a.area}: ${levelText(t, a.level)}` }),
      a.motivation ? el("span", { class: "muted", text: ` · ${a.motivation}` }) : null))));
}

function errorList(el, t, agg) {
  if (!agg.errors.length) return null;
  return el("section", { class: "calc-section calc-errors" },
    el("h3", { text: t("calculate.errors") }),
    el("p", { class: "help", text: t("calculate.errors_help") }),
    el("ul", { class: "calc-list" }, agg.errors.map((e) => {
      // The server's sentence names the item and says what is wrong, in the workshop's language.
      const when = e.scenarios.length ? ` (${e.scenarios.map((s) => t(`calculate.scenario.${s}`)).join(", ")})` : "";
      return el("li", { text: `${e.message}${when}` });
    })));
}

function itemsTable(el, t, agg, discounted) {
  if (!agg.items.length) return null;
  return table(el, t("calculate.items"), [t("calculate.title"), t("calculate.yearly"), t("calculate.total")],
    agg.items.map((i) => [
      `${i.kind === "cost" ? t("calculate.kind.cost") : t("calculate.kind.benefit")}: ${i.title}`,
      kr(i.yearly_value), kr(discounted ? i.total_discounted : i.total),
    ]), "calc-table calc-items");
}

export function console({ root, activity, results, configure, draft, t, el }) {
  const agg = results.aggregate;
  const discounted = activity.config.discounted !== false;
  const bar = el("div", { class: "calc-bar" });
  const status = el("p", { class: "calc-status", role: "status" });
  const report = (ack) => {
    status.textContent = ack && !ack.ok && ack.error ? ack.error.message : "";
  };
  bar.append(
    toggle(el, t("calculate.figures_shown"), [[true, t("calculate.show_discounted")], [false, t("calculate.show_undiscounted")]],
      discounted, (v) => configure({ discounted: v }).then(report)),
  );
  if (agg && !agg.empty) {
    bar.append(toggle(el, t("calculate.convention"), [["A", t("calculate.convention_a")], ["B", t("calculate.convention_b")]],
      agg.settings.convention, (v) => draft("frame.update", { data: { convention: v } }).then(report)));
    bar.append(el("p", { class: "calc-settings", text: settingsText(agg.settings, t) }));
  }
  const empty = emptyState(el, t, agg);
  if (empty) {
    clear(root).append(el("div", { class: "calc-console" }, bar, status, empty));
    return;
  }
  clear(root).append(el("div", { class: "calc-console" },
    bar, status,
    errorList(el, t, agg),
    headline(el, t, agg, { discounted }),
    uncertaintyLine(el, t, agg, discounted),
    compareTable(el, t, agg),
    el("section", { class: "calc-section" }, el("h3", { text: t("calculate.accumulated") }), chartFor(el, t, agg, discounted, "normal")),
    el("section", { class: "calc-section" }, el("h3", { text: t("calculate.tornado") }),
      el("p", { class: "help", text: t("calculate.tornado_help") }), tornadoFor(el, t, agg, discounted, "normal")),
    uncertaintyTable(el, t, agg),
    breakdowns(el, t, agg, discounted),
    omfordelning(el, t, agg),
    notValued(el, t, agg),
    uncertaintyAreas(el, t, agg),
    itemsTable(el, t, agg, discounted)));
}
